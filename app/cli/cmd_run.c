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
#include <time.h>
#include <unistd.h>

#include "commands.h"
#include "dev_audio.h"
#include "dev_midi.h"
#include "export.h"
#include "feed.h"
#include "instrument.h"
#include "kit.h"
#include "midi_hvo.h"
#include "tui.h"

typedef struct {
    const char *kit, *model, *midi_in, *midi_out, *audio_device, *play_groove, *out_wav, *out_mid;
    const char *session;
    float bpm;
    int headless, loops, rate, buffer, no_session;
} Run_options;

static void usage(FILE *out)
{
    fprintf(out,
            "usage: groove [run] [OPTIONS]\n"
            "  The instrument: tap a rhythm (keys a..l or MIDI), a drum part follows every loop.\n"
            "  --kit SPEC          drum kit: folder, Hydrogen drumkit or name (groove kits)\n"
            "  --model FILE        model file (default: nn/models/default.gtm)\n"
            "  --bpm N             tempo (default: the session's, or the --play-groove file's)\n"
            "  --midi-in DEV       MIDI input by index or name part ('none': keyboard only)\n"
            "  --midi-out DEV      send the drums to a MIDI output by index or name part\n"
            "  --audio-device DEV  audio output by index or name part (groove devices)\n"
            "  --rate N            sample rate (default 48000)\n"
            "  --buffer N          frames per audio buffer (default 256)\n"
            "  --play-groove FILE  feed a MIDI file as if it were played live (replace mode)\n"
            "  --session FILE      use this session file instead of the autosave\n"
            "  --no-session        neither restore nor save a session\n"
            "  --headless          no terminal: run the instrument core only\n"
            "  --loops N           headless: stop after N loops (default: until Ctrl-C; 4 offline)\n"
            "  --out-wav FILE      headless offline render to a WAV file\n"
            "  --out-mid FILE      headless: write the parts played as a MIDI file\n");
}

/* Parses the options. 0, 1 (error, said), or 2 (usage). */
static int parse_options(int argc, char **argv, Run_options *o)
{
    memset(o, 0, sizeof *o);
    o->rate = 48000;
    o->buffer = 256;
    o->loops = -1;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char **str = NULL;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout);
            return 3;
        } else if (!strcmp(a, "--headless")) {
            o->headless = 1;
            continue;
        } else if (!strcmp(a, "--no-session")) {
            o->no_session = 1;
            continue;
        }
        if (!strcmp(a, "--kit")) str = &o->kit;
        else if (!strcmp(a, "--model")) str = &o->model;
        else if (!strcmp(a, "--midi-in")) str = &o->midi_in;
        else if (!strcmp(a, "--midi-out")) str = &o->midi_out;
        else if (!strcmp(a, "--audio-device")) str = &o->audio_device;
        else if (!strcmp(a, "--play-groove")) str = &o->play_groove;
        else if (!strcmp(a, "--out-wav")) str = &o->out_wav;
        else if (!strcmp(a, "--out-mid")) str = &o->out_mid;
        else if (!strcmp(a, "--session")) str = &o->session;
        else if (strcmp(a, "--bpm") && strcmp(a, "--loops") && strcmp(a, "--rate") && strcmp(a, "--buffer")) {
            fprintf(stderr, "groove: unknown option '%s' (groove run --help)\n", a);
            return 2;
        }
        if (i + 1 >= argc) {
            fprintf(stderr, "groove: %s needs a value\n", a);
            return 2;
        }
        const char *v = argv[++i];
        if (str) {
            *str = v;
            continue;
        }
        char *end;
        errno = 0;
        double x = strtod(v, &end);
        if (*end || errno || !isfinite(x)) {
            fprintf(stderr, "groove: %s wants a number, not '%s'\n", a, v);
            return 1;
        }
        if (!strcmp(a, "--bpm")) {
            if (x < 40 || x > 300) {
                fprintf(stderr, "groove: --bpm must be 40..300\n");
                return 1;
            }
            o->bpm = (float)x;
        } else if (!strcmp(a, "--loops")) {
            if (x < 0 || x > 1e7) {
                fprintf(stderr, "groove: --loops must be 0..10000000\n");
                return 1;
            }
            o->loops = (int)x;
        } else if (!strcmp(a, "--rate")) {
            if (x < 8000 || x > 192000) {
                fprintf(stderr, "groove: --rate must be 8000..192000\n");
                return 1;
            }
            o->rate = (int)x;
        } else {
            if (x < 16 || x > 8192) {
                fprintf(stderr, "groove: --buffer must be 16..8192\n");
                return 1;
            }
            o->buffer = (int)x;
        }
    }
    if ((o->out_wav) && !o->headless) {
        fprintf(stderr, "groove: --out-wav needs --headless\n");
        return 1;
    }
    return 0;
}

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
    log->parts[log->n++] = in->session.part;
}

