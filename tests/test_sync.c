/* test_sync.c - the sync hook (app/play/sync.h) driving a real engine from a stand-in Link
 * session, offline: the transport starts on the next bar line of the session's timeline (the
 * kick of step 0 sounds on that frame), the engine takes the session's tempo and follows a tempo
 * change without a jump, start/stop sync both ways, the loop lines' link_beat, only Link's
 * audio-thread calls on the audio thread; MIDI clock out from the same blocks; the output
 * offsets. (MIDI clock in from files and real Link peers: t_sync.sh, t_link.sh.) */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "engine.h"
#include "kit.h"
#include "loop_report.h"
#include "smf.h"
#include "sync.h"

#define RATE 48000

/* A Link session as the sync hook sees it: beat = (t - t0) * bpm / 60 from the last tempo
 * change on, counting which calls came. */
typedef struct {
    double bpm, t0, beat0;  /* beat0 at time t0 */
    int playing, peers;
    int audio_calls, app_calls, set_playing_calls;
} Fake_link;

static void fake_capture(void *user, double t, double quantum, double *beat, double *bpm, int *playing)
{
    Fake_link *f = user;
    (void)quantum;
    f->audio_calls++;
    *beat = f->beat0 + (t - f->t0) * f->bpm / 60.0;
    *bpm = f->bpm;
    *playing = f->playing;
}

static void fake_set_playing(void *user, int playing, double t)
{
    Fake_link *f = user;
    (void)t;
    f->set_playing_calls++;
    f->playing = playing;
}

static int fake_peers(void *user)
{
    Fake_link *f = user;
    f->app_calls++;
    return f->peers;
}

static double fake_tempo(void *user)
{
    Fake_link *f = user;
    f->app_calls++;
    return f->bpm;
}

static void fake_set_tempo(void *user, double bpm)
{
    Fake_link *f = user;
    f->app_calls++;
    f->bpm = bpm;
}

/* Changes the session tempo at time t, the beat continuous (as Link does). */
static void fake_retempo(Fake_link *f, double t, double bpm)
{
    f->beat0 += (t - f->t0) * f->bpm / 60.0;
    f->t0 = t;
    f->bpm = bpm;
}

static void make_block_kit(Kit *kit)
{
    memset(kit, 0, sizeof *kit);
    kit->rate = RATE;
    for (int v = 0; v < HVO_VOICES; v++) {
        float *d = malloc(sizeof(float) * 100);
        for (int i = 0; i < 100; i++)
            d[i] = 0.25f;
        kit->voices[v].layers[0] = (Kit_layer){d, 100, 0.0f, 1.0f, 1.0f};
        kit->voices[v].n_layers = 1;
    }
}

/* Renders n frames in 256-frame blocks; returns the first onset at or after frame `from`
 * (counted from the first frame this call renders), or -1. */
static int64_t render_onset(Engine *e, int n)
{
    float buf[2 * 256];
    int64_t onset = -1;
    float last = 0;
    for (int at = 0; at < n; at += 256) {
        engine_render(e, buf, 256);
        for (int i = 0; i < 256; i++) {
            if (onset < 0 && buf[2 * i] != 0.0f && last == 0.0f)
                onset = at + i;
            last = buf[2 * i];
        }
    }
    return onset;
}

