/* test_term_input.c - the terminal key decoder: every dialect of the keys groove uses, split
 * sequences with gaps, unknown and incomplete sequences (never plain keys), the lone Escape,
 * bracketed paste, and the replies to the TUI's terminal queries. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "term_input.h"

#define MAX_EVENTS 4096

typedef struct {
    Term_event ev[MAX_EVENTS];
    int n;
} Events;

/* Feeds "bytes" one chunk per entry of chunks[], chunk i arriving at times[i], then lets
 * 10 s pass. */
static void run(Term_input *t, const char *const *chunks, const double *times, int count, Events *e)
{
    e->n = 0;
    double last = 0;
    for (int i = 0; i < count; i++) {
        Term_event out[TERM_INPUT_EVENTS_MAX(64)];
        int len = (int)strlen(chunks[i]);
        int n = term_input_feed(t, (const unsigned char *)chunks[i], len, times[i], out);
        for (int j = 0; j < n && e->n < MAX_EVENTS; j++)
            e->ev[e->n++] = out[j];
        last = times[i];
    }
    Term_event out[TERM_INPUT_FLUSH_MAX];
    int n = term_input_flush(t, last + 10.0, out);
    for (int j = 0; j < n && e->n < MAX_EVENTS; j++)
        e->ev[e->n++] = out[j];
}

/* The keys of a sequence sent whole, at once. */
static void keys_of(const char *bytes, Events *e)
{
    Term_input t;
    term_input_init(&t, 0);
    const char *chunks[1] = {bytes};
    double times[1] = {1.0};
    run(&t, chunks, times, 1, e);
}

/* 1 when e holds exactly one key event equal to key. */
static int one_key(const Events *e, int key)
{
    return e->n == 1 && e->ev[0].type == TERM_EVENT_KEY && e->ev[0].key == key;
}

/* Every byte of a string sent alone, gap seconds apart. */
static void split_keys(const char *bytes, double gap, double esc_wait, Events *e)
{
    Term_input t;
    term_input_init(&t, esc_wait);
    char one[64][2];
    const char *chunks[64];
    double times[64];
    int n = (int)strlen(bytes);
    for (int i = 0; i < n; i++) {
        one[i][0] = bytes[i];
        one[i][1] = 0;
        chunks[i] = one[i];
        times[i] = 1.0 + gap * i;
    }
    run(&t, chunks, times, n, e);
}