/* Waits until the worker has answered the newest request (offline rendering only). */
static void wait_for_model(Instrument *in, double now)
{
    while (in->accepted_serial < in->regen.next_serial) {
        struct timespec nap = {0, 200000};
        nanosleep(&nap, NULL);
        instrument_tick(in, now);
    }
}

/* Offline: renders loops into a WAV as fast as it can. */
static int run_offline(Instrument *in, Engine *engine, Feed *feed, const Run_options *o, Part_log *log)
{
    char err[256];
    Wav_writer w;
    if (wav_writer_open(&w, o->out_wav, o->rate, err, sizeof err) != 0) {
        fprintf(stderr, "groove: %s\n", err);
        return 1;
    }
    int loops = o->loops >= 0 ? o->loops : 4;
    float buf[256 * ENGINE_CHANNELS];
    int64_t frames = 0;
    instrument_tick(in, 0);
    instrument_play(in);
    wait_for_model(in, 0);
    int rc = 0;
    for (;;) {
        double now = (double)frames / o->rate;
        instrument_tick(in, now);
        if (in->pos.playing && in->pos.loop >= loops)
            break;
        if (feed)
            feed_until(feed, in, instrument_position_at(in, now) + 1.0);
        wait_for_model(in, now);
        part_log_add(log, in);
        engine_render(engine, buf, 256);
        frames += 256;
        if (wav_writer_write(&w, buf, 256, err, sizeof err) != 0) {
            rc = 1;
            break;
        }
    }
    if (wav_writer_close(&w, rc == 0, err, sizeof err) != 0) {
        fprintf(stderr, "groove: %s\n", err);
        return 1;
    }
    printf("groove: rendered %d loops (%.1f s) to %s, %llu generations, last %.0f us\n", loops,
           (double)frames / o->rate, o->out_wav, (unsigned long long)in->generations, in->last_gen_us);
    return rc;
}

/* Real time without a terminal: ticks every 2 ms, prints one line per loop. */
static int run_realtime(Instrument *in, Engine *engine, Audio_out *audio, Midi *midi, Feed *feed,
                        const Run_options *o, Part_log *log)
{
    printf("groove: headless, audio: %s; %s; %s; %s\n", audio ? audio_status(audio) : "none", midi_in_status(midi),
           midi_out_status(midi), in->model_note);
    if (in->message[0] && strcmp(in->message, in->model_note) != 0)   /* session restored, or set aside */
        printf("groove: %s\n", in->message);
    fflush(stdout);
    /* A file to play, or a number of loops to run: start now. Otherwise the first tap does. */
    if (feed || o->loops >= 0)
        instrument_play(in);
    int64_t printed = -1;
    long rss_first = 0;
    while (!stop_requested) {
        double now = midi_clock_now();
        instrument_tick(in, now);
        Midi_tap tap;
        while (midi_poll_tap(midi, &tap))
            instrument_tap(in, tap.velocity, tap.time);
        if (feed && in->pos.playing)
            feed_until(feed, in, instrument_position_at(in, now) + 0.05);
        part_log_add(log, in);
        if (in->pos.playing && in->pos.loop != printed) {
            printed = in->pos.loop;
            Engine_stats st;
            engine_stats(engine, &st);
            long rss = rss_kb();
            if (printed == 2)
                rss_first = rss;
            printf("loop %lld: generations %llu, gen %.0f us (max %.0f), hits %d, taps %llu, xruns %llu, "
                   "load %.3f (max %.3f), rss %ld kB\n",
                   (long long)printed, (unsigned long long)in->generations, in->last_gen_us, in->max_gen_us,
                   hvo_count_hits(&in->session.part), (unsigned long long)in->taps,
                   (unsigned long long)st.xruns, st.load_avg, st.load_max, rss);
            fflush(stdout);
            if (o->loops >= 0 && printed >= o->loops)
                break;
        }
        struct timespec nap = {0, 2000000};
        nanosleep(&nap, NULL);
    }
    Engine_stats st;
    engine_stats(engine, &st);
    printf("groove: done: %lld loops, %llu generations, max gen %.0f us, xruns %llu, rss first %ld kB last %ld kB\n",
           (long long)in->pos.loop, (unsigned long long)in->generations, in->max_gen_us,
           (unsigned long long)st.xruns, rss_first, rss_kb());
    return 0;
}

