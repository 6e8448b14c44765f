/* cmd_run.c - `groove` / `groove run`: the instrument, in the terminal or headless.
 *
 * Opens the kit, the audio device (silent when there is none), MIDI, builds the Instrument and
 * hands it to the TUI, or - with --headless - runs the same instrument without a terminal:
 *   real time: MIDI in (or --play-groove) -> the engine on the audio device (or the silent
 *              clock) and MIDI out; prints one line per loop (for the soak benchmark);
 *   offline:   with --out-wav, renders as fast as it can into a WAV file, the model asked for
 *              every loop's part before the loop is rendered (deterministic).
 * --out-mid writes the parts that played, loop after loop, as one MIDI file.
 */
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "commands.h"
#include "dev_audio.h"
#include "dev_midi.h"
#include "error.h"
#include "export.h"
#include "feed.h"
#include "feel.h"
#include "instrument.h"
#include "instrument_form.h"
#include "kit.h"
#include "loop_report.h"
#include "midi_hvo.h"
#include "mixer.h"
#include "offline.h"
#include "options.h"
#include "practice.h"
#include "run_options.h"
#include "run_sync.h"
#include "sync.h"
#include "tui.h"
#include "wav.h"



static volatile sig_atomic_t stop_requested;
static void on_stop_signal(int sig)
{
    (void)sig;
    stop_requested = 1;
}

