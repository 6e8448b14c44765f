/* fuzz_session.c - libFuzzer harness for the session file parser.
 *
 * Any byte string goes to session_from_text(); when its first byte is odd, the rest is first
 * wrapped in a valid header and checksum line, so the fuzzer reaches the line parser behind the
 * CRC. A refusal must say why; an accepted session
 * must hold values in range (clamping it changes nothing) and must serialise and parse back
 * to the same bytes. Any inconsistency traps. Built by `make fuzz`; seeds in
 * tests/fuzz/seeds/session/.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crc32.h"
#include "session.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

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
    static const char head[] = "groove-session 1\n";
    size_t body = size - 1, n = sizeof head - 1 + body;
    char *text = malloc(n + 16);
    if (!text)
        return 0;
    memcpy(text, head, sizeof head - 1);
    memcpy(text + sizeof head - 1, data + 1, body);
    if (body && text[n - 1] != '\n')
        text[n++] = '\n';
    uint32_t crc = crc32_update(0, text, n);
    static const char hex[] = "0123456789abcdef";
    memcpy(text + n, "end ", 4);
    for (int i = 0; i < 8; i++)
        text[n + 4 + i] = hex[(crc >> (28 - 4 * i)) & 15];
    text[n + 12] = '\n';
    check_text(text, n + 13);
    free(text);
    return 0;
}
