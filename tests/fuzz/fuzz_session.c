/* fuzz_session.c - libFuzzer harness for the session file parser.
 *
 * Any byte string goes to session_from_text(); when its first byte is odd, the rest is first
 * wrapped in a valid header and checksum line, so the fuzzer reaches the line parser behind the
 * CRC (version 1, or version 2 when bit 1 is set too). When bit 2 is set the song form's lines
 * are read into a Form as well (session_from_text_form), and what is written back with it must
 * read back and write the same bytes again. A refusal must say why; an accepted session
 * must hold values in range (clamping it changes nothing) and must serialise and parse back
 * to the same bytes. Any inconsistency traps. Built by `make fuzz`; seeds in
 * tests/fuzz/seeds/session/.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crc32.h"
#include "form.h"
#include "session.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* With a form: parse, write, parse again, write again: the two texts must be equal. */
static void check_text_form(const char *text, size_t size)
{
    static Form f, g;
    Session s, again;
    char err[256] = "";
    form_init(&f, 128, 0);
    form_init(&g, 128, 0);
    if (session_from_text_form(text, size, &s, &f, err, sizeof err) != SESSION_OK) {
        if (!err[0])
            __builtin_trap();
        return;
    }
    size_t len, len2;
    char *out = session_to_text(&s, &len);
    if (!out)
        return;
    if (session_from_text_form(out, len, &again, &g, err, sizeof err) != SESSION_OK)
        __builtin_trap(); /* what we write must read back */
    char *out2 = session_to_text(&again, &len2);
    if (out2 && (len2 != len || memcmp(out, out2, len)))
        __builtin_trap(); /* and write the same bytes again */
    free(out);
    free(out2);
}

/* Checks one input (see the top). */
static void check_text(const char *text, size_t size)
{
    Session s, again;
    char err[256] = "";
    if (session_from_text(text, size, &s, err, sizeof err) != SESSION_OK) {
        if (!err[0])
            __builtin_trap(); /* a refusal always has a reason */
        return;
    }
    Session clamped = s;
    session_clamp(&clamped);
    if (memcmp(&clamped, &s, sizeof s))
        __builtin_trap(); /* the parser let an out-of-range value through */
    size_t len;
    char *out = session_to_text(&s, &len);
    if (!out)
        return;
    if (session_from_text(out, len, &again, err, sizeof err) != SESSION_OK || memcmp(&again, &s, sizeof s))
        __builtin_trap(); /* what we write must read back the same */
    free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0 || !(data[0] & 1)) {
        check_text((const char *)data, size);
        return 0;
    }
    const char *head = data[0] & 2 ? "groove-session 2\n" : "groove-session 1\n";
    int with_form = data[0] & 4;
    size_t hl = strlen(head), body = size - 1, n = hl + body;
    char *text = malloc(n + 16);
    if (!text)
        return 0;
    memcpy(text, head, hl);
    memcpy(text + hl, data + 1, body);
    if (body && text[n - 1] != '\n')
        text[n++] = '\n';
    uint32_t crc = crc32_update(0, text, n);
    static const char hex[] = "0123456789abcdef";
    memcpy(text + n, "end ", 4);
    for (int i = 0; i < 8; i++)
        text[n + 4 + i] = hex[(crc >> (28 - 4 * i)) & 15];
    text[n + 12] = '\n';
    if (with_form)
        check_text_form(text, n + 13);
    else
        check_text(text, n + 13);
    free(text);
    return 0;
}
