/* term_input.c - the terminal key decoder (see term_input.h). */
#include "term_input.h"

#include <stdlib.h>
#include <string.h>

enum {
    STATE_GROUND,   /* between keys */
    STATE_ESC,      /* after ESC */
    STATE_CSI,      /* after ESC [ (parameters in seq) */
    STATE_SS3,      /* after ESC O */
    STATE_LINUX_F,  /* after ESC [ [ (Linux console F1..F5) */
};

static const char paste_end_marker[] = "\x1b[201~";
#define PASTE_END_LEN 6

void term_input_init(Term_input *t, double esc_wait)
{
    *t = (Term_input){0};
    t->esc_wait = esc_wait > 0 ? esc_wait : TERM_INPUT_ESC_WAIT_DEFAULT;
}

double term_input_esc_wait_from(const char *escdelay_ms)
{
    if (!escdelay_ms || !*escdelay_ms)
        return TERM_INPUT_ESC_WAIT_DEFAULT;
    char *end;
    long ms = strtol(escdelay_ms, &end, 10);
    if (*end || ms < 1 || ms > 10000)
        return TERM_INPUT_ESC_WAIT_DEFAULT;
    return (double)ms / 1000.0;
}

/* ------------------------------------------------------------- emitting -- */

static int emit(Term_event *out, int n, Term_event_type type, int key)
{
    out[n] = (Term_event){type, key, 0, 0, 0};
    return n + 1;
}

/* Drops the sequence being read. */
static void drop(Term_input *t)
{
    t->dropped++;
    t->state = STATE_GROUND;
    t->seq_len = 0;
}

/* ------------------------------------------------------------- decoding -- */

/* The numeric parameters of seq (";"-separated, missing = 0); returns how many. */
static int parse_params(const Term_input *t, int *p, int max)
{
    int n = 0, cur = 0, any = 0;
    for (int i = 0; i < t->seq_len; i++) {
        unsigned char c = t->seq[i];
        if (c >= '0' && c <= '9') {
            cur = cur * 10 + (c - '0');
            if (cur > 100000)
                cur = 100000;
            any = 1;
        } else if (c == ';' || c == ':') {
            if (n < max)
                p[n] = cur;
            n++;
            cur = 0;
            any = 1;
        } else {
            return -1;   /* a private marker (<, =, >, ?) or an intermediate byte */
        }
    }
    if (any) {
        if (n < max)
            p[n] = cur;
        n++;
    }
    return n;
}

/* The key of an ESC [ n ~ form (also rxvt's $ ^ @ finals), or 0. */
static int tilde_key(int n, int *fn)
{
    switch (n) {
    case 1: case 7: return TERM_KEY_HOME;
    case 4: case 8: return TERM_KEY_END;
    case 2: return TERM_KEY_INSERT;
    case 3: return TERM_KEY_DELETE;
    case 5: return TERM_KEY_PAGE_UP;
    case 6: return TERM_KEY_PAGE_DOWN;
    default: break;
    }
    static const int fkeys[][2] = {{11, 1}, {12, 2}, {13, 3}, {14, 4}, {15, 5}, {17, 6}, {18, 7}, {19, 8}, {20, 9},
                                   {21, 10}, {23, 11}, {24, 12}, {25, 13}, {26, 14}, {28, 15}, {29, 16},
                                   {31, 17}, {32, 18}, {33, 19}, {34, 20}};
    for (size_t i = 0; i < sizeof fkeys / sizeof fkeys[0]; i++)
        if (fkeys[i][0] == n) {
            *fn = fkeys[i][1];
            return TERM_KEY_FUNCTION;
        }
    return 0;
}

/* Arrows and Home/End by their final letter (CSI or SS3), or 0. */
static int letter_key(unsigned char f)
{
    switch (f) {
    case 'A': case 'a': return TERM_KEY_UP;
    case 'B': case 'b': return TERM_KEY_DOWN;
    case 'C': case 'c': return TERM_KEY_RIGHT;
    case 'D': case 'd': return TERM_KEY_LEFT;
    case 'H': return TERM_KEY_HOME;
    case 'F': return TERM_KEY_END;
    default: return 0;
    }
}

