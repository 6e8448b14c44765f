/* tui_keys.c - the terminal UI's keys (tui_internal.h): what each key does to the instrument,
 * the prompts (save as, export, chain) and the overwrite question, the overlays a key closes,
 * pastes (text only for an open prompt), and the decoded keys (term_input.h) as curses keys.
 * Every command key becomes an instrument call; the song keys go on to tui_form.c.
 *
 * Thread: the control thread only (the TUI's main loop), like the rest of the TUI.
 */
#define _XOPEN_SOURCE_EXTENDED 1
#include "tui_internal.h"

#include <curses.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "genre.h"
#include "tui_form.h"

/* Voice under the cursor, or -1 with a message when the cursor is on the groove. */
static int cursor_voice(Tui *t)
{
    if (t->cursor_row >= 0)
        return t->cursor_row;
    instrument_message(t->in, "move the cursor to a drum row for that");
    return -1;
}

/* Finishes a prompt: save the session as, or export MIDI + WAV. */
static void prompt_done(Tui *t)
{
    Instrument *in = t->in;
    char err[300], path[300];
    if (!t->prompt_buf[0]) {
        instrument_message(in, "cancelled");
    } else if (t->prompt == 1 && access(t->prompt_buf, F_OK) == 0) {
        t->confirm_overwrite = 1;   /* ask first: the answer comes with the next key */
        instrument_message(in, "%.150s exists: y overwrites it, any other key keeps it", t->prompt_buf);
    } else if (t->prompt == 1) {
        if (instrument_save_as(in, t->prompt_buf, err, sizeof err) == 0)
            instrument_message(in, "saved to %.150s", t->prompt_buf);
        else
            instrument_message(in, "save failed: %.150s", err);
    } else if (t->prompt == 3) {
        tui_form_chain_done(in, t->prompt_buf);
    } else {
        char msg[400];
        (void)path;
        tui_form_export(in, t->ctx->kits ? kit_deck_kit(t->ctx->kits) : t->ctx->kit, t->ctx->rate, t->prompt_buf, msg, sizeof msg);
        instrument_message(in, "%.190s", msg);
    }
    t->prompt = 0;
}

/* Handles a key while a prompt is open. */
static void prompt_key(Tui *t, int ch)
{
    int fresh = t->prompt_fresh;
    t->prompt_fresh = 0;
    if (fresh && ch >= 32 && ch <= 255 && ch != 127)
        t->prompt_buf[0] = 0;   /* the default answer is replaced by what is typed, not added to */
    size_t n = strlen(t->prompt_buf);
    if (ch == '\n' || ch == '\r' || ch == KEY_ENTER) {
        prompt_done(t);
    } else if (ch == 27 || ch == KEY_CTRL('c')) {
        t->prompt = 0;
        instrument_message(t->in, "cancelled");
    } else if (ch == KEY_CTRL('u')) {
        t->prompt_buf[0] = 0;
    } else if (ch == KEY_BACKSPACE || ch == 127 || ch == 8) {
        while (n && ((unsigned char)t->prompt_buf[n - 1] & 0xC0) == 0x80)
            n--;   /* a whole UTF-8 character goes */
        if (n)
            t->prompt_buf[n - 1] = 0;
    } else if (ch >= 32 && ch <= 255 && ch != 127 && n + 1 < sizeof t->prompt_buf) {
        /* bytes from 128 up are the bytes of a UTF-8 character (file names like "Übung") */
        t->prompt_buf[n] = (char)ch;
        t->prompt_buf[n + 1] = 0;
    }
}

/* Opens a prompt with a default answer: Enter takes it, backspace edits it, and the first
 * character typed (or pasted) replaces it. */
static void open_prompt(Tui *t, int kind, const char *answer)
{
    t->prompt = kind;
    t->prompt_fresh = 1;
    snprintf(t->prompt_buf, sizeof t->prompt_buf, "%s", answer);
}

static const int fill_cycle[] = {0, 2, 4, 8};

/* A key taken by what is open (a prompt, the overwrite question, the log, the help) or a tap
 * key. Returns 1 when the key was taken, else 0 (a command key). */