/* Resident memory in kB (from /proc/self/statm), or 0. */
static long rss_kb(void)
{
    FILE *f = fopen("/proc/self/statm", "r");
    long pages = 0, resident = 0;
    if (f) {
        if (fscanf(f, "%ld %ld", &pages, &resident) != 2)
            resident = 0;
        fclose(f);
    }
    return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

/* MIDI out: the instrument's notes to the device. */
static void note_to_midi(void *user, int voice, float velocity, double when)
{
    midi_send(user, voice_gm_note(voice), velocity, when);
}

/* Collects the part each loop played, for --out-mid. */
typedef struct {
    int enabled;            /* only with --out-mid: otherwise a long run would grow */
    Hvo *parts;
    int n, cap;
    int64_t last_loop;
} Part_log;

static void part_log_add(Part_log *log, const Instrument *in)
{
    if (!log->enabled || !in->pos.playing || in->pos.loop == log->last_loop)
        return;
    log->last_loop = in->pos.loop;
    if (log->n == log->cap) {
        int cap = log->cap ? 2 * log->cap : 16;
        Hvo *p = realloc(log->parts, sizeof *p * (size_t)cap);
        if (!p)
            return;
        log->parts = p;
        log->cap = cap;
    }
    const Session_settings *st = &in->session.settings;   /* as heard: with the feel */
    feel_apply(&in->session.part, st->feel_timing, st->feel_velocity, &log->parts[log->n++]);
}

/* Writes the parts played (--out-mid) at the session's tempo, or, when a file was played in at
 * its own tempo map, with that map laid over the loops as they played. 0 or -1 with err. */
static int write_parts_midi(const char *path, const Hvo *parts, int n, const Instrument *in, const Feed *feed,
                            int tracks, char *err, size_t errlen)
{
    if ((!feed || feed->n_tempos <= 1) && tracks)
        return hvo_write_midi_tracks(path, parts, n, in->session.settings.bpm, in->session.settings.swing, err, errlen);
    if (!feed || feed->n_tempos <= 1)
        return hvo_write_midi_swing(path, parts, n, in->session.settings.bpm, in->session.settings.swing, err, errlen);
    Smf smf;
    if (hvo_to_smf_swing(parts, n, feed->bpm, in->session.settings.swing, &smf, err, errlen) != 0)
        return -1;
    int passes = (int)ceil(n * (double)HVO_STEPS / feed->length);
    Smf_tempo *tempos = malloc(sizeof *tempos * (size_t)(passes * feed->n_tempos + 1));
    if (!tempos) {
        smf_deinit(&smf);
        return error_set(err, errlen, "out of memory");
    }
    int k = 0;
    const double ticks_per_step = MIDI_HVO_PPQ / HVO_STEPS_PER_BEAT;
    for (int pass = 0; pass < passes; pass++)
        for (int i = 0; i < feed->n_tempos; i++) {
            double at = pass * feed->length + feed->tempo_position[i];
            if (at >= n * (double)HVO_STEPS)
                break;
            tempos[k++] = (Smf_tempo){(uint32_t)llround(at * ticks_per_step), (uint32_t)lround(60e6 / feed->tempo_bpm[i])};
        }
    free(smf.tempos);
    smf.tempos = tempos;
    smf.n_tempos = k;
    if (tracks)
        hvo_smf_voice_tracks(&smf);
    int rc = smf_write_file(&smf, path, err, errlen);
    smf_deinit(&smf);
    return rc;
}

/* What the per-loop lines need to remember between loops. */
typedef struct {
    int64_t printed;           /* loop last printed, -1 before the first */
    Hvo prev_part;             /* the part the printed loop played */
    long rss_first;            /* resident memory at loop 2, kB */
} Loop_printer;

/* Prints one line for a loop that has just started: the JSON object of loop_report.h with
 * --json, otherwise the text line the soak benchmark reads. */
static void loop_printer_print(Loop_printer *lp, const Instrument *in, Engine *engine, Sync *sync,
                               const Run_options *o)
{
    Engine_stats st;
    engine_stats(engine, &st);
    long rss = rss_kb();
    if (in->pos.loop == 2)
        lp->rss_first = rss;
    if (o->json) {
        Loop_report r;
        loop_report_init(&r);
        loop_report_fill(&r, in, &st, lp->printed >= 0 ? &lp->prev_part : NULL);
        sync_report(sync, &r, in->pos.loop);
        r.rss_kb = rss;
        char line[LOOP_REPORT_MAX];
        if (loop_report_json(&r, line, sizeof line) >= 0)
            puts(line);
    } else {
        printf("loop %lld: generations %llu, gen %.0f us (max %.0f), hits %d, taps %llu, xruns %llu, "
               "load %.3f (max %.3f), rss %ld kB\n",
               (long long)in->pos.loop, (unsigned long long)in->generations, in->last_gen_us, in->max_gen_us,
               hvo_count_hits(&in->session.part), (unsigned long long)in->taps,
               (unsigned long long)st.xruns, st.load_avg, st.load_max, rss);
    }
    fflush(stdout);
    lp->printed = in->pos.loop;
    lp->prev_part = in->session.part;
}

/* A loop has started playing: the engine runs and has passed its step 0 (under Link or a MIDI
 * clock the transport may run a little before step 0, waiting for the bar line or the pulse). */
static int loop_started(const Instrument *in)
{
    return in->pos.playing && !in->play_pending && in->pos.step >= 0;
}

/* What the offline render's hook works with. */
typedef struct {
    Instrument *in;
    Engine *engine;
    Feed *feed;
    Sync *sync;
    const Run_options *o;
    Part_log *log;
    Loop_printer lp;
    int loops;
    int last_n;                /* frames of the block rendered last */
    int aligned;               /* a file rendered in step: loop k's drums answer loop k's groove */
    int64_t installed;         /* aligned: the last loop whose groove the model has had */
    int64_t seen_loop;         /* the loop that started last (-1 before the first) */
    int played;                /* loops started: fewer than `loops` when a clock stops the transport */
} Offline_run;

/* Aligned render: hands the instrument the groove of `loop` (known in advance) and waits for
 * the part the model makes from it, which takes over when that loop starts. */
static void offline_install(Offline_run *x, int64_t loop, double now)
{
    Groove g;
    feed_groove(x->feed, loop, &g);
    instrument_set_groove(x->in, &g);
    instrument_wait_for_model(x->in, now);
    x->installed = loop;
}

/* The exact step the transport is at when the block starting at `frame` begins (the engine
 * reports the start of the block it rendered last). */
static double offline_step_now(const Run_options *o, Engine *e, int64_t frame, int *playing)
{
    Engine_position pos;
    engine_position(e, &pos);
    *playing = pos.playing;
    return pos.step + (double)(frame - pos.frame) / engine_frames_per_step(o->rate, engine_get_bpm(e));
}

/* Aligned render: follows the file's tempo map, ending the block where the tempo changes. */
static void offline_tempo(Offline_run *x, Engine *e, int64_t frame, int *n)
{
    int playing;
    double now = offline_step_now(x->o, e, frame, &playing);
    if (!playing)
        now = 0.0;
    instrument_follow_bpm(x->in, feed_bpm_at(x->feed, now));
    double change = feed_next_tempo(x->feed, now);
    double until = ceil((change - now) * engine_frames_per_step(x->o->rate, x->in->session.settings.bpm) - 1e-6);
    if (until >= 1 && until < *n)
        *n = (int)until;
}

/* Aligned render: sounds the file's taps (if the tap sound is not none) on their exact frames,
 * shortening the block to the next one. */
static void offline_taps(Offline_run *x, Engine *e, int64_t frame, int *n)
{
    int playing;
    double now = offline_step_now(x->o, e, frame, &playing);
    if (!playing)
        return;
    double fps = engine_frames_per_step(x->o->rate, engine_get_bpm(e));
    for (int guard = 0; guard < 4096; guard++) {
        float velocity;
        double at = feed_peek(x->feed, &velocity);
        if (at <= now + 1e-9) {
            tap_sound_play(e, x->in->tap_sound, -1, velocity);
            instrument_tap_counted(x->in, at);   /* the loop lines' taps and the summary */
            feed_skip(x->feed);
            continue;
        }
        double until = ceil((at - now) * fps - 1e-6);
        if (until >= 1 && until < *n)
            *n = (int)until;
        break;
    }
}

/* Before each block: the instrument's clock is the frames rendered; it ends after the loops. */
static Offline_step offline_before_block(void *ctx, Engine *e, int64_t frame, int in_body, int *n, char *err,
                                         size_t errlen)
{
    (void)in_body;
    (void)err;
    (void)errlen;
    Offline_run *x = ctx;
    Instrument *in = x->in;
    /* the moment the last block was rendered (and heard: the file is the listener) */
    double now = (double)(frame - x->last_n) / x->o->rate;
    instrument_tick(in, now);
    sync_tick(x->sync, in);
    /* the next block starts where the last one ended: stop on the loop line, exactly */
    if (in->pos.playing && frame > 0) {
        double fps = engine_frames_per_step(x->o->rate, in->session.settings.bpm);
        double left = ((double)x->loops * HVO_STEPS - in->pos.step) * fps - x->last_n;
        if (left < 0.5)
            return OFFLINE_END;
        if (left < *n)
            *n = (int)llround(left) > 0 ? (int)llround(left) : 1;
    }
    if (x->o->practice.calibrate && !in->calibrating)
        return OFFLINE_END;
    /* Following a clock from a file: it ends a while after the file's last message. */
    if (sync_drives_transport(x->sync) && now > sync_input_end(x->sync) + 10.0)
        return OFFLINE_END;
    if (loop_started(in) && !instrument_counting_in(in) && in->pos.loop != x->seen_loop) {
        x->seen_loop = in->pos.loop;
        x->played++;
    }
    if (x->o->json && loop_started(in) && !instrument_counting_in(in) && in->pos.loop != x->lp.printed)
        loop_printer_print(&x->lp, in, x->engine, x->sync, x->o);
    if (x->feed && x->aligned) {
        /* the next loop's groove once this loop has begun (a step in): at the first block the
         * transport is still before step 0, and a part sent then would take over at that line */
        if (in->pos.playing && in->pos.loop + 1 > x->installed &&
            in->pos.step >= (double)in->pos.loop * HVO_STEPS + 1.0)
            offline_install(x, in->pos.loop + 1, now);
        if (x->o->bpm <= 0) /* the file's tempo map, changed on its exact frame */
            offline_tempo(x, e, frame, n);
        offline_taps(x, e, frame, n);
    } else if (x->feed) {
        practice_feed(&x->o->practice, x->feed, in, now, 1, 1.0);
        if (x->o->bpm <= 0) /* the file's tempo map, unless --bpm fixed one */
            instrument_follow_bpm(in, feed_bpm_at(x->feed, instrument_position_at(in, now)));
    }
    instrument_wait_for_model(in, now);
    part_log_add(x->log, in);
    x->last_n = *n;
    return OFFLINE_GO;
}

/* A sink that keeps nothing (a calibration on the render clock writes no file). */
static int offline_drop_sink(void *ctx, const float *frames, int n, char *err, size_t errlen)
{
    (void)ctx;
    (void)frames;
    (void)n;
    (void)err;
    (void)errlen;
    return 0;
}

/* Offline: renders loops into a WAV as fast as it can (synth/offline.h). */
static int run_offline(Instrument *in, Engine *engine, Feed *feed, Sync *sync, const Run_options *o, Part_log *log)
{
    char err[256];
    Wav_writer w;
    if (o->out_wav && wav_writer_open(&w, o->out_wav, ENGINE_CHANNELS, o->rate, WAV_PCM16, err, sizeof err) != 0) {
        fprintf(stderr, "groove: %s\n", err);
        return CMD_FAILED;
    }
    /* A file's taps line up with its drums (aligned), unless they stand for a player: --live,
     * --calibrate and --tap-delay feed them as played, through the practice timing. */
    int aligned = feed && !o->live && !o->practice.calibrate && o->practice.tap_delay_ms < 0;
    int loops = o->loops >= 0 ? o->loops : o->practice.calibrate ? 8 : 4;
    Offline_run x = {in, engine, feed, sync, o, log, {.printed = -1}, loops, 0, aligned, -1, -1, 0};
    instrument_tick(in, 0);
    if (x.aligned)
        offline_install(&x, 0, 0);   /* loop 0's drums from loop 0's groove, as generate does */
    if (!sync_drives_transport(sync))
        practice_start(&o->practice, in);
    instrument_wait_for_model(in, 0);
    Offline_plan plan = {-1, 0, 0, o->rate, offline_before_block, &x, o->out_wav ? offline_wav_sink : offline_drop_sink,
                         o->out_wav ? &w : NULL};
    Offline_result r;
    int rc = offline_render(engine, &plan, &r, err, sizeof err);
    if (o->out_wav && wav_writer_close(&w, rc == 0, err, sizeof err) != 0)
        rc = -1;
    if (rc != 0) {
        fprintf(stderr, "groove: %s\n", err);
        return CMD_FAILED;
    }
    if (o->out_wav)
        printf("groove: rendered %d loops (%.1f s) to %s, %llu generations, last %.0f us\n", x.played,
               (double)r.frames / o->rate, o->out_wav, (unsigned long long)in->generations, in->last_gen_us);
    return 0;
}

/* Real time without a terminal: ticks every 2 ms, prints one line per loop. */
static int run_realtime(Instrument *in, Engine *engine, Audio_out *audio, Midi *midi, Feed *feed, Sync *sync,
                        const Run_options *o, Part_log *log)
{
    /* headless there is no keyboard: say what is true ("no MIDI input: the keyboard plays" is
     * the TUI's line) */
    char sync_line[200];
    sync_status(sync, sync_line, sizeof sync_line);
    printf("groove: headless, audio: %s; %s; %s; %s; sync %s\n", audio ? audio_status(audio) : "none",
           midi_has_input(midi) ? midi_in_status(midi) : feed ? "no MIDI input (the file plays)" : "no MIDI input",
           midi_out_status(midi), in->model_note, sync_line);
    if (in->message[0] && strcmp(in->message, in->model_note) != 0)   /* session restored, or set aside */
        printf("groove: %s\n", in->message);
    fflush(stdout);
    if (o->practice.calibrate && !feed && !o->midi_in_file && !midi_has_input(midi)) {
        /* nothing can tap: it would wait for ever */
        fprintf(stderr, "groove: --calibrate needs taps: no MIDI input, no --play-groove or --midi-in-file\n");
        return 1;
    }
    /* A file to play, or a number of loops to run: start now. Otherwise the first tap does. */
    instrument_tick(in, midi_clock_now());   /* play asks when the next block is heard: from now */
    if ((feed || o->loops >= 0 || o->practice.click || o->practice.calibrate) && !sync_drives_transport(sync))
        practice_start(&o->practice, in);
    Loop_printer lp = {.printed = -1};
    while (!stop_requested) {
        double now = midi_clock_now();
        char event[400];
        if (audio_poll_event(audio, event, sizeof event)) {   /* the device lost, or back */
            printf("groove: audio: %s\n", event);
            fflush(stdout);
        }
        instrument_tick(in, now);
        sync_tick(sync, in);
        Midi_tap tap;
        while (midi_poll_tap(midi, &tap)) {
            instrument_note_input(in, tap.channel == 9 ? INPUT_KIND_DRUMS : INPUT_KIND_KEYS);
            instrument_tap_note(in, tap.velocity, tap.time, tap.note);
        }
        if (o->practice.calibrate && !in->calibrating)
            break;
        if (feed && in->pos.playing) {
            practice_feed(&o->practice, feed, in, now, 0, 0.05);
            if (o->bpm <= 0) /* the file's tempo map, unless --bpm fixed one */
                instrument_follow_bpm(in, feed_bpm_at(feed, instrument_position_at(in, now)));
        }
        part_log_add(log, in);
        if (loop_started(in) && !instrument_counting_in(in) && in->pos.loop != lp.printed) {
            loop_printer_print(&lp, in, engine, sync, o);
            if (o->loops >= 0 && lp.printed >= o->loops)
                break;
        }
        struct timespec nap = {0, 2000000};
        nanosleep(&nap, NULL);
    }
    Engine_stats st;
    engine_stats(engine, &st);
    printf("groove: done: %lld loops, %llu generations, max gen %.0f us, xruns %llu, rss first %ld kB last %ld kB\n",
           (long long)in->pos.loop, (unsigned long long)in->generations, in->max_gen_us,
           (unsigned long long)st.xruns, lp.rss_first, rss_kb());
    return 0;
}

/* 0 when a file can be written at path (not a folder; its folder exists and is writable), else
 * -1 with errno set: said before the run, not after a whole jam whose record is then lost. */
static int run_can_write(const char *path)
{
    struct stat st;
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
        errno = EISDIR;
        return -1;
    }
    char dir[4096];
    const char *slash = strrchr(path, '/');
    if (!slash)
        snprintf(dir, sizeof dir, ".");
    else
        snprintf(dir, sizeof dir, "%.*s", slash == path ? 1 : (int)(slash - path), path);
    return access(dir, W_OK | X_OK);
}

