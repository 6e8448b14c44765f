/* term_io.c - the TUI's terminal link: keys in, paced frames out (see term_io.h). */
#define _XOPEN_SOURCE_EXTENDED 1
#include "term_io.h"

#include <curses.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"

static volatile sig_atomic_t resize_pending;

static void on_winch(int sig)
{
    (void)sig;
    resize_pending = 1;
}

/* Writes all of s (async-signal-safe); 0, or -1 when the terminal is gone. */
static int write_all(int fd, const char *s, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, s, n);
        if (w > 0) {
            s += w;
            n -= (size_t)w;
        } else if (w < 0 && errno == EINTR) {
            continue;
        } else if (w < 0 && errno == EAGAIN) {
            struct pollfd p = {fd, POLLOUT, 0};
            if (poll(&p, 1, 1000) <= 0)
                return -1;
        } else {
            return -1;
        }
    }
    return 0;
}

void term_io_init(Term_io *io, int in_fd, int out_fd)
{
    memset(io, 0, sizeof *io);
    io->in_fd = in_fd;
    io->out_fd = out_fd;
    io->glyph_wide = -1;
    term_input_init(&io->decoder, term_input_esc_wait_from(getenv("ESCDELAY")));
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_winch;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGWINCH, &sa, NULL);
}

void term_io_deinit(Term_io *io)
{
    free(io->shown);
    io->shown = NULL;
}

void term_io_start(Term_io *io)
{
    if (write_all(io->out_fd, "\x1b[?2004h", 8) != 0)
        io->gone = 1;
}

void term_io_restore(int out_fd)
{
    static const char off[] = "\x1b[?2004l";
    ssize_t w = write(out_fd, off, sizeof off - 1);
    (void)w;
}

/* ------------------------------------------------------------- reading -- */

/* Takes the replies to our queries; passes keys and paste events on. */
static int sort_events(Term_io *io, const Term_event *ev, int n, double now, Term_event *out, int max)
{
    int k = 0;
    for (int i = 0; i < n; i++) {
        if (ev[i].type == TERM_EVENT_STATUS_OK) {
            io->answered = 1;
            io->unanswered = 0;
            if (io->pings_out > 0 && --io->pings_out > 0)
                io->ping_sent = now;
        } else if (ev[i].type == TERM_EVENT_CURSOR) {
            if (io->probing) {
                /* the query went out after "\r" and two glyphs: narrow ones leave column 3 */
                io->glyph_wide = ev[i].col > 3;
                io->probing = 0;
            }
            io->answered = 1;
        } else if (k < max) {
            out[k++] = ev[i];
        }
    }
    return k;
}

/* Reads what is there (waiting up to wait_s); decodes into out. -1 when the terminal is gone. */
static int read_decode(Term_io *io, double wait_s, Term_event *out, int max)
{
    double now = clock_seconds();
    double deadline = term_input_deadline(&io->decoder);
    if (deadline >= 0 && deadline - now < wait_s)
        wait_s = deadline - now;
    if (wait_s < 0)
        wait_s = 0;
    struct pollfd p = {io->in_fd, POLLIN, 0};
    int ready = poll(&p, 1, (int)(wait_s * 1000.0 + 0.999));
    if (ready < 0 && errno != EINTR)
        return -1;
    now = clock_seconds();
    Term_event ev[TERM_INPUT_EVENTS_MAX(256)];
    int n = 0;
    if (ready > 0) {
        unsigned char buf[256];
        ssize_t got = read(io->in_fd, buf, sizeof buf);
        if (got == 0)
            return -1;   /* end of file: the terminal is gone */
        if (got < 0) {
            if (errno != EINTR && errno != EAGAIN)
                return -1;   /* EIO: hung up */
        } else {
            n = term_input_feed(&io->decoder, buf, (int)got, now, ev);
        }
    } else {
        n = term_input_flush(&io->decoder, now, ev);
    }
    return sort_events(io, ev, n, now, out, max);
}

int term_io_read(Term_io *io, double wait_s, Term_event *out, int max)
{
    if (io->gone)
        return 0;
    int k = 0;
    if (io->n_pending) {
        for (k = 0; k < io->n_pending && k < max; k++)
            out[k] = io->pending[k];
        io->n_pending = 0;
        wait_s = 0;
    }
    int n = read_decode(io, wait_s, out + k, max - k);
    if (n < 0) {
        io->gone = 1;
        return k;
    }
    if (io->probing && clock_seconds() - io->probe_sent > TERM_IO_PING_GIVE_UP_S)
        io->probing = 0;
    return k + n;
}

