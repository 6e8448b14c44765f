/* term_input.h - the terminal key decoder: bytes and their arrival times in, keys out.
 *
 * Terminals and SSH links send keys as escape sequences in many dialects and may split them:
 * Home is ESC [ 1 ~ (PuTTY, tmux, the Linux console), ESC [ H (xterm), ESC O H (application
 * mode), ESC [ 7 ~ (rxvt); Up is ESC [ A or ESC O A; modifiers ride along (ESC [ 1 ; 5 A).
 * This decoder knows them all and guarantees that the bytes of a sequence never come out as
 * plain keys: a recognised sequence is one key, an unrecognised or incomplete one is dropped
 * (and counted), however far apart its bytes arrive.
 *
 * Timing. A lone ESC is the Escape key only when nothing follows it within esc_wait seconds
 * (ESCDELAY, default TERM_INPUT_ESC_WAIT_DEFAULT); ESC ESC gives Escape at once. After
 * ESC [ or ESC O the decoder waits up to TERM_INPUT_SEQ_WAIT for the rest. ESC and a
 * printable byte in the same read are Alt+key (a terminal writes the two at once): one KEY
 * event with alt set, never the plain key (groove binds no Alt key; the TUI says so). A
 * printable byte in a later read within the wait is Escape and then that key (Esc pressed,
 * then q: both count). ESC followed by a control byte is Escape and then that key.
 *
 * Also decoded: bracketed paste (ESC [ 200 ~ text ESC [ 201 ~) as PASTE_BEGIN, PASTE bytes,
 * PASTE_END, so pasted text is never taken for commands; cursor position reports
 * (ESC [ row ; col R) and the "terminal OK" status report (ESC [ 0 n), the replies to the
 * queries the TUI sends to measure glyph widths and how far behind the screen is.
 *
 * Pure: no curses, no I/O, no clock. The caller owns the struct; one thread.
 */
#ifndef GROOVE_TERM_INPUT_H
#define GROOVE_TERM_INPUT_H

#define TERM_INPUT_ESC_WAIT_DEFAULT 0.3  /* seconds a lone ESC waits for the rest of a key */
#define TERM_INPUT_SEQ_WAIT 3.0          /* seconds an ESC [ or ESC O waits for its end */
#define TERM_INPUT_PASTE_WAIT 3.0        /* seconds of silence that end a paste whose end got lost */
#define TERM_INPUT_SEQ_MAX 32            /* longest sequence kept (longer ones are dropped) */

/* Keys above the byte range; bytes 0..255 are themselves (control keys, ASCII, UTF-8 bytes,
 * 27 for the Escape key). */
enum {
    TERM_KEY_UP = 0x200,
    TERM_KEY_DOWN,
    TERM_KEY_LEFT,
    TERM_KEY_RIGHT,
    TERM_KEY_HOME,
    TERM_KEY_END,
    TERM_KEY_INSERT,
    TERM_KEY_DELETE,
    TERM_KEY_PAGE_UP,
    TERM_KEY_PAGE_DOWN,
    TERM_KEY_BACKTAB,      /* Shift-Tab */
    TERM_KEY_KEYPAD_ENTER, /* ESC O M */
    TERM_KEY_FUNCTION,     /* F1..F20 (value in Term_event.row) */
};

typedef enum {
    TERM_EVENT_KEY,          /* key: a byte or a TERM_KEY_* */
    TERM_EVENT_PASTE_BEGIN,  /* a bracketed paste starts */
    TERM_EVENT_PASTE,        /* key: one byte of pasted text */
    TERM_EVENT_PASTE_END,    /* the paste ends */
    TERM_EVENT_CURSOR,       /* row, col (1-based): a cursor position report */
    TERM_EVENT_STATUS_OK,    /* the terminal answered a status request (ESC [ 5 n) */
} Term_event_type;

typedef struct {
    Term_event_type type;
    int key;                 /* KEY, PASTE */
    int row, col;            /* CURSOR; row = n for TERM_KEY_FUNCTION Fn */
    int alt;                 /* KEY: 1 for Alt+key (ESC and a printable byte at once) */
} Term_event;

typedef struct {
    int state;                          /* private: where in a sequence the decoder is */
    unsigned char seq[TERM_INPUT_SEQ_MAX];
    int seq_len;
    double seq_time;                    /* arrival of the sequence's last byte, s */
    int mouse_left;                     /* raw bytes of an X10 mouse report still to skip */
    int pasting;                        /* inside a bracketed paste */
    int paste_match;                    /* bytes held inside a paste: a start of the end marker
                                         * ESC [ 2 0 1 ~ or of a status answer ESC [ 0 n */
    unsigned char paste_held[8];        /* those bytes */
    double paste_time;                  /* arrival of the paste's last byte, s */
    double esc_wait;                    /* s, see above */
    int esc_fresh;                      /* the pending ESC came in the read being decoded */
    unsigned long dropped;              /* sequences dropped (unknown, too long, timed out) */
} Term_input;

/* Starts a decoder; esc_wait in seconds (<= 0: the default). */
void term_input_init(Term_input *t, double esc_wait);

/* ESC wait from an ESCDELAY value in milliseconds (as ncurses reads it): 1..10000 ms, else
 * the default. NULL gives the default. Seconds. */
double term_input_esc_wait_from(const char *escdelay_ms);

/* Room for the events of n bytes (what term_input_feed may write). */
#define TERM_INPUT_EVENTS_MAX(n) (2 * (n) + 16)
/* Room for the events of term_input_flush. */
#define TERM_INPUT_FLUSH_MAX 8

/* Decodes n bytes that arrived at `now` (seconds, any monotonic clock). Writes at most
 * TERM_INPUT_EVENTS_MAX(n) events to out and returns their number. */
int term_input_feed(Term_input *t, const unsigned char *bytes, int n, double now, Term_event *out);

/* Time passes with no byte: gives the lone ESC whose wait is over, drops a sequence whose wait
 * is over, ends a paste silent for TERM_INPUT_PASTE_WAIT. At most TERM_INPUT_FLUSH_MAX events;
 * returns their number. */
int term_input_flush(Term_input *t, double now, Term_event *out);

/* When term_input_flush has something to do (seconds, the same clock), or -1 for never. */
double term_input_deadline(const Term_input *t);

#endif