static int modal_key(Tui *t, int ch, double now)
{
    Instrument *in = t->in;
    if (t->prompt) {
        prompt_key(t, ch);
        return 1;
    }
    if (t->confirm_overwrite) {   /* ^S over an existing file: y saves, anything else keeps it */
        char err[300];
        t->confirm_overwrite = 0;
        if (ch != 'y' && ch != 'Y')
            instrument_message(in, "not saved: %.150s kept as it was", t->prompt_buf);
        else if (instrument_save_as(in, t->prompt_buf, err, sizeof err) == 0)
            instrument_message(in, "saved over %.150s", t->prompt_buf);
        else
            instrument_message(in, "save failed: %.150s", err);
        return 1;
    }
    if (t->log) {   /* any key closes the message log */
        t->log = 0;
        return 1;
    }
    if (t->help) {
        int rows, cols, n, per_page, pages;
        getmaxyx(stdscr, rows, cols);
        (void)tui_help_text(rows, cols, &n, &per_page, &pages);
        t->help = ch == '?' && t->help < pages ? t->help + 1 : 0;   /* '?' pages on */
        return 1;
    }
    float tap = ch >= 0 && ch < 128 ? live_key_velocity(ch) : -1.0f;
    if (tap > 0) {
        instrument_note_input(in, INPUT_KIND_TAPS);   /* computer keys */
        instrument_tap(in, tap, now);
        return 1;
    }
    return 0;
}

/* q: quits, or with unsaved edits first asks for q again (within 5 s). */
static void quit_key(Tui *t, double now)
{
    Instrument *in = t->in;
    if (in->unsaved && in->edited && !(t->quit_armed && now - t->quit_armed_at < 5.0)) {
        t->quit_armed = 1;
        t->quit_armed_at = now;
        if (in->autosave && !(in->dirty && in->last_save_fail > 0))
            instrument_message(in, "unsaved changes (autosaved; ^S saves a copy): q again to quit");
        else
            instrument_message(in, "unsaved changes, NOT autosaved (^S saves): q again to quit");
    } else {
        t->quit = 1;
    }
}

/* Handles one key. */
static void handle_key(Tui *t, int ch, double now)
{
    if (modal_key(t, ch, now))
        return;
    Instrument *in = t->in;
    Session_settings *st = &in->session.settings;
    if (ch != 'q')
        t->quit_armed = 0;
    int r = t->cursor_row, s = t->cursor_step, v;
    switch (ch) {
    case 'q': quit_key(t, now); break;
    case KEY_CTRL('c'): t->quit = 1; break;
    case ' ': instrument_toggle_play(in); break;
    case '?': t->help = 1; break;
    case KEY_UP: t->cursor_row = r > INSTRUMENT_GROOVE_ROW ? r - 1 : HVO_VOICES - 1; break;
    case KEY_DOWN: t->cursor_row = r < HVO_VOICES - 1 ? r + 1 : INSTRUMENT_GROOVE_ROW; break;
    case KEY_LEFT: t->cursor_step = (s + HVO_STEPS - 1) % HVO_STEPS; break;
    case KEY_RIGHT: t->cursor_step = (s + 1) % HVO_STEPS; break;
    case KEY_HOME: t->cursor_step = 0; break;
    case KEY_END: t->cursor_step = HVO_STEPS - 1; break;
    case 'x': case '\n': case '\r': case KEY_ENTER: instrument_edit_toggle(in, r, s); break;
    case '+': case '=': instrument_edit_velocity(in, r, s, 0.1f); break;
    case '-': case '_': instrument_edit_velocity(in, r, s, -0.1f); break;
    case ',': instrument_edit_nudge(in, r, s, -0.05f); break;
    case '.': instrument_edit_nudge(in, r, s, 0.05f); break;
    case 'X': instrument_edit_clear_row(in, r); break;
    case 'u': case KEY_CTRL('z'): instrument_undo(in); break;
    case 'U': case KEY_CTRL('y'): case KEY_CTRL('r'): instrument_redo(in); break;
    case '[': instrument_step_bpm(in, -1); break;
    case ']': instrument_step_bpm(in, +1); break;
    case '{': instrument_step_bpm(in, -10); break;
    case '}': instrument_step_bpm(in, +10); break;
    case 't': instrument_tap_tempo(in, now); break;
    case 'w': instrument_set_swing(in, st->swing - 0.02f); break;
    case 'W': instrument_set_swing(in, st->swing + 0.02f); break;
    case 'e': instrument_set_density(in, st->density - 0.05f); break;
    case 'E': instrument_set_density(in, st->density + 0.05f); break;
    case 'p': instrument_set_temperature(in, st->temperature - 0.1f); break;
    case 'P': instrument_set_temperature(in, st->temperature + 0.1f); break;
    case 'o': case 'O':
        if ((v = cursor_voice(t)) >= 0)
            instrument_set_threshold(in, v, st->thresholds[v] + (ch == 'o' ? -0.05f : 0.05f));
        break;
    case 'y': instrument_set_genre(in, st->genre <= -1 ? GENRE_COUNT - 1 : st->genre - 1); break;
    case 'Y': instrument_set_genre(in, st->genre >= GENRE_COUNT - 1 ? -1 : st->genre + 1); break;
    case 'i': instrument_fill_next(in); break;
    case 'I': {
        int k = 0;
        while (k < 4 && fill_cycle[k] != st->fill_every)
            k++;
        instrument_set_fill_every(in, fill_cycle[(k + 1) % 4]);
        break;
    }
    case 'v': instrument_new_variation(in); break;
    case 'V': instrument_previous_variation(in); break;
    case 'z': if ((v = cursor_voice(t)) >= 0) instrument_toggle_keep(in, v); break;
    case 'Z': instrument_free_all(in); break;
    case 'm': if ((v = cursor_voice(t)) >= 0) instrument_toggle_mute(in, v); break;
    case 'n': if ((v = cursor_voice(t)) >= 0) instrument_toggle_solo(in, v); break;
    case 'r': instrument_redraw(in); break;
    case 'M': instrument_set_click(in, !in->click); break;   /* metronome */
    case 'N': instrument_set_count_in(in, (in->count_in_bars + 1) % (INSTRUMENT_COUNT_IN_MAX + 1)); break;
    case 'T': instrument_set_respond(in, in->respond == HVO_STEPS ? HVO_STEPS_PER_BAR   /* takeover */
                                         : in->respond == HVO_STEPS_PER_BAR ? HVO_STEPS_PER_BEAT : HVO_STEPS); break;
    case 'D':   /* input delay: calibrate */
        if (in->calibrating)
            instrument_calibrate_finish(in, 1);
        else
            instrument_calibrate_start(in);
        break;
    case 'R': instrument_toggle_record_mode(in); break;
    case 'K':
        if (t->ctx->kits) {
            char msg[400];
            kit_deck_step(t->ctx->kits, +1, msg, sizeof msg);
            instrument_message(in, "%s", msg);
        }
        break;
    case 'A': instrument_set_tap_sound(in, tap_sound_next(in->tap_sound)); break;
    case 'H': t->log = 1; break;
    case 'J': {
        int on = t->ctx->sync ? run_sync_toggle_link(t->ctx->sync) : -1;
        instrument_message(in, on < 0 ? "Link: the MIDI clock in is the tempo source" : on ? "Link: joined" : "Link: left");
        break;
    }
    case KEY_CTRL('s'): open_prompt(t, 1, "groove.session"); break;
    case KEY_CTRL('e'): open_prompt(t, 2, "groove-part"); break;
    default:
        if (tui_form_key(in, ch, r) == TUI_FORM_CHAIN_PROMPT) {
            char chain[200];
            tui_form_chain_text(in, chain, sizeof chain);
            open_prompt(t, 3, chain);
        }
        break;
    }
}

