/* instrument_edit.c - editing the part by hand (instrument.h): the cells (toggle, velocity,
 * nudge, clear a row), undo and redo, saving the session as a file and exporting MIDI. An edit
 * is one undo step and goes to the engine for the next loop (instrument_internal.h hooks).
 *
 * Thread: the control thread only, like the rest of the Instrument.
 */
#include "instrument.h"

#include <math.h>
#include <stdio.h>

#include "clamp.h"
#include "feel.h"
#include "instrument_internal.h"
#include "midi_hvo.h"

/* -------------------------------------------------------------- edits -- */

int instrument_cell(const Instrument *in, int row, int step, float *velocity, float *offset)
{
    if (step < 0 || step >= HVO_STEPS || row < INSTRUMENT_GROOVE_ROW || row >= HVO_VOICES)
        return 0;
    if (row == INSTRUMENT_GROOVE_ROW) {
        const float *g = in->session.groove.g[step];
        *velocity = g[1];
        *offset = g[2];
        return g[0] > 0.5f;
    }
    *velocity = hvo_vel(&in->session.part, step, row);
    *offset = hvo_off(&in->session.part, step, row);
    return hvo_hit(&in->session.part, step, row) > 0.5f;
}

/* Writes one cell of a row (hit 0 clears it). */
static void set_cell(Instrument *in, int row, int step, int hit, float velocity, float offset)
{
    if (row == INSTRUMENT_GROOVE_ROW) {
        float *g = in->session.groove.g[step];
        g[0] = hit ? 1.0f : 0.0f;
        g[1] = hit ? clampf(velocity, 0.01f, 1.0f) : 0.0f;
        g[2] = hit ? clampf(offset, -0.5f, 0.5f) : 0.0f;
    } else {
        hvo_set(&in->session.part, step, row, hit, hit ? clampf(velocity, 0.01f, 1.0f) : 0.0f, offset);
    }
}

/* After a hand edit: a drum row becomes kept; the groove regenerates the rest. */
static void after_cell_edit(Instrument *in, int row)
{
    if (row != INSTRUMENT_GROOVE_ROW && !(in->session.settings.kept >> row & 1u)) {
        in->session.settings.kept |= 1u << row;
        instrument_message(in, "%s kept (edited by hand)", voice_name(row));
    }
    instrument_hook_changed(in);
    instrument_hook_resend(in);
    instrument_hook_request(in, in->pos.loop + 1);
}

/* Validates an edit's coordinates. */
static int edit_ok(int row, int step)
{
    return step >= 0 && step < HVO_STEPS && row >= INSTRUMENT_GROOVE_ROW && row < HVO_VOICES;
}

void instrument_edit_toggle(Instrument *in, int row, int step)
{
    if (!edit_ok(row, step))
        return;
    float vel, off;
    int hit = instrument_cell(in, row, step, &vel, &off);
    instrument_hook_before_edit(in);
    set_cell(in, row, step, !hit, 0.8f, 0.0f);
    after_cell_edit(in, row);
}

void instrument_edit_velocity(Instrument *in, int row, int step, float delta)
{
    float vel, off;
    if (!edit_ok(row, step) || !instrument_cell(in, row, step, &vel, &off))
        return;
    instrument_hook_before_edit(in);
    set_cell(in, row, step, 1, vel + delta, off);
    after_cell_edit(in, row);
}

void instrument_edit_nudge(Instrument *in, int row, int step, float delta)
{
    float vel, off;
    if (!edit_ok(row, step) || !instrument_cell(in, row, step, &vel, &off))
        return;
    instrument_hook_before_edit(in);
    set_cell(in, row, step, 1, vel, off + delta);
    after_cell_edit(in, row);
}

void instrument_edit_clear_row(Instrument *in, int row)
{
    if (!edit_ok(row, 0))
        return;
    int any = 0;
    for (int t = 0; t < HVO_STEPS; t++) {
        float v, o;
        any |= instrument_cell(in, row, t, &v, &o);
    }
    if (!any) {   /* nothing to clear: no undo step, and the row is not frozen for it */
        instrument_message(in, "%s: the row is empty already", row == INSTRUMENT_GROOVE_ROW ? "groove" : voice_name(row));
        return;
    }
    instrument_hook_before_edit(in);
    for (int t = 0; t < HVO_STEPS; t++)
        set_cell(in, row, t, 0, 0, 0);
    after_cell_edit(in, row);
}

/* Makes a restored snapshot the truth: engine settings, the part, a fresh generation. */
static void after_restore(Instrument *in)
{
    session_clamp(&in->session);
    live_recorder_init(&in->recorder, (Live_mode)in->session.settings.record_mode);
    instrument_hook_apply(in);
    in->have_next = 0;
    instrument_hook_send(in, &in->session.part);
    in->tap_undo_loop = -1;
    instrument_hook_changed(in);
    /* Parts asked for before the restore were made from a state that is gone: drop them. */
    in->accept_from = instrument_hook_request(in, in->pos.loop + 1);
}

int instrument_undo(Instrument *in)
{
    if (!undo_undo(&in->undo, &in->session)) {
        instrument_message(in, "nothing to undo");
        return 0;
    }
    after_restore(in);
    instrument_message(in, "undone (%d more)", undo_can_undo(&in->undo));
    return 1;
}

int instrument_redo(Instrument *in)
{
    if (!undo_redo(&in->undo, &in->session)) {
        instrument_message(in, "nothing to redo");
        return 0;
    }
    after_restore(in);
    instrument_message(in, "redone");
    return 1;
}

/* -------------------------------------------------------------- files -- */

int instrument_save_as(Instrument *in, const char *path, char *err, size_t errlen)
{
    int32_t was = in->session.unsaved;
    in->session.unsaved = 0;   /* the copy, and from now on the autosave, carry no mark */
    if (session_save(&in->session, path, err, errlen) != 0) {
        in->session.unsaved = was;
        return -1;
    }
    in->unsaved = 0;
    in->dirty = 1;   /* the autosave learns that the mark is gone */
    return 0;
}

int instrument_export_midi(Instrument *in, const char *path, char *err, size_t errlen)
{
    /* with the swing the engine plays, so the MIDI matches the WAV exported beside it */
    Hvo heard;
    feel_apply(&in->session.part, in->session.settings.feel_timing, in->session.settings.feel_velocity, &heard);
    return hvo_write_midi_swing(path, &heard, 1, in->session.settings.bpm, in->session.settings.swing,
                                err, errlen);
}