/* The --play-groove file loaded into feed (what it skips said), a model named with --model
 * that must exist (no silent fallback to random weights), and the folders of the MIDI files
 * written at the end (--out-mid, --midi-out-file). Returns 0, or -1 (said). */
static int run_check_inputs(Feed *feed, const Run_options *o, char *err, size_t errlen)
{
    const char *outs[2] = {o->out_mid, o->midi_out_file};
    for (int i = 0; i < 2; i++) {
        if (outs[i] && run_can_write(outs[i]) != 0) {
            fprintf(stderr, "groove: cannot write '%s': %s\n", outs[i], strerror(errno));
            return -1;
        }
    }
    if (o->play_groove && feed_load(feed, o->play_groove, err, errlen) != 0) {
        fprintf(stderr, "groove: %s\n", err);
        return -1;
    }
    if (o->play_groove && feed->skipped[0])
        fprintf(stderr, "groove: '%s': %s\n", o->play_groove, feed->skipped);
    if (o->model && access(o->model, F_OK) != 0) {
        /* asked for a model by name: no silent fallback to random weights */
        fprintf(stderr, "groove: cannot load model '%s': %s\n", o->model, strerror(errno));
        return -1;
    }
    return 0;
}

/* Makes the instrument on the engine: model, session, tempo, latency from the options (and the
 * file played in); a kit's missing samples also go to the status line. Returns 0, or -1 (said;
 * nothing held). */