int cmd_run(int argc, char **argv)
{
    Run_options o;
    int prc = parse_options(argc, argv, &o);
    if (prc == 3)
        return 0;
    if (prc)
        return prc;
    if (!o.headless && (!isatty(0) || !isatty(1))) {
        fprintf(stderr, "groove: the instrument needs a terminal (or use --headless)\n");
        return 1;
    }
    char err[512];
    int rc = 1;
    Kit kit;
    Engine engine;
    Instrument in;
    Feed feed = {0};
    Part_log log = {o.out_mid != NULL, NULL, 0, 0, -1};
    Audio_out *audio = NULL;
    Midi *midi = NULL;
    int have_kit = 0, have_engine = 0, have_instrument = 0, fell_back = 0;

    if (o.play_groove && feed_load(&feed, o.play_groove, err, sizeof err) != 0) {
        fprintf(stderr, "groove: %s\n", err);
        goto done;
    }
    if (o.model && access(o.model, F_OK) != 0) {
        /* asked for a model by name: no silent fallback to random weights */
        fprintf(stderr, "groove: cannot load model '%s': %s\n", o.model, strerror(errno));
        goto done;
    }
    if (kit_load_or_default(&kit, o.kit ? o.kit : "default", o.rate, &fell_back, err, sizeof err) != 0) {
        fprintf(stderr, "groove: cannot load a kit: %s\n", err);
        goto done;
    }
    have_kit = 1;
    if (o.kit && fell_back) {
        char *tail = strstr(err, "; playing the default");
        if (tail)
            *tail = 0;   /* asked for a kit by name: no silent fallback */
        fprintf(stderr, "groove: %s\n", err);
        goto done;
    }
    if (engine_init(&engine, o.rate, &kit) != 0) {
        fprintf(stderr, "groove: out of memory\n");
        goto done;
    }
    have_engine = 1;
    /* A file played in (a demo) leaves the autosaved session alone unless --session names one. */
    Instrument_options io = {o.model, o.session, o.no_session || o.out_wav != NULL || (o.play_groove && !o.session),
                             o.bpm > 0 ? o.bpm : (o.play_groove ? feed.bpm : 0), 0};
    if (io.bpm > 300)
        io.bpm = 300;
    if (!o.out_wav)
        io.latency_s = (double)o.buffer / o.rate;
    if (instrument_init(&in, &engine, &io, err, sizeof err) != 0) {
        fprintf(stderr, "groove: %s\n", err);
        goto done;
    }
    have_instrument = 1;
    /* A file played in: each of its loops is a take, so the groove is what was just played. */
    if (o.play_groove)
        instrument_set_record_mode(&in, LIVE_REPLACE);
    if (o.out_wav) {
        rc = run_offline(&in, &engine, o.play_groove ? &feed : NULL, &o, &log);
    } else {
        midi = midi_open(o.midi_in, o.midi_out, err, sizeof err);
        if (!midi) {
            fprintf(stderr, "groove: %s\n", err);
            goto done;
        }
        if (o.midi_out)
            instrument_set_note_out(&in, note_to_midi, midi);
        Audio_config ac = {o.audio_device, o.rate, o.buffer};
        audio = audio_open(&engine, &ac);
        if (!audio) {
            fprintf(stderr, "groove: out of memory\n");
            goto done;
        }
        if (o.audio_device && audio_is_silent(audio)) {
            char why[300];
            snprintf(why, sizeof why, "%s", audio_status(audio));
            char *tail = strstr(why, " (running silent)");
            if (tail)
                *tail = 0;   /* it stops here: it does not run silent */
            fprintf(stderr, "groove: %s\n", why);
            goto done;
        }
        signal(SIGINT, on_stop_signal);
        signal(SIGTERM, on_stop_signal);
        if (o.headless) {
            rc = run_realtime(&in, &engine, audio, midi, o.play_groove ? &feed : NULL, &o, &log);
        } else {
            Tui_context ctx = {&in, audio, midi, o.play_groove ? &feed : NULL, &kit, o.rate};
            rc = tui_run(&ctx);
        }
    }
    if (rc == 0 && o.out_mid) {
        const Hvo *parts = log.n ? log.parts : &in.session.part;   /* never played: the part now */
        if (hvo_write_midi_swing(o.out_mid, parts, log.n ? log.n : 1, in.session.settings.bpm,
                                 in.session.settings.swing, err, sizeof err) != 0) {
            fprintf(stderr, "groove: %s\n", err);
            rc = 1;
        }
    }
done:
    audio_close(audio);   /* the audio thread stops before anything it reads is freed */
    midi_close(midi);
    if (have_instrument)
        instrument_deinit(&in);
    if (have_engine)
        engine_deinit(&engine);
    if (have_kit)
        kit_deinit(&kit);
    feed_deinit(&feed);
    free(log.parts);
    return rc;
}