/* Ends an ESC [ ... final sequence: one event, or none (dropped). */
static int finish_csi(Term_input *t, unsigned char f, Term_event *out, int n)
{
    int p[4] = {0, 0, 0, 0};
    int np = parse_params(t, p, 4);
    t->state = STATE_GROUND;
    t->seq_len = 0;
    if (np < 0) {
        t->dropped++;
        return n;
    }
    int key = 0, fn = 0;
    if (f == '~' || f == '$' || f == '^' || f == '@') {
        if (f == '~' && np >= 1 && p[0] == 200) {
            t->pasting = 1;
            t->paste_match = 0;
            t->paste_time = t->seq_time;
            return emit(out, n, TERM_EVENT_PASTE_BEGIN, 0);
        }
        key = np >= 1 ? tilde_key(p[0], &fn) : 0;
    } else if (f == 'R' && np == 2) {
        out[n] = (Term_event){TERM_EVENT_CURSOR, 0, p[0], p[1], 0};
        return n + 1;
    } else if (f == 'n' && np == 1 && p[0] == 0) {
        return emit(out, n, TERM_EVENT_STATUS_OK, 0);
    } else if (f == 'M' && np == 0) {
        t->mouse_left = 3;   /* X10 mouse report: three raw bytes follow */
        return n;
    } else if (f == 'Z') {
        key = TERM_KEY_BACKTAB;
    } else if (f == 'P' || f == 'Q' || f == 'R' || f == 'S') {
        key = TERM_KEY_FUNCTION;
        fn = 1 + (f - 'P');
    } else {
        key = letter_key(f);
    }
    if (!key) {
        t->dropped++;
        return n;
    }
    out[n] = (Term_event){TERM_EVENT_KEY, key, fn, 0, 0};
    return n + 1;
}

/* Ends an ESC O final sequence. */
static int finish_ss3(Term_input *t, unsigned char f, Term_event *out, int n)
{
    t->state = STATE_GROUND;
    t->seq_len = 0;
    int key = letter_key(f), fn = 0;
    static const char keypad[] = "*+,-./0123456789";   /* ESC O j .. ESC O y */
    if (!key) {
        if (f >= 'P' && f <= 'S') {
            key = TERM_KEY_FUNCTION;
            fn = 1 + (f - 'P');
        } else if (f == 'M') {
            key = TERM_KEY_KEYPAD_ENTER;
        } else if (f >= 'j' && f <= 'y') {
            key = (unsigned char)keypad[f - 'j'];
        } else if (f == 'X') {
            key = '=';
        }
    }
    if (!key) {
        t->dropped++;
        return n;
    }
    out[n] = (Term_event){TERM_EVENT_KEY, key, fn, 0, 0};
    return n + 1;
}

/* A status answer (ESC [ 0 n) inside a paste: the TUI's request answered between two reads of
 * a paste that came over a link in parts. It is the answer, not text. */
static const char paste_status_answer[] = "\x1b[0n";
#define PASTE_STATUS_LEN 4

/* One byte of a bracketed paste: text, or part of the end marker or of a status answer. */
static int paste_byte(Term_input *t, unsigned char b, Term_event *out, int n)
{
    t->paste_held[t->paste_match++] = b;
    for (;;) {
        int m = t->paste_match;
        const unsigned char *h = t->paste_held;
        int end_prefix = memcmp(h, paste_end_marker, (size_t)m) == 0;
        int status_prefix = m <= PASTE_STATUS_LEN && memcmp(h, paste_status_answer, (size_t)m) == 0;
        if (end_prefix && m == PASTE_END_LEN) {
            t->pasting = 0;
            t->paste_match = 0;
            return emit(out, n, TERM_EVENT_PASTE_END, 0);
        }
        if (status_prefix && m == PASTE_STATUS_LEN) {
            t->paste_match = 0;
            return emit(out, n, TERM_EVENT_STATUS_OK, 0);
        }
        if (end_prefix || status_prefix)
            return n;   /* held until the next byte tells */
        /* a false start: the first byte held is text; the rest is tried again */
        n = emit(out, n, TERM_EVENT_PASTE, h[0]);
        memmove(t->paste_held, t->paste_held + 1, (size_t)(m - 1));
        if (--t->paste_match == 0)
            return n;
    }
}