static int run_make_instrument(Instrument *in, Engine *engine, const Kit *kit, const Run_options *o,
                               const Feed *feed, int offline, char *err, size_t errlen)
{
    /* A file played in (a demo) leaves the autosaved session alone unless --session names one. */
    /* An offline render reads a session named with --session (never writing it), else none. */
    Instrument_options io = {o->model, o->session,
                             o->no_session || (offline && !o->session) || (o->play_groove && !o->session),
                             o->bpm > 0 ? o->bpm : (o->play_groove ? feed->bpm : 0), 0,
                             offline && o->session != NULL && !o->no_session,
                             NULL, o->practice.input_latency_ms, o->rate};
    if (io.bpm > 300)
        io.bpm = 300;
    if (!offline)
        io.latency_s = (double)o->buffer / o->rate;
    if (instrument_init(in, engine, &io, err, errlen) != 0) {
        fprintf(stderr, "groove: %s\n", err);
        return -1;
    }
    if (offline && io.session_read_only && in->session_read != SESSION_OK) {   /* missing or unreadable */
        fprintf(stderr, "groove: %s\n", in->message);
    }
    if (o->headless && in->config_note[0])   /* the terminal UI shows it on the status line */
        fprintf(stderr, "groove: %s\n", in->config_note);
    if (kit->n_missing) {   /* also on the status line: the terminal UI hides what went to stderr */
        char line[400];
        instrument_message(in, "%s", kit_missing_line(kit, line, sizeof line));
    }
    return 0;
}