void term_io_finish(Term_io *io, double wait_s)
{
    if (io->gone || !io->answered || io->unanswered >= 3)
        return;
    if (write_all(io->out_fd, "\x1b[5n", 4) != 0) {
        io->gone = 1;
        return;
    }
    io->pings_out++;
    double end = clock_seconds() + wait_s;
    Term_event ev[TERM_INPUT_EVENTS_MAX(256)];
    for (;;) {
        double left = end - clock_seconds();
        if (io->pings_out <= 0 || io->gone || left <= 0)
            break;
        term_io_read(io, left, ev, TERM_INPUT_EVENTS_MAX(256));   /* keys now are dropped */
    }
}

int term_io_probe_glyph_width(Term_io *io, double wait_s)
{
    struct termios saved, raw;
    if (tcgetattr(io->in_fd, &saved) != 0)
        return io->glyph_wide;
    raw = saved;
    raw.c_lflag &= ~(tcflag_t)(ICANON | ECHO);
    raw.c_cc[VMIN] = 0;
    raw.c_cc[VTIME] = 0;
    tcsetattr(io->in_fd, TCSANOW, &raw);
    static const char query[] = "\r\xc2\xb7\xe2\x96\x86\x1b[6n";   /* CR, U+00B7, U+2586, where am I? */
    if (write_all(io->out_fd, query, sizeof query - 1) != 0) {
        io->gone = 1;
    } else {
        io->probing = 1;
        io->probe_sent = clock_seconds();
        while (io->probing && !io->gone && clock_seconds() - io->probe_sent < wait_s) {
            Term_event ev[TERM_INPUT_EVENTS_MAX(256)];
            int n = read_decode(io, 0.02, ev, TERM_INPUT_EVENTS_MAX(256));
            if (n < 0)
                io->gone = 1;
            for (int i = 0; i < n && io->n_pending < (int)(sizeof io->pending / sizeof io->pending[0]); i++)
                io->pending[io->n_pending++] = ev[i];
        }
        if (write_all(io->out_fd, "\r\x1b[K", 4) != 0)
            io->gone = 1;
    }
    tcsetattr(io->in_fd, TCSANOW, &saved);
    return io->glyph_wide;
}

int term_io_resized(Term_io *io)
{
    if (!resize_pending)
        return 0;
    resize_pending = 0;
    struct winsize ws;
    if (ioctl(io->out_fd, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 && ws.ws_col > 0)
        resize_term(ws.ws_row, ws.ws_col);
    clearok(curscr, TRUE);   /* what the terminal shows after a resize is unknown: repaint all */
    return 1;
}

/* ------------------------------------------------------------- frames -- */

/* 1 when newscr differs from the last frame sent; keeps newscr as the last frame. */
static int frame_changed(Term_io *io)
{
    int rows = getmaxy(newscr), cols = getmaxx(newscr);
    size_t cells = (size_t)rows * (size_t)(cols + 1);
    int changed = rows != io->shown_rows || cols != io->shown_cols || !io->shown;
    if (changed) {
        free(io->shown);
        io->shown = calloc(cells, sizeof(cchar_t));
        io->shown_rows = io->shown ? rows : 0;
        io->shown_cols = io->shown ? cols : 0;
        if (!io->shown)
            return 1;
    }
    cchar_t *line = malloc(sizeof(cchar_t) * (size_t)(cols + 1));
    if (!line)
        return 1;
    cchar_t *shown = io->shown;
    int cy, cx;
    getyx(newscr, cy, cx);   /* reading moves newscr's cursor: put it back after */
    for (int y = 0; y < rows; y++) {
        memset(line, 0, sizeof(cchar_t) * (size_t)(cols + 1));
        mvwin_wchnstr(newscr, y, 0, line, cols);
        cchar_t *old = shown + (size_t)y * (size_t)(cols + 1);
        if (memcmp(old, line, sizeof(cchar_t) * (size_t)cols) != 0) {
            memcpy(old, line, sizeof(cchar_t) * (size_t)cols);
            changed = 1;
        }
    }
    wmove(newscr, cy, cx);
    free(line);
    return changed;
}

int term_io_present(Term_io *io, double now, int force)
{
    if (io->gone)
        return 0;
    if (!force && now - io->last_present < TERM_IO_FRAME_MIN_S)
        return 0;
    if (io->pings_out > 0) {
        double age = now - io->ping_sent;
        if (age > TERM_IO_PING_GIVE_UP_S || (!io->answered && age > TERM_IO_PING_UNANSWERED_S)) {
            if (!io->answered)
                io->unanswered++;
            io->pings_out = 0;
        } else {
            io->frames_skipped++;
            return 0;   /* the terminal has not shown the last frame yet: skip this one */
        }
    }
    if (!frame_changed(io) && !force)
        return 0;
    doupdate();
    io->frames++;
    io->last_present = now;
    if (io->unanswered < 3) {   /* a terminal that never answers is paced by time alone */
        if (write_all(io->out_fd, "\x1b[5n", 4) != 0) {
            io->gone = 1;
            return 1;
        }
        io->pings_out++;
        io->ping_sent = now;
    }
    return 1;
}
