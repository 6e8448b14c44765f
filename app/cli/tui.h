/* tui.h - the instrument's terminal face (ncurses): the grid, the status line, the keys.
 *
 * tui_run takes over the terminal until the player quits, and gives it back as it found it
 * on every way out: a normal quit, Ctrl-C, SIGTERM/SIGHUP, the terminal gone (end of file or
 * an I/O error: saved and left as on SIGHUP), and crashes (SIGSEGV, SIGABRT...:
 * the handler restores the terminal, then lets the signal kill the process). Everything it
 * shows is read from the Instrument; every key becomes an instrument_* call.
 *
 * Control thread only. The devices are opened and closed by the caller (app/cmd_run.c).
 */
#ifndef GROOVE_TUI_H
#define GROOVE_TUI_H

#include "audio_async.h"
#include "dev_audio.h"
#include "dev_midi.h"
#include "feed.h"
#include "instrument.h"
#include "kit.h"
#include "kit_deck.h"
#include "run_sync.h"

/* Which glyphs draw the grid. */
typedef enum {
    TUI_GLYPHS_AUTO,    /* blocks and dots in a UTF-8 locale, unless the terminal draws them wide */
    TUI_GLYPHS_UNICODE, /* blocks and dots (in a UTF-8 locale) */
    TUI_GLYPHS_ASCII,   /* digits 1-9 and '.' */
} Tui_glyphs;

typedef struct {
    Instrument *instrument;
    Audio_out *audio;          /* may be NULL */
    Midi *midi;               /* may be NULL */
    Feed *feed;               /* --play-groove, or NULL */
    const Kit *kit;            /* the kit it started with */
    Kit_deck *kits;            /* key K steps through groove kits (NULL: no switching) */
    int rate;
    Tui_glyphs glyphs;         /* --glyphs */
    Run_sync *sync;            /* tempo source, clock out, offsets (run_sync.h); may be NULL */
    Audio_async *audio_async;  /* the device still opening (audio NULL until it is), or NULL */
} Tui_context;

/* Runs the instrument in the terminal until the player quits. Returns 0, or 1 when the
 * terminal cannot be used (one line on stderr). */
int tui_run(Tui_context *ctx);

#endif