/* What run_sync needs of the options: tempo source, clock ports, offsets, --bpm-at, and
 * whether the run is in real time. */
static Run_sync_options run_sync_options_of(const Run_options *o, int offline)
{
    Run_sync_options so = {o->link, !o->headless, o->clock_in, o->clock_out, o->midi_in_file, o->midi_out_file,
                           o->have_audio_offset, o->have_midi_offset, o->audio_offset_ms, o->midi_offset_ms,
                           o->bpm_at, o->n_bpm_at, !offline, (double)o->buffer / o->rate, o->rate, 1};
    return so;
}

/* Opens MIDI in and out (and the clock ports) and hooks them to sync and the instrument's
 * notes out. Returns the Midi, or NULL (said). */
static Midi *run_open_midi(Run_sync *rs, const Run_sync_options *so, Instrument *in, const Run_options *o, char *err,
                           size_t errlen)
{
    Midi_clock_ports ports = run_sync_ports(rs, so);
    Midi *midi = midi_open_ports(o->midi_in, o->midi_out, &ports, err, errlen);
    if (!midi) {
        fprintf(stderr, "groove: %s\n", err);
        return NULL;
    }
    run_sync_attach_midi(rs, midi);
    if (o->midi_out)
        instrument_set_note_out(in, note_to_midi, midi);
    return midi;
}

