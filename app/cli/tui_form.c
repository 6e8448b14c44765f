/* tui_form.c - song keys, lines and export of the terminal UI (see tui_form.h). */
#include "tui_form.h"

#include <curses.h>
#include <stdio.h>
#include <string.h>

#include "form.h"
#include "instrument_form.h"
#include "mixer.h"
#include "render_session.h"
#include "song.h"

static const int morph_rates[] = {0, 2, 4, 8, 16};
static const char store_keys[FORM_SLOTS] = {'!', '@', '#', '$', '%', '^', '&', '*'};

int tui_form_key(Instrument *in, int ch, int row)
{
    const Session_settings *st = &in->session.settings;
    int strip = row >= 0 ? row : SESSION_MIX_CLICK;   /* on the groove row: the click */
    if (ch >= '1' && ch <= '8') {
        instrument_section_recall(in, ch - '1');
        return TUI_FORM_DONE;
    }
    for (int s = 0; s < FORM_SLOTS; s++)
        if (ch == store_keys[s]) {
            instrument_section_store(in, s);
            return TUI_FORM_DONE;
        }
    switch (ch) {
    case 'c': instrument_set_evolve(in, st->evolve - 0.1f); break;
    case 'C': instrument_set_evolve(in, st->evolve + 0.1f); break;
    case 'b': instrument_morph_store(in, 0); break;
    case 'B': instrument_morph_store(in, 1); break;
    case '<': instrument_set_morph(in, st->morph - 0.1f); break;
    case '>': instrument_set_morph(in, st->morph + 0.1f); break;
    case '~': {
        int k = 0;
        while (k < 5 && morph_rates[k] != st->morph_rate)
            k++;
        instrument_set_morph_rate(in, morph_rates[(k + 1) % 5]);
        break;
    }
    case ';': instrument_set_feel(in, st->feel_timing - 0.1f, st->feel_velocity); break;
    case ':': instrument_set_feel(in, st->feel_timing + 0.1f, st->feel_velocity); break;
    case '\'': instrument_set_feel(in, st->feel_timing, st->feel_velocity - 0.1f); break;
    case '"': instrument_set_feel(in, st->feel_timing, st->feel_velocity + 0.1f); break;
    case '/': instrument_toggle_bar_repeat(in); break;
    case '9': case '0':
        instrument_set_gain_db(in, strip, st->gain_db[strip] + (ch == '9' ? -1.0f : 1.0f));
        instrument_message(in, "%s level %+.0f dB", mixer_channel_name(strip), in->session.settings.gain_db[strip]);
        break;
    case '(': case ')':
        instrument_set_pan(in, strip, st->pan[strip] + (ch == '(' ? -0.1f : 0.1f));
        instrument_message(in, "%s pan %+.1f", mixer_channel_name(strip), in->session.settings.pan[strip]);
        break;
    case 'S': return TUI_FORM_CHAIN_PROMPT;
    case '|': instrument_chain_play(in, !in->form.chain_on); break;
    case 'F': instrument_toggle_auto_fill(in); break;
    default: return TUI_FORM_NONE;
    }
    return TUI_FORM_DONE;
}

void tui_form_chain_text(const Instrument *in, char *buf, size_t len)
{
    form_chain_text(in->form.chain, in->form.n_chain, buf, len);
    if (!buf[0])
        snprintf(buf, len, "A A B A fill");
}

void tui_form_chain_done(Instrument *in, const char *text)
{
    char err[200];
    if (instrument_set_chain(in, text, err, sizeof err) != 0) {
        instrument_message(in, "chain: %s", err);
        return;
    }
    char now[FORM_CHAIN_MAX * 8];
    form_chain_text(in->form.chain, in->form.n_chain, now, sizeof now);
    instrument_message(in, "chain %s (%d loops): | plays it", now, form_chain_loops(&in->form));
}

void tui_form_row_mixer(const Instrument *in, int row, int y, int x, int cols)
{
    if (x + 7 > cols)
        return;
    int strip = row >= 0 ? row : SESSION_MIX_CLICK;
    float db = in->session.settings.gain_db[strip], pan = in->session.settings.pan[strip];
    char text[16], p[8];
    if (pan < -0.05f)
        snprintf(p, sizeof p, "L%d", (int)(-pan * 9.0f + 0.5f));
    else if (pan > 0.05f)
        snprintf(p, sizeof p, "R%d", (int)(pan * 9.0f + 0.5f));
    else
        snprintf(p, sizeof p, "C");
    if (db == 0.0f && p[0] == 'C')
        return;   /* unity, centre: nothing to say */
    snprintf(text, sizeof text, "%s%+.0f %s", row >= 0 ? "" : "ck", db, p);
    mvaddnstr(y, x, text, cols - x);
}

