/* tui_internal.h - what the terminal UI's files share (not for other files): the Tui state,
 * the help text (drawn by tui.c, paged by a key in tui_keys.c) and the key handling.
 *
 * tui.c draws and runs the main loop; tui_keys.c turns keys and pastes into instrument calls.
 * Thread: the control thread only (curses).
 */
#ifndef GROOVE_TUI_INTERNAL_H
#define GROOVE_TUI_INTERNAL_H

#include "term_io.h"
#include "tui.h"

#define KEY_CTRL(c) ((c) & 0x1f)

typedef struct {
    Tui_context *ctx;
    Instrument *in;
    int cursor_row;            /* INSTRUMENT_GROOVE_ROW .. 8 */
    int cursor_step;
    int help;                  /* help overlay shown */
    int log;                   /* the message log overlay shown (key H) */
    int confirm_overwrite;     /* ^S named an existing file: y overwrites it (prompt_buf) */
    int message_lines;         /* lines the message may wrap over in this frame's layout */
    int utf8, color;
    int quit_armed;
    double quit_armed_at;
    int prompt;                /* 0 none, 1 save as, 2 export, 3 chain */
    char prompt_buf[256];
    int prompt_fresh;          /* prompt_buf is the default answer, untouched: typing replaces it */
    int quit;
    int sound_pending;         /* the audio device is open: say so at its first block */
    int sound_on;              /* its first block has been rendered */
    Term_io io;                /* keys in, paced frames out (term_io.h) */
    int paste_bytes;           /* bytes of the paste now arriving, outside a prompt */
    Engine_stats shown_stats;  /* the figures on screen: refreshed every 2 s while playing */
    double shown_stats_at;
} Tui;

#define HELP_WIDE_COLS 76   /* the longest wide help line (71) + frame and margins */

/* The help text for this terminal: its lines, how many, how many fit a page, pages. */
const char *const *tui_help_text(int rows, int cols, int *n, int *per_page, int *pages);
/* Handles one event from the terminal: a key, or a paste (text only for an open prompt). */
void tui_handle_event(Tui *t, const Term_event *ev, double now);

#endif
