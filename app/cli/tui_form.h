/* tui_form.h - the song side of the terminal UI: keys for evolve, morph, feel, one-bar figures,
 * the mixer, sections and chains; the arrangement row, the song line and the mixer column on
 * the voice rows; the Ctrl-E export (mix, stems, MIDI). tui.c calls these; every key becomes an
 * instrument_form.h call. Control thread only (curses).
 */
#ifndef GROOVE_TUI_FORM_H
#define GROOVE_TUI_FORM_H

#include <stddef.h>

#include "instrument.h"
#include "kit.h"

enum { TUI_FORM_NONE = 0, TUI_FORM_DONE = 1, TUI_FORM_CHAIN_PROMPT = 2 };

/* Handles a song key (cursor_row: INSTRUMENT_GROOVE_ROW or a voice). Returns TUI_FORM_NONE when
 * the key is not one of them, TUI_FORM_DONE, or TUI_FORM_CHAIN_PROMPT (open the chain prompt). */
int tui_form_key(Instrument *in, int ch, int cursor_row);
/* The chain prompt's answer. */
void tui_form_chain_done(Instrument *in, const char *text);
/* The chain as text now (the prompt's default answer). */
void tui_form_chain_text(const Instrument *in, char *buf, size_t len);
/* The mixer column after a voice row's cells (level dB and pan), from column x. */
void tui_form_row_mixer(const Instrument *in, int row, int y, int x, int cols);
/* The arrangement row: sections, the chain and where it is, what comes next loop. */
void tui_form_song_line(const Instrument *in, int y, int cols);
/* The song controls: evolve, morph, feel, one-bar repeat. */
void tui_form_controls_line(const Instrument *in, int y, int cols);
/* Ctrl-E: NAME.wav (mix, 2 loops + 1 s), NAME-stems/VOICE.wav, NAME-tracks.mid (a track per
 * voice); the base name is made safe. The message says what was written. 0, or -1. */
int tui_form_export(Instrument *in, const Kit *kit, int rate, const char *name, char *msg, size_t len);

/* Help lines for these keys (wide and narrow lists), NULL-terminated. */
extern const char *const tui_form_help_wide[];
extern const char *const tui_form_help_narrow[];

#endif