/* One byte, after the timeouts are applied. */
static int feed_byte(Term_input *t, unsigned char b, Term_event *out, int n)
{
    if (t->pasting)
        return paste_byte(t, b, out, n);
    if (t->mouse_left > 0) {
        t->mouse_left--;
        return n;
    }
    switch (t->state) {
    case STATE_GROUND:
        if (b == 0x1b) {
            t->state = STATE_ESC;
            t->esc_fresh = 1;
            return n;
        }
        return emit(out, n, TERM_EVENT_KEY, b);
    case STATE_ESC:
        if (b == '[') {
            t->state = STATE_CSI;
            t->seq_len = 0;
        } else if (b == 'O') {
            t->state = STATE_SS3;
            t->seq_len = 0;
        } else if (b >= 0x20 && b < 0x7f && t->esc_fresh) {
            /* ESC and a printable byte in one read: Alt+key (a terminal writes the two at
             * once), one event marked alt - never the plain key */
            t->state = STATE_GROUND;
            n = emit(out, n, TERM_EVENT_KEY, b);
            out[n - 1].alt = 1;
        } else if (b >= 0x20 && b < 0x7f) {
            /* a printable byte in a later read, before esc_wait: Esc pressed, then the key
             * (a person is never that fast, a test driver or a paste of keys may be) */
            t->state = STATE_GROUND;
            n = emit(out, n, TERM_EVENT_KEY, 0x1b);
            return feed_byte(t, b, out, n);
        } else {
            /* Escape, then a control key typed soon after it: Escape now, and the byte as what
             * it is (ESC ESC: the second one waits) */
            t->state = STATE_GROUND;
            n = emit(out, n, TERM_EVENT_KEY, 0x1b);
            return feed_byte(t, b, out, n);
        }
        return n;
    case STATE_CSI:
        if (t->seq_len == 0 && b == '[') {
            t->state = STATE_LINUX_F;
            return n;
        }
        if (b == '$') {   /* rxvt's shifted keys end in '$'; elsewhere '$' is an intermediate */
            int digits = t->seq_len > 0;
            for (int i = 0; i < t->seq_len; i++)
                digits &= t->seq[i] >= '0' && t->seq[i] <= '9';
            if (digits)
                return finish_csi(t, b, out, n);
        }
        if (b >= 0x20 && b <= 0x3f) {
            if (t->seq_len < TERM_INPUT_SEQ_MAX)
                t->seq[t->seq_len++] = b;
            else
                t->seq[TERM_INPUT_SEQ_MAX - 1] = '?';   /* too long: dropped at its end */
            return n;
        }
        if (b >= 0x40 && b <= 0x7e)
            return finish_csi(t, b, out, n);
        break;
    case STATE_SS3:
        if (b >= '0' && b <= '9' && t->seq_len < TERM_INPUT_SEQ_MAX) {
            t->seq[t->seq_len++] = b;   /* old modifier form ESC O 5 A */
            return n;
        }
        if (b >= 0x40 && b <= 0x7e)
            return finish_ss3(t, b, out, n);
        break;
    case STATE_LINUX_F:
        t->state = STATE_GROUND;
        if (b >= 'A' && b <= 'E') {
            out[n] = (Term_event){TERM_EVENT_KEY, TERM_KEY_FUNCTION, 1 + (b - 'A'), 0, 0};
            return n + 1;
        }
        t->dropped++;
        return n;
    default:
        break;
    }
    /* A byte that cannot be part of the sequence: the sequence is dropped; a control key or
     * a new ESC is still what it is. */
    drop(t);
    if (b == 0x1b) {
        t->state = STATE_ESC;
        return n;
    }
    if (b < 0x20 || b == 0x7f)
        return emit(out, n, TERM_EVENT_KEY, b);
    return n;
}

int term_input_flush(Term_input *t, double now, Term_event *out)
{
    int n = 0;
    if (t->state == STATE_ESC && now - t->seq_time >= t->esc_wait - 1e-9) {
        t->state = STATE_GROUND;
        n = emit(out, n, TERM_EVENT_KEY, 0x1b);
    } else if (t->state != STATE_GROUND && t->state != STATE_ESC && now - t->seq_time >= TERM_INPUT_SEQ_WAIT) {
        drop(t);
    }
    if (t->mouse_left > 0 && now - t->seq_time >= TERM_INPUT_SEQ_WAIT)
        t->mouse_left = 0;
    if (t->pasting && now - t->paste_time >= TERM_INPUT_PASTE_WAIT) {
        /* the end marker never came: what was held of it is text, and the paste is over */
        for (int i = 0; i < t->paste_match; i++)
            n = emit(out, n, TERM_EVENT_PASTE, t->paste_held[i]);
        t->pasting = 0;
        t->paste_match = 0;
        n = emit(out, n, TERM_EVENT_PASTE_END, 0);
    }
    return n;
}

int term_input_feed(Term_input *t, const unsigned char *bytes, int count, double now, Term_event *out)
{
    int n = 0;
    if (count <= 0)
        return 0;
    Term_event late[TERM_INPUT_FLUSH_MAX];
    int k = term_input_flush(t, now, late);
    for (int i = 0; i < k; i++)
        out[n++] = late[i];
    for (int i = 0; i < count; i++)
        n = feed_byte(t, bytes[i], out, n);
    t->esc_fresh = 0;   /* an ESC still pending came in an earlier read from now on */
    t->seq_time = now;
    if (t->pasting)
        t->paste_time = now;
    return n;
}

double term_input_deadline(const Term_input *t)
{
    double d = -1;
    if (t->state == STATE_ESC)
        d = t->seq_time + t->esc_wait;
    else if (t->state != STATE_GROUND || t->mouse_left > 0)
        d = t->seq_time + TERM_INPUT_SEQ_WAIT;
    if (t->pasting) {
        double p = t->paste_time + TERM_INPUT_PASTE_WAIT;
        if (d < 0 || p < d)
            d = p;
    }
    return d;
}