/* --out-mid: the parts that played (or, never played, the part now) as one MIDI file, on the
 * file's tempo map when a file was played in without --bpm. Returns 0, or -1 (said). */
static int run_write_mid(const Run_options *o, const Part_log *log, const Instrument *in, const Feed *feed, char *err,
                         size_t errlen)
{
    const Hvo *parts = log->n ? log->parts : &in->session.part;   /* never played: the part now */
    if (write_parts_midi(o->out_mid, parts, log->n ? log->n : 1, in, o->play_groove && o->bpm <= 0 ? feed : NULL,
                         o->tracks, err, errlen) != 0) {
        fprintf(stderr, "groove: %s\n", err);
        return -1;
    }
    return 0;
}

/* The kit at the run's rate: a named --audio-device's own rate unless --rate or --out-wav says
 * otherwise. A kit asked for by name that cannot be loaded is an error (no silent fallback).
 * Returns 0 with kit loaded, or -1 (said on stderr; kit not held). */
static int run_load_kit(Kit *kit, Run_options *o, char *err, size_t errlen)
{
    int fell_back = 0;
    if (!o->rate_given && !o->out_wav && o->audio_device) {
        /* a device named: its own rate (a JACK server runs at one rate only), and the kit
         * follows it. The default device (ALSA's, which converts rates) is opened at 48 kHz
         * without asking first, so the instrument is ready at once. */
        int device_rate = audio_device_rate(o->audio_device);
        if (device_rate >= 8000 && device_rate <= 192000)
            o->rate = device_rate;
    }
    if (kit_load_or_default(kit, o->kit ? o->kit : "default", o->rate, &fell_back, err, errlen) != 0) {
        fprintf(stderr, "groove: cannot load a kit: %s\n", err);
        return -1;
    }
    if (o->kit && fell_back) {
        char *tail = strstr(err, "; playing the default");
        if (tail)
            *tail = 0;   /* asked for a kit by name: no silent fallback */
        fprintf(stderr, "groove: %s\n", err);
        kit_deinit(kit);
        return -1;
    }
    if (kit->n_missing)   /* the rest of the kit plays; say what is left out */
        fprintf(stderr, "groove: %s\n", kit_missing_line(kit, err, errlen));
    return 0;
}

