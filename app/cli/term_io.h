/* term_io.h - the TUI's terminal link: keys in, frames out, paced to what the link carries.
 *
 * Keys. The terminal's bytes are read here (not by curses) and decoded by term_input.h, so
 * every dialect of Home, End and the arrows is one key, split sequences are joined, and an
 * unknown sequence is never plain keys. Bracketed paste is switched on (ESC [ ? 2004 h): a
 * paste arrives as PASTE events, never as commands. A lone Escape waits ESCDELAY ms (default
 * 300) for the rest of a sequence; Esc Esc acts at once.
 *
 * A dead terminal. End of file or an I/O error on the terminal (the link dropped and no
 * SIGHUP came) sets `gone`; the TUI then saves and exits as on SIGHUP. Nothing is retried.
 *
 * Frames. The TUI composes the screen (curses, no output yet) as often as it likes and calls
 * term_io_present: a frame is sent only when it differs from the last one sent, and only when
 * the terminal has shown the last one: after each frame the terminal is asked for a status
 * report (ESC [ 5 n), which it answers (ESC [ 0 n) only once it has processed every byte
 * before it. Until then frames are skipped, never keys, so on a slow link the screen is at
 * most one frame plus a round trip behind. A terminal that never answers is paced by time.
 *
 * Glyphs. term_io_probe_glyph_width asks the terminal where the cursor ends after two
 * East-Asian-ambiguous glyphs (· and ▆): 2 columns means they are narrow; more means the
 * terminal draws them wide and the TUI falls back to ASCII.
 *
 * Control thread only. term_io_restore is async-signal-safe (write(2) only).
 */
#ifndef GROOVE_TERM_IO_H
#define GROOVE_TERM_IO_H

#include <stdint.h>

#include "term_input.h"

#define TERM_IO_FRAME_MIN_S (1.0 / 30)  /* frames at most 30 per second */
#define TERM_IO_PING_UNANSWERED_S 1.0   /* a terminal that has never answered is paced by this */
#define TERM_IO_PING_GIVE_UP_S 10.0     /* an answer this late is taken as lost */

typedef struct {
    int in_fd, out_fd;
    Term_input decoder;
    Term_event pending[64];     /* events read during the glyph probe, handed out first */
    int n_pending;
    int gone;                   /* 1: end of file or an I/O error on the terminal */
    /* pacing */
    int pings_out;              /* status requests not answered yet */
    double ping_sent;           /* when the oldest unanswered one was sent, s */
    int answered;               /* the terminal has answered a request or a cursor query */
    int unanswered;             /* requests given up on in a row (never answered) */
    double last_present;        /* s */
    int frames, frames_skipped; /* presented, and composed but held back by the gate */
    void *shown;                /* the last frame sent (cells), for change detection */
    int shown_rows, shown_cols;
    /* glyph width */
    int glyph_wide;             /* -1 unknown, 0 narrow, 1 ambiguous glyphs are wide */
    int probing;                /* a cursor query is out */
    double probe_sent;
} Term_io;

/* Starts reading keys from in_fd (the terminal), output through curses to out_fd. Installs
 * the SIGWINCH handler (before curses starts, so curses does not install its own). */
void term_io_init(Term_io *io, int in_fd, int out_fd);
void term_io_deinit(Term_io *io);

/* Asks the terminal how wide the ambiguous glyphs are, before curses starts: raw mode for up
 * to wait_s seconds, a query written at the cursor and erased again. Keys typed meanwhile are
 * kept. Sets and returns io->glyph_wide (-1 when the terminal did not answer in time; a later
 * answer is still taken by term_io_read). */
int term_io_probe_glyph_width(Term_io *io, double wait_s);

/* Switches bracketed paste on (after curses has started). */
void term_io_start(Term_io *io);
/* Before the terminal is given back: waits up to wait_s seconds until the terminal has answered
 * every status request (one more is sent, answered after all before it), reading and dropping
 * what comes meanwhile, so no late answer (ESC [ 0 n) reaches the shell as typed text. Does
 * nothing for a terminal that is gone or has never answered. */
void term_io_finish(Term_io *io, double wait_s);
/* Switches bracketed paste off again (async-signal-safe; idempotent). */
void term_io_restore(int out_fd);

/* Waits up to wait_s seconds for input and decodes it: key and paste events into out (room for
 * max, at least TERM_INPUT_EVENTS_MAX(256)), their number returned. Status reports and cursor
 * reports are taken here. On end of file or an I/O error sets io->gone and returns 0. */
int term_io_read(Term_io *io, double wait_s, Term_event *out, int max);

/* 1 once after the terminal was resized; the curses screen has the new size then. */
int term_io_resized(Term_io *io);

/* Sends the frame composed in curses (wnoutrefresh done) when it differs from the last one
 * sent and the terminal has caught up; force sends it regardless of change (after a resize).
 * Returns 1 when a frame was sent. */
int term_io_present(Term_io *io, double now, int force);

#endif
