/* tui.c - the instrument in the terminal: grid, status, help, the main loop (see tui.h; keys: tui_keys.c).
 *
 * The screen (80x24 and up):
 *
 *   groove > PLAY  120.0 BPM  swing 0.00  loop 12  gen 4312 µs  xruns 0  [+]  overdub
 *   style funk  fill off  density 0.50  temp 1.00  variation 0  model ...    controls
 *          |bar 1                          |bar 2                          bar ruler
 *          1 . . . 2 . . . 3 . . . 4 . . . 1 . . . 2 . . . 3 . . . 4 . . .   beat ruler
 *   GR     ▅  ·  ▇> ·  ...                                                   the groove
 *   K  *   █  ·  ·  ·  ...                                                   9 drum rows
 *   ...                                                                      (* kept M mute S solo)
 *          ^                                                                 playhead
 *   cursor / audio / xruns+load / MIDI / session lines, a fading message, key hints.
 *
 * Each step is two columns: a glyph whose height is the velocity (digits 1-9 without UTF-8)
 * and a micro-timing mark: '<' early, '>' late (beyond 0.12 steps). The playhead column is
 * drawn reversed. Smaller terminals get one column per step; below 40x15, a notice.
 */
#define _XOPEN_SOURCE_EXTENDED 1
#include "tui.h"

#include <curses.h>
#include <langinfo.h>
#include <locale.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "export.h"
#include "genre.h"
#include "term_io.h"
#include "instrument_form.h"
#include "tui_form.h"
#include "tui_internal.h"

#define FULL_COLS 72
#define FULL_ROWS 22   /* 15 grid lines, 5 info lines, message, keys */
#define MIN_COLS 40
#define MIN_ROWS 15
#define LABEL_COLS 7


/* ------------------------------------------------------- terminal safety -- */

static volatile sig_atomic_t tui_active;
static volatile sig_atomic_t tui_stop;

/* Gives the terminal back (idempotent). */
static void tui_restore(void)
{
    if (tui_active) {
        tui_active = 0;
        term_io_restore(STDOUT_FILENO);
        endwin();
    }
}

/* SIGINT/SIGTERM/SIGHUP: ask the loop to finish (it saves and restores). */
static void on_stop(int sig)
{
    (void)sig;
    tui_stop = 1;
    /* A write to a frozen link (a stalled SSH connection) blocks for ever and would keep the
     * loop from seeing tui_stop: if groove has not ended 10 s from now, SIGALRM ends it. */
    alarm(10);
}

/* Crashes: restore the terminal, then die of the same signal. */
static void on_crash(int sig)
{
    tui_restore();
    signal(sig, SIG_DFL);
    raise(sig);
}

static void install_handlers(void)
{
    atexit(tui_restore);
    signal(SIGINT, on_stop);
    signal(SIGTERM, on_stop);
    signal(SIGHUP, on_stop);
    int crashes[] = {SIGSEGV, SIGABRT, SIGBUS, SIGFPE, SIGILL};
    for (size_t i = 0; i < sizeof crashes / sizeof crashes[0]; i++)
        signal(crashes[i], on_crash);
}

static double now_seconds(void) { return midi_clock_now(); }

/* ---------------------------------------------------------------- colour -- */

enum { PAIR_HIT = 1, PAIR_SOFT, PAIR_GROOVE, PAIR_KEPT, PAIR_RULER, PAIR_MSG, PAIR_PLAY };

static void setup_colors(Tui *t)
{
    t->color = has_colors() && !getenv("NO_COLOR");
    if (!t->color)
        return;
    start_color();
    use_default_colors();
    init_pair(PAIR_HIT, COLOR_CYAN, -1);
    init_pair(PAIR_SOFT, COLOR_BLUE, -1);
    init_pair(PAIR_GROOVE, COLOR_YELLOW, -1);
    init_pair(PAIR_KEPT, COLOR_GREEN, -1);
    init_pair(PAIR_RULER, COLOR_MAGENTA, -1);
    init_pair(PAIR_MSG, COLOR_YELLOW, -1);
    init_pair(PAIR_PLAY, COLOR_GREEN, -1);
}

static attr_t color(const Tui *t, int pair) { return t->color ? COLOR_PAIR(pair) : 0; }