/* The options that set up the instrument once it is made: tap sound, record mode, evolve,
 * input kind, mixer, chain, practice. Returns 0, or the exit status (said on stderr). */
static int run_apply_options(Instrument *in, const Run_options *o, const Feed *feed, char *err, size_t errlen)
{
    /* What a tap sounds like: --tap-sound, else nothing in an offline render of a file lined up
     * with its input (the drums only, as generate + render), else the played note. */
    int lined_up = o->out_wav && o->play_groove && !o->live && !o->practice.calibrate && o->practice.tap_delay_ms < 0;
    in->tap_sound = o->tap_sound != -4 ? o->tap_sound : lined_up ? TAP_SOUND_NONE : TAP_SOUND_NOTE;
    /* A file played in: each of its loops is a take, so the groove is what was just played. */
    if (o->play_groove)
        instrument_set_record_mode(in, LIVE_REPLACE);
    if (o->evolve >= 0)
        instrument_set_evolve(in, o->evolve);
    instrument_force_input_kind(in, o->input_kind);
    if (o->play_groove)
        instrument_note_input(in, feed->kind);   /* the file's kind from the first loop on */
    for (int i = 0; i < o->n_mix; i++)
        (o->mix[i].pan ? instrument_set_pan : instrument_set_gain_db)(in, o->mix[i].ch, o->mix[i].value);
    if (o->chain && instrument_set_chain(in, o->chain, err, errlen) != 0) {
        fprintf(stderr, "groove: --chain: %s\n", err);
        return 2;
    }
    if (o->chain || o->play_chain) {
        instrument_chain_play(in, 1);
        if (!in->form.chain_on) {
            fprintf(stderr, "groove: cannot play the chain: %s\n", instrument_message_now(in));
            return 1;
        }
    }
    practice_apply(&o->practice, in);
    return 0;
}

/* Opens the audio: the terminal instrument opens the default device in the background (ready
 * at once); a device named on the command line is opened first and must exist (it does not
 * run silent). Returns 0, or -1 (said on stderr; what was opened is in *audio / *async). */
static int run_open_audio(Engine *engine, const Run_options *o, Audio_out **audio, Audio_async **async)
{
    Audio_config ac = {o->audio_device, o->rate, o->buffer};
    if (!o->headless && !o->audio_device)
        *async = audio_async_start(engine, &ac);
    if (!*async)
        *audio = audio_open(engine, &ac);
    if (!*audio && !*async) {
        fprintf(stderr, "groove: out of memory\n");
        return -1;
    }
    if (o->audio_device && *audio && audio_is_silent(*audio)) {
        char why[300];
        snprintf(why, sizeof why, "%s", audio_status(*audio));
        char *tail = strstr(why, " (running silent)");
        if (tail)
            *tail = 0;   /* it stops here: it does not run silent */
        fprintf(stderr, "groove: %s\n", why);
        return -1;
    }
    return 0;
}

/* The run's last words: headless --calibrate's one JSON object (or why there is none), else
 * the summary of the taps played. Returns rc, or 1 when the calibration has no result. */
static int run_print_end(Instrument *in, const Run_options *o, int rc)
{
    if (o->practice.calibrate && o->headless) {
        if (in->calibrating)
            instrument_calibrate_finish(in, 1);
        if (isfinite(in->calibrated_ms)) {
            char line[128];
            puts(calibration_json(in->calibrated_ms, in->calibrated_spread_ms, in->calibrated_taps, line, sizeof line));
            if (!in->calibrated_saved)   /* measured, but the config file kept its old value: say so */
                fprintf(stderr, "groove: %s\n", in->message);
        } else if (rc == 0) {
            fprintf(stderr, "groove: %s\n", in->message);
            rc = 1;
        }
    } else if (in->taps > 0) {
        char line[160];
        printf("groove: %s\n", instrument_summary(in, line, sizeof line));
    }
    return rc;
}

/* --calibrate in the terminal: the calibration starts at once, as the key D does, its click
 * from now. */
static void run_calibrate_start(Instrument *in)
{
    instrument_tick(in, midi_clock_now());   /* its click starts from now */
    instrument_calibrate_start(in);   /* as the key D does */
}

