/* tui_help.c - the terminal UI's help overlay text (tui_internal.h): the instrument's keys in a
 * wide and a narrow layout, with the song keys (tui_form.h) after them, paged to the terminal.
 * tui.c draws it; a key in tui_keys.c pages it.
 *
 * Thread: the control thread only (the TUI's main loop).
 */
#include "tui_internal.h"

#include "tui_form.h"

/* The instrument's keys, wide (two columns). */
static const char *const help_lines[] = {
    "a s d f g h j k l  tap the groove (soft .. loud)   space  play / stop",
    "arrows  move the cursor            x / Enter  set or clear a hit",
    "+ / -   velocity up / down         , / .  nudge earlier / later",
    "X       clear the cursor's row     u / U  undo / redo (also ^Z ^Y)",
    "[ ]     BPM -1 / +1   { }  -10 / +10    t  tap tempo",
    "w W     swing less / more          e E  density less / more",
    "p P     temperature down / up      o O  threshold (cursor voice)",
    "y Y     style previous / next      i  fill next loop   I  fill every N",
    "v       new variation              V  back to the previous variation",
    "z       keep (freeze) cursor voice m  mute   n  solo (cursor voice)",
    "Z       free every kept voice",
    "r       a new variation now        R  record: overdub / replace",
    "M       click on / off             N  count-in 0 / 1 / 2 bars",
    "T       respond: loop / bar / beat D  calibrate keys/MIDI latency",
    "K       next kit (groove kits)     A  tap sound   H  message log",
    "^S      save the session as...     ^E  export: mix, stems, MIDI",
    "        (in a prompt: Enter accepts, Esc cancels, ^U clears)",
    "J       Ableton Link: join / leave the session",
    "?       this help                  q  quit (asks when unsaved)  ^C quit",
    "",
    "Each loop the model drums along to the groove; a new part takes over at",
    "the next loop, bar or beat (T). With the click on, space starts (after",
    "the count-in) and taps land where played; TM shows the last loop's",
    "timing per step (< early > late). Calibration (D): tap 12 beats on the",
    "click. Replace mode keeps the last 2 bars. Autosaved (XDG state dir).",
};

/* The same keys in one narrow column, for terminals under HELP_WIDE_COLS. */
static const char *const help_narrow[] = {
    "a..l     tap the groove (soft..loud)", "space    play / stop",
    "arrows   move the cursor",             "x Enter  set or clear a hit",
    "+ -      velocity up / down",          ", .      nudge earlier / later",
    "X        clear the cursor's row",      "u U      undo / redo (^Z ^Y)",
    "[ ]      BPM -1 / +1",                 "{ }      BPM -10 / +10",
    "t        tap tempo",                   "w W      swing less / more",
    "e E      density less / more",         "p P      temperature down / up",
    "o O      threshold (cursor voice)",    "y Y      style previous / next",
    "i        fill next loop",              "I        fill every N loops",
    "v r      a new variation now",         "V        back to previous variation",
    "z Z      keep cursor voice / free all",  "m        mute (cursor voice)",
    "n        solo (cursor voice)",
    "M N      click on/off, count-in 0-2",  "T D      respond; calibrate latency",
    "R        record: overdub / replace",   "K A H J  kit, tap sound, log, Link",
    "^S       save the session as...",
    "^E       export mix, stems, MIDI",     "Enter    (prompt) accept",
    "Esc      (prompt) cancel",             "^U       (prompt) clear",
    "?        this help",                   "q        quit (asks when unsaved)",
    "^C       quit at once",
};

/* The help lines with the song keys (tui_form.h) after the instrument's. */
static const char *help_all[2][80];
static int help_all_n[2];

static void help_merge(int narrow)
{
    if (help_all_n[narrow])
        return;
    const char *const *base = narrow ? help_narrow : help_lines;
    int nb = narrow ? (int)(sizeof help_narrow / sizeof help_narrow[0]) : (int)(sizeof help_lines / sizeof help_lines[0]);
    const char *const *extra = narrow ? tui_form_help_narrow : tui_form_help_wide;
    int n = 0;
    for (int i = 0; i < nb && n < 80; i++)
        help_all[narrow][n++] = base[i];
    for (int i = 0; extra[i] && n < 80; i++)
        help_all[narrow][n++] = extra[i];
    help_all_n[narrow] = n;
}

/* (tui_internal.h) */
const char *const *tui_help_text(int rows, int cols, int *n, int *per_page, int *pages)
{
    int narrow = cols < HELP_WIDE_COLS;
    help_merge(narrow);
    *n = help_all_n[narrow];
    *per_page = rows - 2 > 1 ? rows - 2 : 1;
    *pages = (*n + *per_page - 1) / *per_page;
    return help_all[narrow];
}