int main(void)
{
    Events e;
    /* ---- the dialects of Home, End and the arrows (issue 12, item 1) ---- */
    static const struct {
        const char *bytes, *what;
        int key;
    } forms[] = {
        {"\x1b[1~", "ESC [ 1 ~ (PuTTY, tmux, Linux console)", TERM_KEY_HOME},
        {"\x1b[H", "ESC [ H (xterm normal mode)", TERM_KEY_HOME},
        {"\x1bOH", "ESC O H (application mode)", TERM_KEY_HOME},
        {"\x1b[7~", "ESC [ 7 ~ (rxvt)", TERM_KEY_HOME},
        {"\x1b[1;5H", "ESC [ 1 ; 5 H (Ctrl-Home)", TERM_KEY_HOME},
        {"\x1b[4~", "ESC [ 4 ~", TERM_KEY_END},
        {"\x1b[F", "ESC [ F", TERM_KEY_END},
        {"\x1bOF", "ESC O F", TERM_KEY_END},
        {"\x1b[8~", "ESC [ 8 ~ (rxvt)", TERM_KEY_END},
        {"\x1b[A", "ESC [ A", TERM_KEY_UP},
        {"\x1bOA", "ESC O A", TERM_KEY_UP},
        {"\x1b[1;2A", "ESC [ 1 ; 2 A (Shift-Up)", TERM_KEY_UP},
        {"\x1b[a", "ESC [ a (rxvt Shift-Up)", TERM_KEY_UP},
        {"\x1bO5A", "ESC O 5 A (old Ctrl-Up)", TERM_KEY_UP},
        {"\x1b[B", "ESC [ B", TERM_KEY_DOWN},
        {"\x1bOB", "ESC O B", TERM_KEY_DOWN},
        {"\x1b[C", "ESC [ C", TERM_KEY_RIGHT},
        {"\x1bOC", "ESC O C", TERM_KEY_RIGHT},
        {"\x1b[D", "ESC [ D", TERM_KEY_LEFT},
        {"\x1bOD", "ESC O D", TERM_KEY_LEFT},
        {"\x1b[3~", "ESC [ 3 ~ (Delete)", TERM_KEY_DELETE},
        {"\x1b[5~", "ESC [ 5 ~ (Page Up)", TERM_KEY_PAGE_UP},
        {"\x1b[6~", "ESC [ 6 ~ (Page Down)", TERM_KEY_PAGE_DOWN},
        {"\x1b[2$", "ESC [ 2 $ (rxvt Shift-Insert)", TERM_KEY_INSERT},
        {"\x1b[Z", "ESC [ Z (Shift-Tab)", TERM_KEY_BACKTAB},
        {"\x1bOM", "ESC O M (keypad Enter)", TERM_KEY_KEYPAD_ENTER},
        {"\x1bOk", "ESC O k (keypad +)", '+'},
        {"\x1bOm", "ESC O m (keypad -)", '-'},
        {"\x1bOP", "ESC O P (F1)", TERM_KEY_FUNCTION},
        {"\x1b[15~", "ESC [ 1 5 ~ (F5)", TERM_KEY_FUNCTION},
        {"\x1b[[A", "ESC [ [ A (Linux console F1)", TERM_KEY_FUNCTION},
    };
    for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
        keys_of(forms[i].bytes, &e);
        CHECK(one_key(&e, forms[i].key), "%s is one key (%d events)", forms[i].what, e.n);
    }

    /* Five Home and five Up presses from PuTTY leave no '[' (BPM down) and no 'O' behind. */
    keys_of("\x1b[1~\x1b[1~\x1b[1~\x1b[1~\x1b[1~\x1b[A\x1b[A\x1b[A\x1b[A\x1b[A", &e);
    int homes = 0, ups = 0, plain = 0;
    for (int i = 0; i < e.n; i++) {
        homes += e.ev[i].key == TERM_KEY_HOME;
        ups += e.ev[i].key == TERM_KEY_UP;
        plain += e.ev[i].key < 0x100;
    }
    CHECK(homes == 5 && ups == 5 && plain == 0, "5 x Home + 5 x Up: 5 Home, 5 Up, no plain key (%d %d %d)",
          homes, ups, plain);

    /* ---- unknown sequences are dropped whole, never plain keys ---- */
    static const char *const unknown[] = {
        "\x1b[99~", "\x1b[1;5Q", "\x1b[?1;2c", "\x1b[E", "\x1b[200;5x", "\x1bOz", "\x1b[I", "\x1b[O",
        "\x1b[<0;12;5M", "\x1b[97;5u", "\x1b[M !!",
    };
    for (size_t i = 0; i < sizeof unknown / sizeof unknown[0]; i++) {
        keys_of(unknown[i], &e);
        int keys = 0;
        for (int j = 0; j < e.n; j++)
            keys += e.ev[j].type == TERM_EVENT_KEY && e.ev[j].key < 0x100;
        CHECK(keys == 0, "unknown sequence #%zu gives no plain key (%d)", i, keys);
    }
    /* an unknown sequence followed by a real key: the key stays */
    keys_of("\x1b[99~q", &e);
    CHECK(one_key(&e, 'q'), "unknown sequence then q: just q");
    /* a sequence longer than the decoder keeps is dropped whole */
    keys_of("\x1b[1;2;3;4;5;6;7;8;9;10;11;12;13;14;15;16;17;18;19;20;21;22~x", &e);
    CHECK(one_key(&e, 'x'), "an overlong sequence is dropped, the key after it stays");
    /* Alt+key: dropped, not the plain key */
    keys_of("\x1b[", &e);
    CHECK(e.n == 0, "an incomplete ESC [ gives nothing, even after 10 s");
    keys_of("\x1bO", &e);
    CHECK(e.n == 0, "an incomplete ESC O gives nothing");
    keys_of("\x1b[1", &e);
    CHECK(e.n == 0, "an incomplete ESC [ 1 gives nothing");
    keys_of("\x1b" "x", &e);
    CHECK(e.n == 1 && e.ev[0].key == 'x' && e.ev[0].alt == 1, "ESC x at once: Alt+x, one event marked alt, not the plain x");
    keys_of("\x1b" "q", &e);
    CHECK(e.n == 1 && e.ev[0].alt == 1, "Alt+q is not q (it must not quit)");
    keys_of("\x1b\x03", &e);
    CHECK(e.n == 2 && e.ev[0].key == 0x1b && e.ev[1].key == 3 && !e.ev[1].alt, "ESC then Ctrl-C: Escape, then Ctrl-C");
    {
        /* Esc, then q in a later read within the wait (a person, or tmux send-keys): both keys */
        Term_input t;
        term_input_init(&t, 0);
        const char *chunks[] = {"\x1b", "q"};
        double times[] = {1.0, 1.02};
        run(&t, chunks, times, 2, &e);
        CHECK(e.n == 2 && e.ev[0].key == 0x1b && e.ev[1].key == 'q' && !e.ev[1].alt,
              "ESC, then q 20 ms later in its own read: Escape, then q (not Alt+q)");
    }
    /* a control key inside a sequence is still the control key */
    keys_of("\x1b[1\x03", &e);
    CHECK(one_key(&e, 3), "Ctrl-C in the middle of a sequence still arrives");

    /* ---- split sequences (item 2): bytes 40 ms, 150 ms, 1 s apart ---- */
    double gaps[] = {0.04, 0.15, 0.25};
    for (int g = 0; g < 3; g++) {
        split_keys("\x1b[1~", gaps[g], 0, &e);
        CHECK(one_key(&e, TERM_KEY_HOME), "ESC [ 1 ~ with %.0f ms between bytes is Home", gaps[g] * 1000);
        split_keys("\x1b[C", gaps[g], 0, &e);
        CHECK(one_key(&e, TERM_KEY_RIGHT), "ESC [ C with %.0f ms between bytes is Right", gaps[g] * 1000);
        split_keys("\x1bOH", gaps[g], 0, &e);
        CHECK(one_key(&e, TERM_KEY_HOME), "ESC O H with %.0f ms between bytes is Home", gaps[g] * 1000);
    }
    /* after ESC [, the rest may take a long time (up to TERM_INPUT_SEQ_WAIT between bytes) */
    split_keys("\x1b[1~", 0.0, 0, &e);
    CHECK(one_key(&e, TERM_KEY_HOME), "ESC [ 1 ~ in one burst is Home");
    {
        Term_input t;
        term_input_init(&t, 0);
        const char *chunks[] = {"\x1b", "[", "1", "~"};
        double times[] = {1.0, 1.1, 2.5, 4.0};
        run(&t, chunks, times, 4, &e);
        CHECK(one_key(&e, TERM_KEY_HOME), "ESC [ 1 ~ with 1.4 s and 1.5 s stalls inside is still Home");
    }
    {
        Term_input t;
        term_input_init(&t, 0);
        const char *chunks[] = {"\x1b[1", "~"};
        double times[] = {1.0, 1.0 + TERM_INPUT_SEQ_WAIT + 0.5};
        run(&t, chunks, times, 2, &e);
        int others = 0;
        for (int i = 0; i < e.n; i++)
            others += e.ev[i].type == TERM_EVENT_KEY && e.ev[i].key != '~';
        CHECK(t.dropped == 1 && others == 0, "a sequence stalled past the wait is dropped (dropped %lu)", t.dropped);
    }

    /* ---- the lone Escape stays usable ---- */
    keys_of("\x1b", &e);
    CHECK(one_key(&e, 0x1b), "a lone ESC is Escape once its wait is over");
    {
        Term_input t;
        term_input_init(&t, 0);
        Term_event out[TERM_INPUT_EVENTS_MAX(1)];
        int n = term_input_feed(&t, (const unsigned char *)"\x1b", 1, 5.0, out);
        double d = term_input_deadline(&t);
        CHECK(n == 0 && d > 5.0 && d <= 5.0 + TERM_INPUT_ESC_WAIT_DEFAULT + 1e-9,
              "ESC waits (deadline %.3f s later)", d - 5.0);
        n = term_input_flush(&t, 5.0 + TERM_INPUT_ESC_WAIT_DEFAULT / 2, out);
        CHECK(n == 0, "... nothing before the wait is over");
        n = term_input_flush(&t, 5.0 + TERM_INPUT_ESC_WAIT_DEFAULT, out);
        CHECK(n == 1 && out[0].key == 0x1b, "... Escape when it is over");
        CHECK(term_input_deadline(&t) < 0, "... then nothing is pending");
        n = term_input_feed(&t, (const unsigned char *)"\x1b\x1b", 2, 9.0, out);
        CHECK(n == 1 && out[0].key == 0x1b, "ESC ESC gives Escape at once");
    }
    {
        Term_input t;
        term_input_init(&t, 0);
        const char *chunks[] = {"\x1b", "q"};
        double times[] = {1.0, 1.0 + TERM_INPUT_ESC_WAIT_DEFAULT + 0.05};
        run(&t, chunks, times, 2, &e);
        CHECK(e.n == 2 && e.ev[0].key == 0x1b && e.ev[1].key == 'q', "ESC, a pause, q: Escape then q");
    }
    CHECK(term_input_esc_wait_from("50") == 0.05 && term_input_esc_wait_from(NULL) == TERM_INPUT_ESC_WAIT_DEFAULT &&
              term_input_esc_wait_from("x") == TERM_INPUT_ESC_WAIT_DEFAULT &&
              term_input_esc_wait_from("0") == TERM_INPUT_ESC_WAIT_DEFAULT,
          "ESCDELAY in ms sets the wait; bad values give the default");
    split_keys("\x1b[A", 0.08, 0.05, &e);
    CHECK(e.n >= 1 && e.ev[0].key == 0x1b, "with ESCDELAY=50 an 80 ms gap splits ESC from [ (the user's choice)");

    /* ---- plain keys, control keys and UTF-8 bytes pass through ---- */
    keys_of("a[]{}q\x13\x7f\xc3\xa9", &e);
    int ok = e.n == 10;
    const unsigned char want[] = {'a', '[', ']', '{', '}', 'q', 0x13, 0x7f, 0xc3, 0xa9};
    for (int i = 0; ok && i < 10; i++)
        ok = e.ev[i].type == TERM_EVENT_KEY && e.ev[i].key == want[i];
    CHECK(ok, "plain, control and UTF-8 bytes are keys as they are");

    /* ---- bracketed paste (item 3) ---- */
    const char *note = "Practice: [ ] { } at 120 bpm, then e E p P o O y Y; x X u U q q\r\nmore \x1b[A text";
    char paste[512];
    snprintf(paste, sizeof paste, "a\x1b[200~%s\x1b[201~s", note);
    keys_of(paste, &e);
    int begin = 0, end = 0, text = 0, keys = 0, order = 1;
    char got[512];
    for (int i = 0; i < e.n; i++) {
        if (e.ev[i].type == TERM_EVENT_PASTE_BEGIN)
            begin++;
        else if (e.ev[i].type == TERM_EVENT_PASTE_END)
            end++;
        else if (e.ev[i].type == TERM_EVENT_PASTE && text < 511)
            got[text++] = (char)e.ev[i].key;
        else if (e.ev[i].type == TERM_EVENT_KEY)
            keys++, order &= (keys == 1 && e.ev[i].key == 'a' && !begin) || (keys == 2 && e.ev[i].key == 's' && end);
    }
    got[text] = 0;
    CHECK(begin == 1 && end == 1, "a paste has one begin and one end");
    CHECK(!strcmp(got, note), "the pasted text comes through as text, escapes and all (%d bytes)", text);
    CHECK(keys == 2 && order, "only the keys before and after the paste are keys (%d)", keys);
    /* the paste's end marker split across reads, and a false start inside the text */
    {
        Term_input t;
        term_input_init(&t, 0);
        const char *chunks[] = {"\x1b[200~ab\x1b[20", "0x\x1b[2", "01", "~q"};
        double times[] = {1.0, 1.1, 1.2, 1.3};
        run(&t, chunks, times, 4, &e);
        char txt[32];
        int tn = 0, k = 0;
        for (int i = 0; i < e.n; i++) {
            if (e.ev[i].type == TERM_EVENT_PASTE && tn < 31)
                txt[tn++] = (char)e.ev[i].key;
            if (e.ev[i].type == TERM_EVENT_KEY)
                k = e.ev[i].key;
        }
        txt[tn] = 0;
        CHECK(!strcmp(txt, "ab\x1b[200x"), "a split end marker and a false start inside the text");
        CHECK(k == 'q', "the key after the paste is a key");
    }
    /* a status answer that lands inside a paste (a paste in two reads over a link, the TUI's
     * ESC [ 5 n answered between them) is the answer, not text: it was text, so a file name
     * pasted into ^S got "[0n" in it and the screen waited 10 s for the lost answer */
    {
        Term_input t;
        term_input_init(&t, 0);
        const char *chunks[] = {"\x1b[200~abc", "\x1b[0n", "d\x1b[0ne\x1b[0", "f\x1b[201~]"};
        double times[] = {1.0, 1.3, 1.6, 1.9};
        run(&t, chunks, times, 4, &e);
        char txt[32];
        int tn = 0, ok_n = 0, end_n = 0, k = 0;
        for (int i = 0; i < e.n; i++) {
            if (e.ev[i].type == TERM_EVENT_PASTE && tn < 31)
                txt[tn++] = (char)e.ev[i].key;
            ok_n += e.ev[i].type == TERM_EVENT_STATUS_OK;
            end_n += e.ev[i].type == TERM_EVENT_PASTE_END;
            if (e.ev[i].type == TERM_EVENT_KEY)
                k = e.ev[i].key;
        }
        txt[tn] = 0;
        CHECK(!strcmp(txt, "abcde\x1b[0f") && ok_n == 2, "status answers inside a paste are answers (text '%s', %d answers)",
              txt, ok_n);
        CHECK(end_n == 1 && k == ']', "... and the paste ends, the key after it a key");
    }
    /* a paste whose end never comes ends after TERM_INPUT_PASTE_WAIT of silence */
    keys_of("\x1b[200~abc", &e);
    CHECK(e.n == 5 && e.ev[4].type == TERM_EVENT_PASTE_END, "a paste with a lost end marker ends by itself");

    /* ---- the terminal's replies ---- */
    keys_of("\x1b[12;3R", &e);
    CHECK(e.n == 1 && e.ev[0].type == TERM_EVENT_CURSOR && e.ev[0].row == 12 && e.ev[0].col == 3,
          "a cursor position report (row 12, column 3)");
    keys_of("\x1b[0n", &e);
    CHECK(e.n == 1 && e.ev[0].type == TERM_EVENT_STATUS_OK, "the status report 'OK'");
    split_keys("\x1b[24;80R", 0.2, 0, &e);
    CHECK(e.n == 1 && e.ev[0].type == TERM_EVENT_CURSOR && e.ev[0].col == 80, "a split cursor report");

    /* ---- random bytes never crash and never overflow the event room ---- */
    srand(12);
    int sane = 1;
    Term_input t;
    term_input_init(&t, 0);
    for (int round = 0; round < 20000; round++) {
        unsigned char buf[64];
        int n = 1 + rand() % 64;
        for (int i = 0; i < n; i++) {
            int r = rand() % 10;
            buf[i] = r < 3 ? 0x1b : r < 5 ? (unsigned char)"[O~;0123456789ABCDHFR~n"[rand() % 23] : (unsigned char)(rand() & 255);
        }
        Term_event out[TERM_INPUT_EVENTS_MAX(64)];
        int k = term_input_feed(&t, buf, n, round * 0.01 * (rand() % 50), out);
        sane &= k >= 0 && k <= TERM_INPUT_EVENTS_MAX(n);
        k = term_input_flush(&t, round * 0.5, out);
        sane &= k >= 0 && k <= TERM_INPUT_FLUSH_MAX;
    }
    CHECK(sane, "20000 random chunks: event counts within the documented room");
    return check_summary();
}