int cmd_run(int argc, char **argv)
{
    Run_options o;
    int prc = run_options_parse(argc, argv, &o);
    if (prc == OPTIONS_HELP)
        return 0;
    if (prc)
        return prc;
    if (!o.headless && (!isatty(0) || !isatty(1))) {
        fprintf(stderr, "groove: the instrument needs a terminal (or use --headless)\n");
        return CMD_FAILED;
    }
    char err[512];
    int rc = 1;
    Kit kit;
    Engine engine;
    Instrument in;
    Feed feed = {0};
    Part_log log = {o.out_mid != NULL, NULL, 0, 0, -1};
    Audio_out *audio = NULL;
    Audio_async *audio_async = NULL;
    Midi *midi = NULL;
    Run_sync rs = {0};
    int have_kit = 0, have_engine = 0, have_instrument = 0, have_deck = 0;
    Kit_deck deck;   /* kit switching in the TUI (key K); freed after the audio stops */

    if (run_check_inputs(&feed, &o, err, sizeof err) != 0)
        goto done;
    if (run_load_kit(&kit, &o, err, sizeof err) != 0)
        goto done;
    have_kit = 1;
    if (engine_init(&engine, o.rate, &kit) != 0) {
        fprintf(stderr, "groove: out of memory\n");
        goto done;
    }
    have_engine = 1;
    /* --calibrate on a file played in runs on the render clock too (offline, no WAV) */
    int offline = o.out_wav || (o.headless && o.practice.calibrate && o.play_groove);
    if (run_make_instrument(&in, &engine, &kit, &o, &feed, offline, err, sizeof err) != 0)
        goto done;
    have_instrument = 1;
    int arc = run_apply_options(&in, &o, &feed, err, sizeof err);
    if (arc != 0) {
        rc = arc;
        goto done;
    }
    Run_sync_options so = run_sync_options_of(&o, offline);
    if (run_sync_open(&rs, &so, &in, &engine, err, sizeof err) != 0) {
        fprintf(stderr, "groove: %s\n", err);
        goto done;
    }
    if (offline) {
        rc = run_offline(&in, &engine, o.play_groove ? &feed : NULL, &rs.sync, &o, &log);
    } else {
        if (!(midi = run_open_midi(&rs, &so, &in, &o, err, sizeof err)))
            goto done;
        if (run_open_audio(&engine, &o, &audio, &audio_async) != 0)
            goto done;
        signal(SIGINT, on_stop_signal);
        signal(SIGTERM, on_stop_signal);
        if (o.headless) {
            rc = run_realtime(&in, &engine, audio, midi, o.play_groove ? &feed : NULL, &rs.sync, &o, &log);
        } else {
            have_deck = kit_deck_init(&deck, &engine, &kit, o.rate) == 0;
            if (o.practice.calibrate)
                run_calibrate_start(&in);
            Tui_context ctx = {&in, audio, midi, o.play_groove ? &feed : NULL, &kit, have_deck ? &deck : NULL, o.rate,
                               o.glyphs, &rs, audio_async};
            rc = tui_run(&ctx);
            audio = audio_async_finish(audio_async);   /* joined before anything is printed */
            audio_async = NULL;
        }
    }
    rc = run_print_end(&in, &o, rc);
    if (rc == 0 && o.out_mid && run_write_mid(&o, &log, &in, &feed, err, sizeof err) != 0)
        rc = 1;
    audio_close(audio);   /* the audio thread stops before anything it reads is freed */
    audio = NULL;
    if (run_sync_finish(&rs, rc == 0 ? o.midi_out_file : NULL, err, sizeof err) != 0) {
        fprintf(stderr, "groove: %s\n", err);
        rc = 1;
    }
done:
    if (audio_async)   /* still opening (an early way out): one Audio_out either way */
        audio = audio_async_finish(audio_async);
    audio_close(audio);
    midi_close(midi);
    run_sync_close(&rs);
    if (have_instrument)
        instrument_deinit(&in);
    if (have_engine)
        engine_deinit(&engine);
    if (have_deck)
        kit_deck_deinit(&deck);
    if (have_kit)
        kit_deinit(&kit);
    feed_deinit(&feed);
    free(log.parts);
    return rc;
}