static void test_link(void)
{
    Kit kit;
    make_block_kit(&kit);
    Engine e;
    CHECK(engine_init(&e, RATE, &kit) == 0, "engine_init");
    Hvo p;
    hvo_clear(&p);
    hvo_set(&p, 0, VOICE_KICK, 1, 1.0f, 0.0f);
    engine_set_pattern(&e, &p);

    /* The session: 120 BPM, beat 2.6 at time 0 (engine frame 0: offline, host = engine clock),
     * not playing, 2 peers. */
    Fake_link f = {120.0, 0.0, 2.6, 0, 2, 0, 0, 0};
    Sync s;
    CHECK(sync_init(&s, SYNC_LINK, RATE) == 0, "sync_init");
    s.link = (Sync_link){&f, fake_capture, fake_set_playing, fake_peers, fake_tempo, fake_set_tempo};
    sync_record_midi_out(&s);
    CHECK(sync_source_now(&s) == SYNC_INTERNAL, "Link there but not joined: the source is internal");
    sync_set_link(&s, 1);
    CHECK(sync_source_now(&s) == SYNC_LINK, "joined: the source is Link");
    Engine_hook h = sync_hook(&s);
    engine_set_hook(&e, &h);

    /* Nobody plays: the engine stays stopped. */
    render_onset(&e, 4096);
    Engine_position pos;
    engine_position(&e, &pos);
    CHECK(!pos.playing, "the session does not play: neither does groove");
    CHECK(fabs(pos.bpm - 120.0f) < 1e-3, "the engine takes the session's tempo");

    /* Play here: the session starts (start/stop sync) and step 0 waits for the next bar line,
     * beat 4 (the session is at beat 2.6 + 4096 frames). */
    engine_play(&e);
    double now = 4096.0 / RATE;
    double beat_now = 2.6 + now * 2.0;
    double want = (4.0 - beat_now) / 2.0 * RATE;   /* frames from here to beat 4 */
    int64_t onset = render_onset(&e, 2 * RATE);
    CHECK(f.set_playing_calls == 1 && f.playing == 1, "playing here starts the session (one audio-thread commit)");
    CHECK(llabs(onset - llround(want)) <= 1, "the kick of step 0 sounds on the bar line: frame %lld (want %.1f)",
          (long long)onset, want);
    Loop_report r;
    loop_report_init(&r);
    sync_report(&s, &r, 0);
    CHECK(r.link_beat == r.link_beat && fabs(r.link_beat - 4.0) < 1e-6 && r.link_peers == 2 && !strcmp(r.sync, "link"),
          "loop 0's line: sync link, 2 peers, link_beat 4.0 (%.6f)", r.link_beat);
    CHECK(f.app_calls == 1, "the audio thread made only Link's audio-thread calls (the one app call: the report)");

    /* The session goes to 90 BPM at this moment: the engine follows, its step continuous. */
    engine_position(&e, &pos);
    double step_before = pos.step;
    double t_change = (4096.0 + 2 * RATE) / RATE;
    fake_retempo(&f, t_change, 90.0);
    render_onset(&e, 256);
    engine_position(&e, &pos);
    CHECK(fabs(pos.bpm - 90.0f) < 1e-3, "the session's new tempo is the engine's (%.2f)", pos.bpm);
    CHECK(fabs(pos.step - (step_before + 256.0 * 120 * 4 / 60 / RATE)) < 0.01,
          "no jump at the change: the step moved one block at the old tempo (%.4f -> %.4f)", step_before, pos.step);
    /* Loop 1 starts 8 beats after loop 0: on beat 12. */
    render_onset(&e, 6 * RATE);
    sync_report(&s, &r, 1);
    CHECK(fabs(r.link_beat - 12.0) < 1e-4, "loop 1 starts on beat 12 (%.6f)", r.link_beat);

    /* A peer stops the session: groove stops. */
    f.playing = 0;
    render_onset(&e, 512);
    engine_position(&e, &pos);
    CHECK(!pos.playing, "a peer stops the session: groove stops");
    CHECK(f.set_playing_calls == 1, "... without committing anything itself");

    /* Everything went to MIDI out as well: Start on the bar line, pulses, Stop. */
    char err[200];
    char path[] = "/tmp/groove-test-sync-XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0 && sync_write_midi_out(&s, path, err, sizeof err) == 0, "the MIDI out file is written (%s)", err);
    Smf smf;
    CHECK(smf_read_file(&smf, path, err, sizeof err) == 0, "and reads back");
    int starts = 0, stops = 0, pulses = 0;
    double start_t = -1;
    for (int i = 0; i < smf.n_escapes; i++) {
        uint8_t b = smf.escapes[i].bytes[0];
        starts += b == 0xfa;
        stops += b == 0xfc;
        pulses += b == 0xf8;
        if (b == 0xfa)
            start_t = smf_tick_to_seconds(&smf, smf.escapes[i].tick);
    }
    CHECK(starts == 1 && stops == 1 && pulses > 24 * 8, "one Start, %d pulses, one Stop", pulses);
    CHECK(fabs(start_t - (4096.0 + want) / RATE) < 1e-4, "the Start on the bar line (%.5f s)", start_t);
    CHECK(smf.n_notes >= 2 && fabs(smf_tick_to_seconds(&smf, smf.notes[0].tick) - start_t) < 1e-4 &&
              smf.notes[0].note == 36,
          "the kick's note with it");
    smf_deinit(&smf);
    if (fd >= 0) {
        close(fd);
        unlink(path);
    }
    /* Leaving the session: the engine keeps its own time again. */
    sync_set_link(&s, 0);
    loop_report_init(&r);
    sync_report(&s, &r, 2);
    CHECK(!strcmp(r.sync, "internal") && r.link_peers == -1, "left: sync internal, link_peers null");
    engine_set_hook(&e, NULL);
    sync_deinit(&s);
    engine_deinit(&e);
    kit_deinit(&kit);
}