void tui_form_song_line(const Instrument *in, int y, int cols)
{
    const Form *f = &in->form;
    char line[400];
    int n = snprintf(line, sizeof line, "song ");
    if (f->chain_on && f->n_chain > 0) {
        int total = form_chain_loops(f);
        int64_t k = in->pos.loop - f->chain_start;
        int at = total > 0 ? (int)(((k % total) + total) % total) : 0;
        /* each link, the one playing in brackets with its repeat */
        int start = 0;
        for (int i = 0; i < f->n_chain && n < (int)sizeof line - 40; i++) {
            const Form_link *l = &f->chain[i];
            int here = at >= start && at < start + l->repeats;
            if (here)
                n += snprintf(line + n, sizeof line - (size_t)n, "[%s %d/%d] ", form_slot_name(l->slot), at - start + 1,
                              l->repeats);
            else
                n += snprintf(line + n, sizeof line - (size_t)n, l->repeats > 1 ? "%s*%d " : "%s ",
                              form_slot_name(l->slot), l->repeats);
            start += l->repeats;
        }
        n += snprintf(line + n, sizeof line - (size_t)n, "(loop %d/%d%s)", at + 1, total, f->auto_fill ? ", auto fill" : "");
    } else {
        for (int s = 0; s < FORM_SLOTS; s++)
            n += snprintf(line + n, sizeof line - (size_t)n, s == f->playing ? "[%s]" : f->sec[s].used ? " %s " : " - ",
                          form_slot_name(s));
        if (f->n_chain > 0) {
            char chain[FORM_CHAIN_MAX * 8];
            form_chain_text(f->chain, f->n_chain, chain, sizeof chain);
            n += snprintf(line + n, sizeof line - (size_t)n, "  chain %s (| plays)", chain);
        }
    }
    if (in->pending_slot >= 0)
        n += snprintf(line + n, sizeof line - (size_t)n, "  next: %s", form_slot_name(in->pending_slot));
    else if (in->pos.playing && in->have_next && instrument_next_changes(in) > 0)
        n += snprintf(line + n, sizeof line - (size_t)n, "  new part next loop (%d cells)", instrument_next_changes(in));
    mvaddnstr(y, 0, line, cols);
}

void tui_form_controls_line(const Instrument *in, int y, int cols)
{
    const Session_settings *st = &in->session.settings;
    const Evolve *e = &in->form.ev;
    char line[300], morph[64];
    if (e->has_a && e->has_b && (st->morph > 0 || st->morph_rate > 0)) {
        if (st->morph_rate > 0)
            snprintf(morph, sizeof morph, "morph A~B every %d loops", (int)st->morph_rate);
        else
            snprintf(morph, sizeof morph, "morph %.2f", st->morph);
    } else {
        snprintf(morph, sizeof morph, "morph %s%s", e->has_a ? "A" : "-", e->has_b ? "B" : "-");
    }
    snprintf(line, sizeof line, "evolve %.2f  %s  feel time %.2f vel %.2f  one-bar %s", st->evolve, morph,
             st->feel_timing, st->feel_velocity, st->bar_repeat ? "repeat" : "off");
    mvaddnstr(y, 0, line, cols);
}

int tui_form_export(Instrument *in, const Kit *kit, int rate, const char *name, char *msg, size_t len)
{
    /* the folder as typed, the last part made safe */
    char dir[600] = "", base[128], path[900], stems[900], tracks[900], midi[900], err[300], report[300];
    const char *slash = strrchr(name, '/');
    if (slash) {
        snprintf(dir, sizeof dir, "%.*s/", (int)(slash - name), name);
        name = slash + 1;
    }
    song_safe_name(name, base, sizeof base);
    snprintf(path, sizeof path, "%s%s.wav", dir, base);
    snprintf(midi, sizeof midi, "%s%s.mid", dir, base);
    snprintf(stems, sizeof stems, "%s%s-stems", dir, base);
    snprintf(tracks, sizeof tracks, "%s%s-tracks.mid", dir, base);
    if (instrument_export_midi(in, midi, err, sizeof err) != 0) {
        snprintf(msg, len, "export failed: %.150s", err);
        return -1;
    }
    Song song;
    if (song_from_part(&song, &in->session, 2, err, sizeof err) != 0) {
        snprintf(msg, len, "export failed: %.150s", err);
        return -1;
    }
    int rc = render_song_files(&song, kit, rate, path, stems, 0, tracks, 1, report, sizeof report, err, sizeof err);
    song_free(&song);
    if (rc != 0) {
        snprintf(msg, len, "export failed: %.150s", err);
        return -1;
    }
    snprintf(msg, len, "exported %.100s%.60s.mid .wav -tracks.mid -stems/ (%.60s)", dir, base, report);
    return 0;
}

const char *const tui_form_help_wide[] = {
    "c C     evolve less / more         b B  store the latent as A / B",
    "< >     morph A..B                 ~  morph cycle (2 4 8 16 loops)",
    "; :     timing feel less / more    ' \"  velocity range less / more",
    "/       one-bar figures: repeat bar 1 in an empty bar 2 (on / off)",
    "9 0     level -1 / +1 dB           ( )  pan left / right (cursor",
    "        voice; on the groove row: the click)",
    "1-4 5-8 recall section A-D, fill F1-F4 (next loop)",
    "! @ # $ % ^ & *  store section A-D, F1-F4",
    "S       edit the song's chain      |  play / stop the chain",
    "F       auto fill on each section's last loop",
    NULL,
};

const char *const tui_form_help_narrow[] = {
    "c C      evolve less / more",          "b B      store latent A / B",
    "< >      morph A..B",                  "~        morph cycle 2..16 loops",
    "; :      timing feel",                 "' \"      velocity range",
    "/        one-bar repeat on / off",     "9 0      level -1 / +1 dB",
    "( )      pan left / right",            "1-8      recall A-D, F1-F4",
    "!@#$%^&* store A-D, F1-F4",            "S        edit the song's chain",
    "|        play / stop the chain",       "F        auto fill on / off",
    NULL,
};