/* ------------------------------------------------------------------ grid -- */

static const char *const blocks[8] = {"\xe2\x96\x81", "\xe2\x96\x82", "\xe2\x96\x83", "\xe2\x96\x84",
                                      "\xe2\x96\x85", "\xe2\x96\x86", "\xe2\x96\x87", "\xe2\x96\x88"};

/* Draws one cell's glyph: velocity as height (or a digit 1-9), empty as a dot. */
static void draw_glyph(const Tui *t, int hit, float vel, int step)
{
    if (!hit) {
        if (t->utf8)
            addstr(step % 4 == 0 ? "\xc2\xb7" : " ");
        else
            addch(step % 4 == 0 ? '.' : ' ');
        return;
    }
    if (t->utf8) {
        int level = (int)(vel * 8.0f);
        addstr(blocks[level < 0 ? 0 : level > 7 ? 7 : level]);
    } else {
        int digit = 1 + (int)(vel * 8.999f);
        addch((chtype)('0' + (digit > 9 ? 9 : digit)));
    }
}

/* Draws one row: label, flags, 32 cells. */
static void draw_row(const Tui *t, int y, int row, int wide)
{
    const Instrument *in = t->in;
    const Session_settings *st = &in->session.settings;
    char label[16];
    if (row == INSTRUMENT_GROOVE_ROW) {
        snprintf(label, sizeof label, "GR     ");
    } else {
        snprintf(label, sizeof label, "%-3s%c%c%c ", voice_label(row), st->kept >> row & 1u ? '*' : ' ',
                 st->muted >> row & 1u ? 'M' : ' ', st->soloed >> row & 1u ? 'S' : ' ');
    }
    attr_t la = row == INSTRUMENT_GROOVE_ROW ? color(t, PAIR_GROOVE) | A_BOLD
                : st->kept >> row & 1u ? color(t, PAIR_KEPT) : 0;
    if (row == t->cursor_row)
        la |= A_BOLD;
    attron(la);
    mvaddstr(y, 0, label);
    attroff(la);
    int muted = row >= 0 && ((st->muted >> row & 1u) || (st->soloed && !(st->soloed >> row & 1u)));
    for (int s = 0; s < HVO_STEPS; s++) {
        float vel = 0, off = 0;
        int hit = instrument_cell(in, row, s, &vel, &off);
        attr_t a = 0;
        if (hit)
            a |= row == INSTRUMENT_GROOVE_ROW ? color(t, PAIR_GROOVE) : vel < 0.4f ? color(t, PAIR_SOFT) : color(t, PAIR_HIT);
        if (hit && vel >= 0.75f)
            a |= A_BOLD;
        int changed = row >= 0 ? instrument_cell_changed(in, row, s) : 0;   /* since the loop before */
        if (changed > 0)
            a |= color(t, PAIR_MSG) | A_BOLD;
        if (muted)
            a |= A_DIM;
        if (row == t->cursor_row && s == t->cursor_step)
            a |= A_UNDERLINE | A_BOLD | A_REVERSE;
        move(y, LABEL_COLS + s * (wide ? 2 : 1));
        attron(a);
        if (changed < 0) {   /* a hit the loop before had: a marked dot */
            attron(color(t, PAIR_MSG) | A_BOLD);
            if (t->utf8)
                addstr("\xc2\xb7");
            else
                addch('.');
            attroff(color(t, PAIR_MSG) | A_BOLD);
        } else {
            draw_glyph(t, hit, vel, s);
        }
        if (wide)
            addch(hit && off < -0.12f ? '<' : hit && off > 0.12f ? '>' : ' ');
        attroff(a);
    }
    if (wide)
        tui_form_row_mixer(in, row, y, LABEL_COLS + 2 * HVO_STEPS + 1, getmaxx(stdscr));
}

/* Draws the bar ruler ("|bar 1", "|bar 2" over their first steps). */
static void draw_bar_ruler(const Tui *t, int y, int wide)
{
    attron(color(t, PAIR_RULER) | A_BOLD);
    for (int b = 0; b < HVO_STEPS / HVO_STEPS_PER_BAR; b++) {
        char text[16];
        snprintf(text, sizeof text, wide ? "|bar %d" : "|%d", b + 1);
        mvaddstr(y, LABEL_COLS + b * HVO_STEPS_PER_BAR * (wide ? 2 : 1), text);
    }
    attroff(color(t, PAIR_RULER) | A_BOLD);
}