/* The port paths with a host clock: clock in from a "port" (host-stamped messages as the MIDI
 * thread hands them over, late) and clock out to a "port" (host timestamps). */
static double fake_host;   /* host seconds at engine frame 0 is 100.0; advanced per block */
static double fake_host_now(void) { return fake_host; }

typedef struct {
    double t[4096];
    uint8_t b[4096];
    int n;
} Port_log;

static void port_send(void *user, const uint8_t *bytes, int n, double host_time)
{
    Port_log *p = user;
    (void)n;
    if (p->n < 4096) {
        p->t[p->n] = host_time;
        p->b[p->n++] = bytes[0];
    }
}

static void test_ports(void)
{
    Kit kit;
    make_block_kit(&kit);
    Engine e;
    CHECK(engine_init(&e, RATE, &kit) == 0, "engine_init");
    Hvo p;
    hvo_clear(&p);
    hvo_set(&p, 0, VOICE_KICK, 1, 1.0f, 0.0f);
    engine_set_pattern(&e, &p);
    Sync s;
    CHECK(sync_init(&s, SYNC_CLOCK, RATE) == 0, "sync_init");
    s.host_now = fake_host_now;
    s.latency_s = 0.010;   /* a block rendered now is heard 10 ms later */
    static Port_log out;
    out.n = 0;
    sync_set_port_out(&s, port_send, &out);
    Engine_hook h = sync_hook(&s);
    engine_set_hook(&e, &h);
    /* 100 BPM pulses (25 ms) from host time 100.2 on, Start before the 49th (host 101.4). The
     * messages reach the sync one block after their time, as from the MIDI thread. */
    double pulse_t[24 * 12 + 48];
    int n_pulses = 24 * 12 + 48;
    for (int i = 0; i < n_pulses; i++)
        pulse_t[i] = 100.2 + i * 0.025;
    int next = 0, started = 0;
    float buf[2 * 256];
    int64_t frame = 0, first_onset = -1, loop1_onset = -1;
    double loop1 = pulse_t[48 + 8 * 24];   /* the kick of loop 1, 8 beats after the first */
    Engine_position pos;
    for (int b = 0; b < RATE * 9 / 256; b++) {
        fake_host = 100.0 + (double)frame / RATE;
        while (next < n_pulses && pulse_t[next] <= fake_host) {
            if (next == 48 && !started) {
                sync_port_in(&s, (const uint8_t[]){0xfa}, 1, pulse_t[next] - 0.005);
                started = 1;
            }
            sync_port_in(&s, (const uint8_t[]){0xf8}, 1, pulse_t[next]);
            next++;
        }
        engine_render(&e, buf, 256);
        for (int i = 0; i < 256; i++) {
            int onset = buf[2 * i] != 0.0f && (i > 0 ? buf[2 * i - 2] == 0.0f : 1);
            if (onset && first_onset < 0)
                first_onset = frame + i;
            if (onset && loop1_onset < 0 && 100.0 + (double)(frame + i) / RATE + s.latency_s > loop1 - 0.05)
                loop1_onset = frame + i;
        }
        frame += 256;
        sync_flush_out(&s);   /* as the control thread does */
    }
    engine_position(&e, &pos);
    CHECK(pos.playing && fabs(pos.bpm - 100.0f) < 0.01, "clock in from a port: playing at 100 BPM (%.3f)", pos.bpm);
    /* Step 0 can only sound once the pulse after Start has come in (a block late here) and been
     * placed (the output latency): it sounds at once, late by at most those. */
    double heard = 100.0 + (double)first_onset / RATE + s.latency_s;
    CHECK(first_onset >= 0 && heard >= pulse_t[48] - 1e-4 && heard < pulse_t[48] + s.latency_s + 2 * 256.0 / RATE,
          "step 0 sounds as soon as the pulse after Start is known (%.4f for the pulse at %.4f)", heard, pulse_t[48]);
    /* From then on the line through the pulses places every step: loop 1's kick is heard on its
     * pulse (host time), to the frame. */
    double heard1 = 100.0 + (double)loop1_onset / RATE + s.latency_s;
    CHECK(loop1_onset >= 0 && fabs(heard1 - loop1) < 0.0005, "loop 1's kick is heard on its pulse (%.5f vs %.5f)",
          heard1, loop1);
    /* Clock out to a port: pulses 25 ms apart in host time, after a Start. */
    int first = -1;
    double worst = 0;
    int count = 0;
    for (int i = 0; i < out.n; i++) {
        if (out.b[i] == 0xfa && first < 0)
            first = i;
        if (first >= 0 && i > first + 2 && out.b[i] == 0xf8 && out.b[i - 1] == 0xf8) {
            double g = fabs(out.t[i] - out.t[i - 1] - 0.025);
            if (g > worst)
                worst = g;
            count++;
        }
    }
    CHECK(first >= 0 && count > 100 && worst < 0.0005, "clock out: Start, then %d pulses 25 ms apart (worst %.2g s)",
          count, worst);
    double in_pulse = pulse_t[48 + 8 * 24];
    int at_loop1 = 0;
    for (int i = 0; i < out.n; i++)
        at_loop1 |= out.b[i] == 0xf8 && fabs(out.t[i] - in_pulse) < 0.0005;
    CHECK(at_loop1, "clock out's pulses fall on clock in's (host time, output latency included)");
    engine_set_hook(&e, NULL);
    sync_deinit(&s);
    engine_deinit(&e);
    kit_deinit(&kit);
}

