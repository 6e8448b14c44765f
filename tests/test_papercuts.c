/* test_papercuts.c - a first player's papercuts (issue 11, item 11) on the instrument: the BPM
 * keys snap back to whole BPM after tap tempo; clearing an empty row neither freezes it nor
 * makes an undo step; z on a kept row frees it and one call frees all; the unsaved-changes
 * mark survives a restart (and a named save clears it for good). */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "engine.h"
#include "instrument.h"

#define RATE 48000

static Engine engine;

static int start(Instrument *in, const char *session)
{
    char err[256];
    engine_init(&engine, RATE, NULL);
    Instrument_options opt = {.model_path = "/nonexistent/model.gtm", .session_path = session, .no_session = session == NULL,
                              .config_path = "/nonexistent/config", .input_latency_ms = 0};
    return instrument_init(in, &engine, &opt, err, sizeof err);
}

static void stop(Instrument *in)
{
    instrument_deinit(in);
    engine_deinit(&engine);
}

int main(void)
{
    Instrument in;
    CHECK(start(&in, NULL) == 0, "instrument up");
    instrument_set_bpm(&in, 99.6f); /* as tap tempo leaves it */
    instrument_step_bpm(&in, +1);
    CHECK(in.session.settings.bpm == 100.0f, "] after tap tempo (99.6): 100, not 100.6 (%.2f)", in.session.settings.bpm);
    instrument_step_bpm(&in, +1);
    CHECK(in.session.settings.bpm == 101.0f, "] again: 101");
    instrument_set_bpm(&in, 99.6f);
    instrument_step_bpm(&in, -1);
    CHECK(in.session.settings.bpm == 99.0f, "[ from 99.6: 99 (%.2f)", in.session.settings.bpm);
    instrument_set_bpm(&in, 99.6f);
    instrument_step_bpm(&in, +10);
    CHECK(in.session.settings.bpm == 110.0f, "} from 99.6: 110, not 109.6 (%.2f)", in.session.settings.bpm);
    instrument_set_bpm(&in, 109.6f);
    instrument_step_bpm(&in, -10);
    CHECK(in.session.settings.bpm == 100.0f, "{ from 109.6: 100 (%.2f)", in.session.settings.bpm);

    /* An empty row: clearing it changes nothing. */
    Hvo empty;
    hvo_clear(&empty);
    in.session.part = empty;
    in.session.settings.kept = 0;
    int undo_before = in.undo.undo_count;
    instrument_edit_clear_row(&in, VOICE_RIDE);
    CHECK(!(in.session.settings.kept >> VOICE_RIDE & 1u), "clearing an empty row does not freeze it");
    CHECK(in.undo.undo_count == undo_before, "... and makes no undo step");
    instrument_edit_toggle(&in, VOICE_KICK, 0);
    CHECK(in.session.settings.kept >> VOICE_KICK & 1u, "an edited row is kept (frozen)");
    instrument_toggle_keep(&in, VOICE_KICK);
    CHECK(!(in.session.settings.kept >> VOICE_KICK & 1u), "z on a kept row frees it");
    instrument_toggle_keep(&in, VOICE_SNARE);
    instrument_toggle_keep(&in, VOICE_RIDE);
    instrument_free_all(&in);
    CHECK(in.session.settings.kept == 0, "one key frees every kept voice");
    stop(&in);

    /* The [+] mark across a restart. */
    char dir[] = "/tmp/groove-test-papercuts.XXXXXX", session[200], copy[200];
    if (!mkdtemp(dir))
        return 1;
    snprintf(session, sizeof session, "%s/session", dir);
    snprintf(copy, sizeof copy, "%s/copy.session", dir);
    CHECK(start(&in, session) == 0 && !in.unsaved, "a fresh session has no unsaved mark");
    instrument_set_swing(&in, 0.2f);
    CHECK(in.unsaved, "a change sets the mark");
    instrument_tick(&in, 10.0);
    instrument_tick(&in, 20.0);
    stop(&in);
    CHECK(start(&in, session) == 0 && in.unsaved, "after a restart the mark is still there (the change was never saved by name)");
    char err[256];
    CHECK(instrument_save_as(&in, copy, err, sizeof err) == 0 && !in.unsaved, "a named save clears it");
    instrument_tick(&in, 10.0);
    instrument_tick(&in, 20.0);
    stop(&in);
    CHECK(start(&in, session) == 0 && !in.unsaved, "... also after the next restart");
    stop(&in);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        printf("     could not remove %s\n", dir);
    return check_summary();
}