/* The curses key for a decoded key (term_input.h), so handle_key reads as before. */
static int curses_key(int key)
{
    switch (key) {
    case TERM_KEY_UP: return KEY_UP;
    case TERM_KEY_DOWN: return KEY_DOWN;
    case TERM_KEY_LEFT: return KEY_LEFT;
    case TERM_KEY_RIGHT: return KEY_RIGHT;
    case TERM_KEY_HOME: return KEY_HOME;
    case TERM_KEY_END: return KEY_END;
    case TERM_KEY_INSERT: return KEY_IC;
    case TERM_KEY_DELETE: return KEY_DC;
    case TERM_KEY_PAGE_UP: return KEY_PPAGE;
    case TERM_KEY_PAGE_DOWN: return KEY_NPAGE;
    case TERM_KEY_BACKTAB: return KEY_BTAB;
    case TERM_KEY_KEYPAD_ENTER: return KEY_ENTER;
    case TERM_KEY_FUNCTION: return KEY_F(0);   /* no function key does anything */
    default: return key;
    }
}

/* (tui_internal.h) */
void tui_handle_event(Tui *t, const Term_event *ev, double now)
{
    switch (ev->type) {
    case TERM_EVENT_KEY:
        if (ev->alt) {   /* Alt+key is not the plain key: groove binds no Alt key */
            instrument_message(t->in, "Alt+%c does nothing (groove has no Alt keys; ? lists the keys)", ev->key);
            break;
        }
        handle_key(t, curses_key(ev->key), now);
        break;
    case TERM_EVENT_PASTE_BEGIN:
        t->paste_bytes = 0;
        break;
    case TERM_EVENT_PASTE:
        if (t->prompt && ev->key >= 32 && ev->key != 127)
            prompt_key(t, ev->key);
        else if (!t->prompt)
            t->paste_bytes++;
        break;
    case TERM_EVENT_PASTE_END:
        if (!t->prompt && t->paste_bytes > 0)
            instrument_message(t->in, "paste ignored (%d bytes): a paste is never a command; ^S and ^E prompts take text",
                               t->paste_bytes);
        t->paste_bytes = 0;
        break;
    default:
        break;
    }
}