static void test_offsets_and_status(void)
{
    Sync s;
    CHECK(sync_init(&s, SYNC_INTERNAL, RATE) == 0, "sync_init");
    sync_set_offsets(&s, NULL, 80.0f, -12.5f);
    CHECK(s.audio_offset_ms == 50.0f && s.midi_offset_ms == -12.5f, "offsets clamp to +-50 ms");
    char line[200];
    sync_status(&s, line, sizeof line);
    CHECK(!strcmp(line, "internal, offset audio +50 ms midi -12.5 ms"), "the status line, offsets as set: %s", line);
    sync_source_status(&s, line, sizeof line);
    CHECK(!strcmp(line, "internal"), "the source alone (the TUI's top line): %s", line);
    sync_offset_status(&s, 1, line, sizeof line);
    CHECK(!strcmp(line, "offset +50/-12.5 ms"), "the offsets, compact (the TUI's practice line): %s", line);
    sync_set_offsets(&s, NULL, 0.0f, 0.0f);
    sync_offset_status(&s, 1, line, sizeof line);
    sync_status(&s, line + 100, 100);
    CHECK(line[0] == 0 && !strcmp(line + 100, "internal"), "no offsets: nothing said (%s)", line + 100);
    CHECK(sync_add_bpm_at(&s, 2, 133.0f) == 0, "a --bpm-at");
    for (int i = 1; i < SYNC_MAX_BPM_AT; i++)
        sync_add_bpm_at(&s, i, 100.0f);
    CHECK(sync_add_bpm_at(&s, 99, 100.0f) == -1, "at most %d --bpm-at", SYNC_MAX_BPM_AT);
    sync_deinit(&s);
    CHECK(!strcmp(sync_source_name(SYNC_CLOCK), "clock") && !strcmp(sync_source_name(SYNC_LINK), "link"), "names");
}

int main(void)
{
    test_link();
    test_ports();
    test_offsets_and_status();
    return check_summary();
}