/* Draws the beat ruler: beat numbers on beats, dots between, the playhead's step reversed
 * (only here and by the ^ under the grid: a moving column would cost a slow link ~2 KB/s). */
static void draw_beat_ruler(const Tui *t, int y, int wide, int playhead)
{
    for (int s = 0; s < HVO_STEPS; s++) {
        char c = s % HVO_STEPS_PER_BEAT == 0 ? (char)('1' + (s % HVO_STEPS_PER_BAR) / HVO_STEPS_PER_BEAT)
                 : wide ? '.' : ' ';
        attr_t a = color(t, PAIR_RULER) | (s == playhead ? A_REVERSE | A_BOLD : 0);
        attron(a);
        mvaddch(y, LABEL_COLS + s * (wide ? 2 : 1), (chtype)c);
        attroff(a);
    }
}

/* ---------------------------------------------------------------- status -- */

/* Describes the fill setting; "(now)" while a fill loop plays. */
static const char *fill_text(const Instrument *in, char *buf, size_t n)
{
    const char *now = in->fill_now && in->pos.playing ? " (now)" : "";
    if (in->fill_next)
        snprintf(buf, n, "next%s", now);
    else if (in->session.settings.fill_every > 0)
        snprintf(buf, n, "every %d%s", (int)in->session.settings.fill_every, now);
    else
        snprintf(buf, n, "off%s", now);
    return buf;
}

/* Characters (not bytes) of a UTF-8 string. */
static int utf8_len(const char *s)
{
    int n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

/* Bytes of s that make its first n characters (for addnstr, which counts bytes). */
static int utf8_bytes(const char *s, int n)
{
    int b = 0;
    for (int c = 0; s[b] && c < n; c++) {
        b++;
        while (((unsigned char)s[b] & 0xC0) == 0x80)
            b++;
    }
    return b;
}

/* Makes a line fit n columns where it can: its double spaces become single ones. */
static void squeeze_line(char *line, int n)
{
    if (utf8_len(line) <= n)
        return;
    char *w = line;
    for (const char *r = line; *r; r++)
        if (!(r[0] == ' ' && r[1] == ' '))
            *w++ = *r;
    *w = 0;
}

/* Makes a line of fields (separated by two spaces) fit n columns without cutting a field: the
 * separators shrink to one space, then whole fields go from the end. */
static void fit_fields(char *line, int n)
{
    if (utf8_len(line) <= n)
        return;
    const char sep = 0x1f;   /* marks the field breaks while the spaces are squeezed */
    for (char *p = strstr(line, "  "); p; p = strstr(p, "  ")) {
        *p = sep;
        size_t k = 1;
        while (p[k] == ' ')
            k++;
        memmove(p + 1, p + k, strlen(p + k) + 1);
    }
    for (char *p = strchr(line, sep); p && utf8_len(line) > n; p = strchr(line, sep)) {
        /* too long with single spaces: drop the last field */
        char *last = strrchr(line, sep);
        *last = 0;
    }
    for (char *p = strchr(line, sep); p; p = strchr(p, sep))
        *p = ' ';
}

/* The top status line: transport and timing. */
static void draw_status(const Tui *t, int y, int cols)
{
    const Instrument *in = t->in;
    const Session_settings *st = &in->session.settings;
    char line[256];
    attron(A_BOLD);
    mvaddstr(y, 0, "groove ");
    attroff(A_BOLD);
    attron(in->pos.playing ? color(t, PAIR_PLAY) | A_BOLD : A_DIM);
    addstr(in->pos.playing ? "> PLAY " : "# STOP ");
    attroff(in->pos.playing ? color(t, PAIR_PLAY) | A_BOLD : A_DIM);
    Engine_stats es;
    engine_stats(in->engine, &es);
    const char *fill = in->fill_now && in->pos.playing ? " FILL " : "";   /* a fill plays now */
    /* The tempo, or with Link / a MIDI clock the source and its tempo ("link 2 peers 120.0 BPM"). */
    char tempo[160];
    snprintf(tempo, sizeof tempo, "%.1f BPM", st->bpm);
    if (t->ctx->sync && sync_source_now(&t->ctx->sync->sync) != SYNC_INTERNAL)
        sync_source_status(&t->ctx->sync->sync, tempo, sizeof tempo);   /* offsets: the practice line */
    snprintf(line, sizeof line, "%s %s  swing %.2f  loop %lld  gen %.0f %s  xruns %llu%s  %s", fill, tempo,
             st->swing, (long long)in->pos.loop, in->last_gen_us, t->utf8 ? "\xc2\xb5s" : "us",
             (unsigned long long)es.xruns, in->unsaved ? "  [+]" : "", st->record_mode ? "replace" : "overdub");
    int room = cols - 14 > 0 ? cols - 14 : 0;   /* after "groove > PLAY " */
    squeeze_line(line, room);
    if (utf8_len(line) > room) {   /* compact: what matters first, no field cut in half */
        snprintf(line, sizeof line, "%s %s%s  loop %lld  swing %.2f  %s  xruns %llu", fill, tempo,
                 in->unsaved ? " [+]" : "", (long long)in->pos.loop, st->swing, st->record_mode ? "replace" : "overdub",
                 (unsigned long long)es.xruns);
        fit_fields(line, room);
    }
    addnstr(line, utf8_bytes(line, room));
}

/* The controls line. */
static void draw_controls(const Tui *t, int y, int cols)
{
    const Instrument *in = t->in;
    const Session_settings *st = &in->session.settings;
    char line[300], fill[32];
    snprintf(line, sizeof line, "style %s  fill %s  density %.2f  temp %.2f  variation %d  %s",
             genre_name(st->genre), fill_text(in, fill, sizeof fill), st->density, st->temperature,
             (int)st->variation, in->model_is_random ? "RANDOM MODEL" : in->model_note);
    fit_fields(line, cols);
    mvaddnstr(y, 0, line, utf8_bytes(line, cols));
}

/* The practice line: click, count-in, respond, the last loop's taps (count, mean in ms with
 * + late, spread), input latency keys/MIDI. The taps come before the latency: a narrow
 * terminal (60 columns) drops fields from the end, and the taps are what a player watches. */
static void practice_text(const Tui *t, char *line, size_t n)
{
    const Instrument *in = t->in;
    char timing[96] = "";
    const Timing_pass *p = timing_stats_pass(&in->timing, in->pos.loop - 1);
    if (!p)
        p = timing_stats_pass(&in->timing, in->pos.loop);
    if (p)
        snprintf(timing, sizeof timing, "  taps %d %+.1f ms %s%.1f", p->all.n, timing_mean(&p->all),
                 t->utf8 ? "\xc2\xb1" : "+-", timing_std(&p->all));
    char offsets[64] = "";   /* the output offsets (audio/MIDI) when not 0 */
    if (t->ctx->sync)
        sync_offset_status(&t->ctx->sync->sync, 1, offsets + 2, sizeof offsets - 2);
    if (offsets[2])
        offsets[0] = offsets[1] = ' ';
    snprintf(line, n, "click %s  count-in %d  respond %s%s  latency %.0f/%.0f ms%s%s", in->click ? "on" : "off",
             in->count_in_bars, instrument_respond_name(in->respond), timing,
             in->input_latency_s[INSTRUMENT_INPUT_KEYS] * 1000.0, in->input_latency_s[INSTRUMENT_INPUT_MIDI] * 1000.0,
             offsets[2] ? offsets : "", in->calibrating ? "  CALIBRATING" : "");
}

/* The last loop's timing per step on the playhead line: '<' early, '>' late by more than
 * 5 ms, '=' within 5 ms (the playhead's '^' is drawn over it). */
static void draw_timing_marks(const Tui *t, int y, int wide)
{
    const Instrument *in = t->in;
    const Timing_pass *p = timing_stats_pass(&in->timing, in->pos.loop - 1);
    if (!p)
        p = timing_stats_pass(&in->timing, in->pos.loop);
    if (!p)
        return;
    attron(color(t, PAIR_GROOVE));
    mvaddstr(y, 0, "TM");
    for (int s = 0; s < HVO_STEPS; s++) {
        if (p->step[s].n == 0)
            continue;
        double ms = timing_mean(&p->step[s]);
        mvaddch(y, LABEL_COLS + s * (wide ? 2 : 1), (chtype)(ms < -5.0 ? '<' : ms > 5.0 ? '>' : '='));
    }
    attroff(color(t, PAIR_GROOVE));
}

/* The lines below the grid: cursor cell, audio, MIDI, session. */
static void draw_info(const Tui *t, int y, int cols)
{
    const Instrument *in = t->in;
    const Session_settings *st = &in->session.settings;
    char line[400];
    float vel = 0, off = 0;
    int hit = instrument_cell(in, t->cursor_row, t->cursor_step, &vel, &off);
    const char *row = t->cursor_row == INSTRUMENT_GROOVE_ROW ? "groove" : voice_name(t->cursor_row);
    int n = snprintf(line, sizeof line, "cursor %s step %d: ", row, t->cursor_step + 1);
    if (hit)
        n += snprintf(line + n, sizeof line - (size_t)n, "vel %.2f off %+.2f", vel, off);
    else
        n += snprintf(line + n, sizeof line - (size_t)n, "empty");
    if (t->cursor_row >= 0)
        snprintf(line + n, sizeof line - (size_t)n, "  threshold %.2f%s", st->thresholds[t->cursor_row],
                 st->kept >> t->cursor_row & 1u ? "  kept" : "");
    mvaddnstr(y, 0, line, cols);
    const Engine_stats es = t->shown_stats;   /* not redrawn 30 times a second: see tui_run */
    snprintf(line, sizeof line, "audio: %s%s",
             t->ctx->audio ? audio_status(t->ctx->audio) : t->ctx->audio_async ? "opening the device..." : "none",
             t->sound_on && !audio_is_silent(t->ctx->audio) ? "  sound on" : "");
    mvaddnstr(y + 1, 0, line, cols);
    snprintf(line, sizeof line, "xruns %llu  load %.0f%% (max %.0f%%)  blocks %llu  generations %llu (max %.0f us)",
             (unsigned long long)es.xruns, es.load_avg * 100.0, es.load_max * 100.0,
             (unsigned long long)es.callbacks, (unsigned long long)in->generations, in->max_gen_us);
    mvaddnstr(y + 2, 0, line, cols);
    char sync_line[160] = "internal";
    if (t->ctx->sync)
        sync_status(&t->ctx->sync->sync, sync_line, sizeof sync_line);
    snprintf(line, sizeof line, "%s | %s | sync %s", midi_in_status(t->ctx->midi), midi_out_status(t->ctx->midi),
             sync_line);
    mvaddnstr(y + 3, 0, line, cols);
    snprintf(line, sizeof line, "session: %.300s%s", in->autosave ? in->session_path : "not saved",
             in->autosave ? (in->dirty ? " (saving)" : " (saved)") : "");
    mvaddnstr(y + 4, 0, line, cols);
}

/* Draws text from line y over at most max_lines lines of cols, broken at spaces; a text
 * longer than that ends in "..." (the whole of it is in the message log, key H). Returns the
 * lines used. */
static int draw_wrapped(int y, int max_lines, const char *text, int cols)
{
    int used = 0;
    const char *p = text;
    while (*p && used < max_lines) {
        int len = utf8_len(p);
        if (len <= cols) {
            mvaddnstr(y + used++, 0, p, utf8_bytes(p, cols));
            break;
        }
        int bytes = utf8_bytes(p, cols);
        int cut = bytes;
        for (int i = bytes; i > cols / 2; i--)
            if (p[i] == ' ') {
                cut = i;
                break;
            }
        if (used == max_lines - 1) {   /* the last line: what fits, then "..." */
            int keep = utf8_bytes(p, cols > 3 ? cols - 3 : 0);
            mvaddnstr(y + used, 0, p, keep);
            addstr("...");
            used++;
            break;
        }
        mvaddnstr(y + used++, 0, p, cut);
        p += cut;
        while (*p == ' ')
            p++;
    }
    return used;
}

/* The message log overlay: the last messages, newest first, each wrapped in full. */
static void draw_log(const Tui *t, int rows, int cols)
{
    int w = cols > 4 ? cols : 4, y = 1;
    for (int i = 0; i < rows; i++) {
        move(i, 0);
        clrtoeol();
    }
    attron(A_BOLD);
    mvaddnstr(0, 0, "messages, newest first (any key closes)", w);
    attroff(A_BOLD);
    for (int back = 0; back < INSTRUMENT_MESSAGE_LOG && y < rows; back++) {
        const char *m = instrument_message_log(t->in, back);
        if (!m[0])
            break;
        y += draw_wrapped(y, rows - y, m, w);
    }
    if (y == 1)
        mvaddnstr(1, 0, "(no messages yet)", w);
}

/* One word for where the session goes: saved, saving, or not saved (and why). */
static const char *in_session_word(const Instrument *in)
{
    if (!in->autosave)
        return in->session_locked_out ? "in use elsewhere, not saved" : "not saved";
    return in->dirty ? "saving" : "saved";
}

/* The fading message, or the prompt. */
static void draw_message(const Tui *t, int y, int cols)
{
    if (t->prompt) {
        char line[400];
        snprintf(line, sizeof line, "%s %s_",
                 t->prompt == 1   ? "save session as:"
                 : t->prompt == 3 ? "chain (e.g. A*2 B A fill):"
                                  : "export part to (.wav, .mid, -tracks.mid, -stems/):",
                 t->prompt_buf);
        char *shown = line;
        int over = utf8_len(line) - cols;
        if (over > 0) {   /* a long answer: show its end, where the typing is */
            shown += utf8_bytes(line, over + 1);
            shown--;
            *shown = '<';
        }
        attron(A_BOLD);
        mvaddnstr(y, 0, shown, utf8_bytes(shown, cols));
        attroff(A_BOLD);
        return;
    }
    const char *m = instrument_message_now(t->in);
    if (!m[0]) {   /* no message: the practice line */
        char line[300];
        practice_text(t, line, sizeof line);
        fit_fields(line, cols);
        mvaddnstr(y, 0, line, utf8_bytes(line, cols));
        return;
    }
    attron(color(t, PAIR_MSG));
    draw_wrapped(y, t->message_lines > 0 ? t->message_lines : 1, m, cols);
    attroff(color(t, PAIR_MSG));
}

/* Draws page t->help (1-based) of the help overlay. */
static void draw_help(const Tui *t, int rows, int cols)
{
    int n, per_page, pages;
    const char *const *lines = tui_help_text(rows, cols, &n, &per_page, &pages);
    int page = (t->help - 1) % pages, first = page * per_page;
    int shown = n - first < per_page ? n - first : per_page;
    int want = cols < HELP_WIDE_COLS ? 40 : HELP_WIDE_COLS;   /* narrow lines are 36 + 4 */
    int w = want < cols ? want : cols;
    int h = shown + 2;
    int x0 = (cols - w) / 2, y0 = (rows - h) / 2;
    for (int i = 0; i < h; i++) {
        move(y0 + i, x0);
        for (int j = 0; j < w; j++)
            addch(i == 0 || i == h - 1 ? '-' : j == 0 || j == w - 1 ? '|' : ' ');
    }
    char title[64];
    if (pages > 1)
        snprintf(title, sizeof title, " keys %d/%d (? more, any key closes) ", page + 1, pages);
    else
        snprintf(title, sizeof title, " keys (any key closes) ");
    attron(A_BOLD);
    mvaddnstr(y0, x0 + 2, title, w - 4);
    attroff(A_BOLD);
    for (int i = 0; i < shown; i++)
        mvaddnstr(y0 + 1 + i, x0 + 2, lines[first + i], w - 4);
}

/* Composes the whole screen for the terminal's size (nothing is sent yet). */
static void draw(Tui *t)
{
    int rows, cols;
    getmaxyx(stdscr, rows, cols);
    erase();
    if (cols < MIN_COLS || rows < MIN_ROWS) {
        char need[32];
        snprintf(need, sizeof need, "need %dx%d", MIN_COLS, MIN_ROWS);
        mvaddnstr(rows / 2 - 1, 0, "terminal too small", cols);
        mvaddnstr(rows / 2, 0, need, cols);
        wnoutrefresh(stdscr);
        return;
    }
    int wide = cols >= FULL_COLS && rows >= FULL_ROWS;
    int playhead = t->in->pos.playing ? t->in->pos.step_in_loop : -1;
    int y = 0;
    draw_status(t, y++, cols);
    if (wide)
        draw_controls(t, y++, cols);
    if (wide)
        draw_bar_ruler(t, y++, wide);
    draw_beat_ruler(t, y++, wide, playhead);
    draw_row(t, y++, INSTRUMENT_GROOVE_ROW, wide);
    for (int v = 0; v < HVO_VOICES; v++)
        draw_row(t, y++, v, wide);
    draw_timing_marks(t, y, wide);
    if (playhead >= 0)
        mvaddch(y, LABEL_COLS + playhead * (wide ? 2 : 1), '^');
    y++;
    if (wide) {
        draw_info(t, y, cols);
        if (rows >= FULL_ROWS + 2) {   /* room for the song lines */
            tui_form_controls_line(t->in, y + 5, cols);
            tui_form_song_line(t->in, y + 6, cols);
        } else {
            tui_form_song_line(t->in, y + 2, cols);   /* over the audio figures */
        }
        /* a long message takes the keys line too, and the line above if need be (3 at most;
         * the whole of it stays in the message log, key H) */
        const char *m = instrument_message_now(t->in);
        int len = t->prompt ? 0 : utf8_len(m), lines = len > 2 * (cols - 8) ? 3 : len > cols ? 2 : 1;
        t->message_lines = lines;
        for (int i = 1; i < lines; i++) {
            move(rows - 1 - i, 0);
            clrtoeol();
        }
        draw_message(t, rows - 1 - (lines > 1 ? lines - 1 : 1), cols);
        if (lines == 1)
            mvaddnstr(rows - 1, 0, "a..l tap  space play  arrows move  x hit  u undo  ? help  q quit", cols);
    } else {
        /* compact (under FULL_COLS x FULL_ROWS, e.g. a phone at 60x20): the settings line and
         * the message or prompt right under the grid, then as much of the info as fits */
        if (y < rows - 2)
            draw_controls(t, y++, cols);
        const char *m = instrument_message_now(t->in);
        int lines = !t->prompt && utf8_len(m) > cols ? (rows - 1 - y > 3 ? 3 : rows - 1 - y) : 1;
        t->message_lines = lines > 0 ? lines : 1;
        draw_message(t, y, cols);
        y += t->message_lines;
        if (y < rows - 1) {
            char line[300];
            snprintf(line, sizeof line, "session: %s", in_session_word(t->in));
            fit_fields(line, cols);
            mvaddnstr(y++, 0, line, utf8_bytes(line, cols));
        }
        /* the song: the arrangement row, then evolve, morph and feel, as room allows */
        if (y < rows - 1)
            tui_form_song_line(t->in, y++, cols);
        if (y < rows - 1)
            tui_form_controls_line(t->in, y++, cols);
        mvaddnstr(rows - 1, 0, "? help  q quit", cols);
    }
    if (t->help)
        draw_help(t, rows, cols);
    else if (t->log)
        draw_log(t, rows, cols);
    wnoutrefresh(stdscr);   /* composed; term_io_present sends it when the link has room */
}

/* ------------------------------------------------------------------ main -- */

/* The audio device opens in the background (audio_async.h): takes it over once open, and says
 * on the status line when the first block has been rendered, i.e. when sound is there. */
static void tui_poll_audio(Tui *t)
{
    Tui_context *ctx = t->ctx;
    if (!ctx->audio && ctx->audio_async) {
        ctx->audio = audio_async_poll(ctx->audio_async);
        if (!ctx->audio)
            return;
        t->sound_pending = 1;
    }
    if (t->sound_pending) {
        Engine_stats st;
        engine_stats(t->in->engine, &st);
        if (st.callbacks > 0) {
            t->sound_pending = 0;
            t->sound_on = 1;   /* the audio line says so; a message too, unless one is showing */
            if (!instrument_message_now(t->in)[0])
                instrument_message(t->in, "%s%s", audio_is_silent(ctx->audio) ? "" : "sound on: ", audio_status(ctx->audio));
        }
    }
}

int tui_run(Tui_context *ctx)
{
    Tui t;
    memset(&t, 0, sizeof t);
    t.ctx = ctx;
    t.in = ctx->instrument;
    t.cursor_row = INSTRUMENT_GROOVE_ROW;
    setlocale(LC_ALL, "");
    const char *cs = nl_langinfo(CODESET);
    t.utf8 = cs && (!strcmp(cs, "UTF-8") || !strcmp(cs, "utf8"));
    install_handlers();
    term_io_init(&t.io, STDIN_FILENO, STDOUT_FILENO);
    /* East Asian ambiguous width: where the terminal draws · and the blocks two columns
     * wide, the grid would wrap; ASCII glyphs then. --glyphs chooses by hand. */
    if (ctx->glyphs == TUI_GLYPHS_ASCII)
        t.utf8 = 0;
    else if (ctx->glyphs == TUI_GLYPHS_AUTO && t.utf8 && term_io_probe_glyph_width(&t.io, 1.0) == 1)
        t.utf8 = 0;
    /* newterm, not initscr: initscr prints its own error and exits on an unknown TERM. */
    SCREEN *scr = newterm(NULL, stdout, stdin);
    const char *cup = scr ? tigetstr("cup") : NULL;
    if (!scr || !cup || cup == (const char *)-1) {
        if (scr) {
            endwin();
            delscreen(scr);
        }
        audio_async_wait(ctx->audio_async);   /* stderr is ours again */
        fprintf(stderr, "groove: cannot start the terminal UI (TERM=%s%s)\n", getenv("TERM") ? getenv("TERM") : "",
                scr ? ": it cannot move the cursor" : ": unknown terminal type");
        return 1;
    }
    tui_active = 1;
    raw();
    noecho();
    curs_set(0);
    leaveok(stdscr, TRUE);   /* the cursor is hidden: no move to park it after each frame */
    term_io_start(&t.io);   /* keys are read and decoded by term_io, not curses */
    setup_colors(&t);
    if (ctx->feed) {
        instrument_tick(t.in, now_seconds());   /* the transport starts from now, not from 0 s */
        instrument_play(t.in);
    }
    if (!midi_has_input(ctx->midi) && !t.in->message[0])
        instrument_message(t.in, "%s", midi_in_status(ctx->midi));
    double last_draw = 0;
    int force = 1;
    while (!t.quit && !tui_stop) {
        Term_event ev[TERM_INPUT_EVENTS_MAX(256)];
        int n = term_io_read(&t.io, 0.004, ev, TERM_INPUT_EVENTS_MAX(256));
        double now = now_seconds();
        instrument_tick(t.in, now);
        if (ctx->sync)
            sync_tick(&ctx->sync->sync, t.in);
        tui_poll_audio(&t);
        Midi_tap tap;
        while (midi_poll_tap(ctx->midi, &tap)) {
            instrument_note_input(t.in, tap.channel == 9 ? INPUT_KIND_DRUMS : INPUT_KIND_KEYS);
            instrument_tap_note(t.in, tap.velocity, tap.time, tap.note);
        }
        if (ctx->feed && t.in->pos.playing)
            feed_until(ctx->feed, t.in, instrument_position_at(t.in, now) + 0.05);
        int changed = n > 0;
        char audio_event[400];
        if (audio_poll_event(ctx->audio, audio_event, sizeof audio_event)) {   /* device lost, or back */
            instrument_message(t.in, "audio: %s", audio_event);
            changed = 1;
        }
        for (int i = 0; i < n && !t.quit; i++)
            tui_handle_event(&t, &ev[i], now);
        if (t.io.gone)
            break;   /* end of file or I/O error: the link is gone; save and exit as on SIGHUP */
        if (term_io_resized(&t.io))
            changed = force = 1;
        /* the load and block figures move all the time: redrawn every 2 s while playing */
        if (changed || (t.in->pos.playing && now - t.shown_stats_at >= 2.0)) {
            engine_stats(t.in->engine, &t.shown_stats);
            t.shown_stats_at = now;
        }
        if (changed || now - last_draw >= TERM_IO_FRAME_MIN_S) {
            draw(&t);
            last_draw = now;
            if (term_io_present(&t.io, now, force))
                force = 0;
        }
    }
    term_io_finish(&t.io, 1.0);   /* no late status answer may reach the shell */
    tui_restore();
    term_io_deinit(&t.io);
    return 0;
}
