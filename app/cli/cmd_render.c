/* cmd_render.c - `groove render DRUMS.mid -o OUT.wav`: a drum MIDI file through the sample
 * player into a WAV file (offline, faster than real time), or `--play` through the audio
 * device in real time (the headless device check tests/t_jack.sh uses). */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "commands.h"
#include "dev_audio.h"
#include "engine.h"
#include "kit.h"
#include "midi_hvo.h"
#include "mixer.h"
#include "offline.h"
#include "options.h"
#include "render_session.h"
#include "wav.h"

#define RENDER_TAIL_S 3.0   /* at most this much ring-out after the last loop */

static void render_usage(FILE *out)
{
    fprintf(out,
            "usage: groove render DRUMS.mid -o OUT.wav [options]\n"
            "       groove render --session FILE -o OUT.wav [--stems DIR] [--midi F] ... (render --session F --help)\n"
            "       groove render DRUMS.mid --play [--device D] [options]\n"
            "\n"
            "Plays a drum MIDI file with a kit: its 4/4 bars, two at a time, become 2-bar patterns played\n"
            "one after the other through groove's sample player, with each note's micro-timing and the\n"
            "file's tempo map (bars in other meters are skipped, with one line saying which).\n"
            "Writes a 16-bit stereo WAV (atomically), or with --play sends it to the audio device in\n"
            "real time and reports xruns and the callback load.\n"
            "\n"
            "  -o, --output F   the WAV file to write\n"
            "  --kit K          kit name (groove kits), folder or drumkit.xml (default: the default kit;\n"
            "                   a kit that cannot load is reported and the default kit used)\n"
            "  --loops N        loops of 2 bars to play (default: the whole file; cycles when longer)\n"
            "  --bar B          first bar (default 0)\n"
            "  --bpm B          one tempo for the whole file (default: the file's whole tempo map)\n"
            "  --swing S        swing in percent, 50 (straight) .. 75 (16th shuffle); 66.7 = triplets\n"
            "  --rate R         sample rate (default 48000)\n"
            "  --play           play through the audio device instead of writing a file\n"
            "  --device D       output device: index or name part (groove devices lists them)\n"
            "  --frames N       device buffer size in frames (default 256)\n"
            "  --click          add the metronome click (accent on beat 1 of each bar)\n"
            "  --gain VOICE=DB  a voice's level, -60..12 dB (kick snare closed_hat open_hat low_tom mid_tom\n"
            "                   high_tom crash ride, or K S CH ..., or click; repeatable)\n"
            "  --pan VOICE=P    a voice's pan, -1 left .. 1 right (repeatable)\n");
}

/* Restores the negative offsets the window cut set to 0 at step 0: playing windows back to
 * back, an early note on the downbeat belongs just before the loop line. */
static void restore_early_downbeats(const Midi_part *part, int bar, Hvo *p)
{
    double start = midi_part_bar(part, bar).start_step;
    for (int i = 0; i < part->n_onsets; i++) {
        const Midi_onset *o = &part->onsets[i];
        if (o->step >= start || o->step < start - 0.5)
            continue;
        int v = midi_part_voice(part, o->note);
        if (v < 0 || hvo_hit(p, 0, v) < 0.5f)
            continue;
        if (fabsf(hvo_vel(p, 0, v) - (float)o->velocity / 127.0f) < 1e-6f)
            hvo_set(p, 0, v, 1, hvo_vel(p, 0, v), (float)(o->step - start));
    }
}

/* The tempo of what render plays: the patterns back to back (loops cycle through them),
 * each pattern bar at the tempo its own bar of the file has there (the whole tempo map),
 * or one tempo when fixed_bpm > 0. */
typedef struct {
    const Midi_part *part;
    const Midi_window *windows;
    int n;
    double fixed_bpm;
} Render_tempo;

/* Tempo at played step s; *next is the played step where it may change next. */
static double render_bpm_at(const Render_tempo *rt, double s, double *next)
{
    double slot_start = floor(s / HVO_STEPS_PER_BAR) * HVO_STEPS_PER_BAR;
    *next = slot_start + HVO_STEPS_PER_BAR;
    if (rt->fixed_bpm > 0) {
        *next = 1e300;
        return rt->fixed_bpm;
    }
    long slot = (long)(slot_start / HVO_STEPS_PER_BAR) % (2L * rt->n);
    Midi_window w = rt->windows[slot / 2];
    int bar = w.bar[slot % 2];
    if (bar < 0) /* a pattern bar placed nowhere: the tempo where the first one ends */
        return midi_part_bpm_at(rt->part, midi_part_bar(rt->part, w.bar[0]).start_step + HVO_STEPS_PER_BAR - 1e-6);
    double file_start = midi_part_bar(rt->part, bar).start_step;
    double file_step = file_start + (s - slot_start);
    double change = midi_part_next_tempo_step(rt->part, file_step);
    if (change - file_start < HVO_STEPS_PER_BAR)
        *next = slot_start + (change - file_start);
    return midi_part_bpm_at(rt->part, file_step);
}

/* Seconds that `loops` loops take to play. */
static double render_seconds(const Render_tempo *rt, int loops)
{
    double total = 0.0;
    for (long slot = 0; slot < 2L * loops; slot++) {
        double s = (double)slot * HVO_STEPS_PER_BAR, end = s + HVO_STEPS_PER_BAR, next;
        while (s < end) {
            double bpm = render_bpm_at(rt, s, &next);
            if (next > end)
                next = end;
            total += (next - s) * 60.0 / (bpm * HVO_STEPS_PER_BEAT);
            s = next;
        }
    }
    return total;
}

/* Plays the patterns on the device in real time. */
static int render_play(Engine *e, const Hvo *patterns, int n_patterns, int loops, const char *device, int frames,
                       int rate, const Render_tempo *rt)
{
    Audio_config cfg = {device, rate, frames};
    Audio_out *out = audio_open(e, &cfg);
    if (!out) {
        fprintf(stderr, "groove: out of memory\n");
        return CMD_FAILED;
    }
    if (audio_is_silent(out)) {
        char why[300];
        snprintf(why, sizeof why, "%s", audio_status(out));
        char *tail = strstr(why, " (running silent)");
        if (tail)
            *tail = 0;   /* it stops here: it does not run silent */
        fprintf(stderr, "groove: %s\n", why);
        audio_close(out);
        return CMD_FAILED;
    }
    printf("device: %s\n", audio_status(out));
    fflush(stdout);
    double play_s = render_seconds(rt, loops);
    double limit_s = play_s + 5.0;
    engine_set_pattern(e, &patterns[0]);
    engine_reset_stats(e);
    engine_play(e);
    uint64_t given = 1; /* patterns handed over */
    struct timespec nap = {0, 2000000};
    double start = clock_seconds();
    Engine_position pos;
    int ok = 0;
    for (;;) {
        nanosleep(&nap, NULL);
        engine_position(e, &pos);
        double next;
        float bpm = (float)render_bpm_at(rt, pos.step, &next);
        if (bpm != engine_get_bpm(e))
            engine_set_bpm(e, bpm); /* the tempo map, within a few ms */
        if (pos.pattern_serial >= given && (int)given < loops) {
            engine_set_pattern(e, &patterns[given % (uint64_t)n_patterns]);
            given++;
        } else if (pos.pattern_serial >= given && (int)given == loops) {
            Hvo silence;
            hvo_clear(&silence);
            engine_set_pattern(e, &silence); /* no early hits of a loop that will not play */
            given++;
        }
        if (pos.playing && pos.step >= 32.0 * loops)
            break;
        double t = clock_seconds() - start;
        if (t > limit_s) {
            fprintf(stderr, "groove: the device stopped calling back (played %.1f of %d loops)\n",
                    pos.step / 32.0, loops);
            audio_close(out);
            return CMD_FAILED;
        }
    }
    engine_stop(e);
    if (audio_losses(out) > 0) {   /* the silent clock finished the render: nothing was heard */
        fprintf(stderr, "groove: the audio device was lost while playing\n");
        audio_close(out);
        return 1;
    }
    nanosleep(&(struct timespec){0, 300000000}, NULL); /* let the last hits ring a little */
    Engine_stats st;
    engine_stats(e, &st);
    audio_close(out);
    ok = 1;
    printf("played %d loops (%.2f s) at %.1f bpm: %llu callbacks, %llu xruns, callback load avg %.2f%% max %.2f%%\n",
           loops, play_s, engine_get_bpm(e), (unsigned long long)st.callbacks,
           (unsigned long long)st.xruns, 100.0 * st.load_avg, 100.0 * st.load_max);
    return ok ? CMD_OK : CMD_FAILED;
}

/* The offline render's state between blocks: the patterns played in turn and the tempo map. */
typedef struct {
    const Hvo *patterns;
    int n_patterns, loops;
    const Render_tempo *rt;
    int rate;
    uint64_t given;        /* patterns handed over */
    double played_step;    /* where the playhead is after the frames rendered so far */
    int prev_n;
    double prev_fps;
} Render_run;

/* Before each block: the next pattern once the engine took the last (silence after the last
 * loop), and in the body the tempo map, the block cut so a change lands on its exact frame. */
static Offline_step render_before_block(void *ctx, Engine *e, int64_t frame, int in_body, int *n, char *err,
                                        size_t errlen)
{
    (void)frame;
    (void)err;
    (void)errlen;
    Render_run *x = ctx;
    if (x->prev_n)
        x->played_step += x->prev_n / x->prev_fps;
    Engine_position pos;
    engine_position(e, &pos);
    if (pos.pattern_serial >= x->given && x->given <= (uint64_t)x->loops) {
        Hvo silence;
        hvo_clear(&silence);
        engine_set_pattern(e, (int)x->given < x->loops ? &x->patterns[x->given % (uint64_t)x->n_patterns] : &silence);
        x->given++;
    }
    double block_fps = engine_frames_per_step(x->rate, engine_get_bpm(e));
    if (in_body) { /* the tempo map: change tempo exactly where the file does */
        double change;
        float want_bpm = (float)render_bpm_at(x->rt, x->played_step + 1e-9, &change);
        if (want_bpm != engine_get_bpm(e))
            engine_set_bpm(e, want_bpm);
        block_fps = engine_frames_per_step(x->rate, want_bpm);
        double until = ceil((change - x->played_step) * block_fps - 1e-6);
        if (until >= 1 && until < *n)
            *n = (int)until;
    }
    x->prev_n = *n;
    x->prev_fps = block_fps;
    return OFFLINE_GO;
}

/* Renders the patterns (loops of them, then up to RENDER_TAIL_S of ring-out, the silence cut)
 * into a WAV file and says what it wrote. Returns the exit status. */
static int render_file(Engine *e, const Hvo *patterns, int n_patterns, int loops, const Render_tempo *rt, int rate,
                       const char *out_path, const char *what)
{
    long long body = llround(render_seconds(rt, loops) * rate), tail = (long long)(RENDER_TAIL_S * rate);
    if ((body + tail) * 2 > (1LL << 31)) {
        fprintf(stderr, "groove: %d loops are too long for one WAV file\n", loops);
        return CMD_FAILED;
    }
    char err[1024];
    Wav_writer w;
    if (wav_writer_open(&w, out_path, ENGINE_CHANNELS, rate, WAV_PCM16, err, sizeof err) != 0) {
        fprintf(stderr, "groove: %s\n", err);
        return CMD_FAILED;
    }
    engine_set_pattern(e, &patterns[0]);
    engine_play(e);
    Render_run x = {patterns, n_patterns, loops, rt, rate, 1, 0.0, 0, 1.0};
    Offline_plan plan = {body, tail, 1, rate, render_before_block, &x, offline_wav_sink, &w};
    Offline_result r;
    int rc = offline_render(e, &plan, &r, err, sizeof err);
    if (wav_writer_close(&w, rc == 0, err, sizeof err) != 0)
        rc = -1;
    if (rc != 0) {
        fprintf(stderr, "groove: %s\n", err);
        return CMD_FAILED;
    }
    printf("%s: %d loops, %.2f s at %s, peak %.1f dBFS\n", out_path, loops, (double)r.frames / rate, what,
           r.peak > 0 ? 20.0 * log10(r.peak) : -120.0);
    return 0;
}

/* What the command line asks. */
typedef struct {
    const char *in, *out_path, *kit_spec, *device;
    int loops;        /* 0: the whole file */
    int bar;
    float bpm;        /* 0: the file's */
    float swing_pct;  /* 50 straight .. 75 */
    int rate, frames;
    int play;
    int click;        /* the metronome click in the render */
    struct { int ch, pan; float value; } mix[64];   /* --gain / --pan, in order */
    int n_mix;
} Render_args;

/* Parses the options. OPTIONS_OK, OPTIONS_HELP (usage printed), or OPTIONS_USAGE (said). */
static int parse_options(int argc, char **argv, Render_args *a)
{
    enum { O_KIT = 256, O_DEVICE, O_PLAY, O_LOOPS, O_BAR, O_BPM, O_SWING, O_RATE, O_FRAMES, O_CLICK, O_GAIN, O_PAN };
    static const struct option longopts[] = {
        {"help", no_argument, NULL, 'h'},          {"output", required_argument, NULL, 'o'},
        {"kit", required_argument, NULL, O_KIT},   {"device", required_argument, NULL, O_DEVICE},
        {"play", no_argument, NULL, O_PLAY},       {"loops", required_argument, NULL, O_LOOPS},
        {"bar", required_argument, NULL, O_BAR},   {"bpm", required_argument, NULL, O_BPM},
        {"swing", required_argument, NULL, O_SWING}, {"rate", required_argument, NULL, O_RATE},
        {"frames", required_argument, NULL, O_FRAMES}, {"click", no_argument, NULL, O_CLICK},
        {"gain", required_argument, NULL, O_GAIN}, {"pan", required_argument, NULL, O_PAN},
        {NULL, 0, NULL, 0},
    };
    memset(a, 0, sizeof *a);
    a->swing_pct = 50.0f;
    a->rate = 48000;
    a->frames = 256;
    options_begin();
    int c, r = OPTIONS_OK;
    while (r == OPTIONS_OK && (c = getopt_long(argc, argv, OPTIONS_SHORT "o:", longopts, NULL)) != -1) {
        switch (c) {
        case 'h': render_usage(stdout); return OPTIONS_HELP;
        case 'o': a->out_path = optarg; break;
        case O_KIT: a->kit_spec = optarg; break;
        case O_DEVICE: a->device = optarg; break;
        case O_PLAY: a->play = 1; break;
        case O_CLICK: a->click = 1; break;
        case O_LOOPS: r = options_int("--loops", optarg, 1, 10000, &a->loops); break;
        case O_BAR: r = options_int("--bar", optarg, 0, 100000, &a->bar); break;
        case O_BPM: r = options_float("--bpm", optarg, 20, 400, &a->bpm); break;
        case O_SWING: r = options_float("--swing", optarg, 50, 75, &a->swing_pct); break;
        case O_RATE: r = options_int("--rate", optarg, 8000, 192000, &a->rate); break;
        case O_FRAMES: r = options_int("--frames", optarg, 16, 8192, &a->frames); break;
        case O_GAIN: case O_PAN: {
            char why[200];
            if (a->n_mix == (int)(sizeof a->mix / sizeof a->mix[0])) {
                fprintf(stderr, "groove: too many --gain/--pan options\n");
                r = OPTIONS_USAGE;
            } else if (mixer_parse_assign(optarg, c == O_PAN, &a->mix[a->n_mix].ch, &a->mix[a->n_mix].value, why,
                                          sizeof why)) {
                fprintf(stderr, "groove: %s\n", why);
                r = OPTIONS_USAGE;
            } else {
                a->mix[a->n_mix++].pan = c == O_PAN;
            }
            break;
        }
        default: return options_error("render", c, argv);
        }
    }
    if (r != OPTIONS_OK)
        return r;
    if (optind + 1 < argc) {
        fprintf(stderr, "groove: unexpected argument '%s': render takes one MIDI file (groove render --help)\n",
                argv[optind + 1]);
        return OPTIONS_USAGE;
    }
    a->in = optind < argc ? argv[optind] : NULL;
    if (!a->in || (!a->out_path && !a->play)) {
        fprintf(stderr, "groove: render needs DRUMS.mid and -o OUT.wav or --play (groove render --help)\n");
        return OPTIONS_USAGE;
    }
    return OPTIONS_OK;
}

/* Reads the MIDI file into the 2-bar patterns render plays, from bar on: one rule for meters in
 * every command (midi_hvo.h), 4/4 bars two at a time, other bars skipped with one line. Fills
 * the part, its windows and the patterns (the caller frees all three) and the mapping stats.
 * Returns the number of patterns, or -1 said in one line (nothing left to free). */
static int render_patterns(const char *in, int bar, Midi_part *part, Midi_window **win, Hvo **patterns,
                           Midi_hvo_stats *stats)
{
    char err[1024];
    memset(part, 0, sizeof *part);
    *win = NULL;
    *patterns = NULL;
    if (midi_part_load(part, in, err, sizeof err) != 0) {
        fprintf(stderr, "groove: cannot read '%s': %s\n", in, err);
        return -1;
    }
    if (part->n_bars == 0 || bar >= part->n_bars) {
        fprintf(stderr, "groove: cannot render '%s': %s\n", in,
                part->n_bars == 0 ? "no notes in it" : "--bar is past the end of the file");
        midi_part_deinit(part);
        return -1;
    }
    char skipped[512];
    int n_skipped = midi_part_skipped_bars(part, bar, skipped, sizeof skipped);
    int n_patterns = midi_part_windows(part, bar, win);
    if (n_patterns <= 0) {
        fprintf(stderr, "groove: cannot render '%s': %s\n", in, n_patterns < 0 ? "out of memory" : skipped);
        midi_part_deinit(part);
        return -1;
    }
    if (n_skipped)
        fprintf(stderr, "groove: '%s': %s\n", in, skipped);
    *patterns = calloc((size_t)n_patterns, sizeof **patterns);
    if (!*patterns) {
        fprintf(stderr, "groove: out of memory\n");
        free(*win);
        midi_part_deinit(part);
        return -1;
    }
    memset(stats, 0, sizeof *stats);
    int hits = 0;
    for (int k = 0; k < n_patterns; k++) {
        hits += midi_part_window_to_hvo(part, (*win)[k], &(*patterns)[k], stats);
        if (k > 0 && (*win)[k].bar[0] == (*win)[k - 1].bar[1] + 1)
            restore_early_downbeats(part, (*win)[k].bar[0], &(*patterns)[k]);
    }
    if (hits == 0) {
        fprintf(stderr, "groove: cannot render '%s': no note maps to a drum voice (%d unmapped)\n", in,
                stats->unmapped);
        free(*patterns);
        free(*win);
        midi_part_deinit(part);
        return -1;
    }
    return n_patterns;
}

int cmd_render(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], "--session") || !strncmp(argv[i], "--session=", 10))
            return cmd_render_session(argc, argv);   /* a saved session: render_session.h */
    Render_args args;
    int pr = parse_options(argc, argv, &args);
    if (pr != OPTIONS_OK)
        return pr == OPTIONS_HELP ? 0 : pr;
    const char *in = args.in, *out_path = args.out_path, *kit_spec = args.kit_spec, *device = args.device;
    double bpm = args.bpm, swing_pct = args.swing_pct;
    int play = args.play;
    int rate = args.rate;
    char err[1024];
    Midi_part part;
    Midi_window *win;
    Hvo *patterns;
    Midi_hvo_stats stats;
    int n_patterns = render_patterns(in, args.bar, &part, &win, &patterns, &stats);
    if (n_patterns < 0)
        return CMD_FAILED;
    Render_tempo rt = {&part, win, n_patterns, bpm};
    double next;
    double start_bpm = bpm > 0 ? bpm : render_bpm_at(&rt, 0.0, &next);
    int tempo_map = bpm == 0 && part.n_tempos > 1;
    int loops = args.loops > 0 ? args.loops : n_patterns;

    Kit kit;
    int fell_back;
    if (kit_load_or_default(&kit, kit_spec, rate, &fell_back, err, sizeof err) != 0) {
        fprintf(stderr, "groove: %s\n", err);
        free(patterns);
        free(win);
        midi_part_deinit(&part);
        return CMD_FAILED;
    }
    if (fell_back)
        fprintf(stderr, "groove: %s\n", err);
    else if (kit.n_missing)
        fprintf(stderr, "groove: %s\n", kit_missing_line(&kit, err, sizeof err));
    Engine e;
    if (engine_init(&e, rate, &kit) != 0) {
        fprintf(stderr, "groove: out of memory\n");
        kit_deinit(&kit);
        free(patterns);
        free(win);
        midi_part_deinit(&part);
        return CMD_FAILED;
    }
    engine_set_bpm(&e, (float)start_bpm);
    engine_set_swing(&e, (float)(2.0 * swing_pct / 100.0 - 1.0));
    engine_set_click(&e, args.click);
    for (int i = 0; i < args.n_mix; i++) {   /* the session's mixer strips: voices, then the click */
        int ch = args.mix[i].ch;
        float x = args.mix[i].value;
        if (ch == SESSION_MIX_CLICK) {
            if (!args.mix[i].pan)   /* the engine's click has no pan */
                engine_set_click_level(&e, ENGINE_DEFAULT_CLICK_LEVEL * mixer_gain(x));
        } else if (args.mix[i].pan) {
            engine_set_pan(&e, ch, x);
        } else {
            engine_set_gain(&e, ch, mixer_gain(x));
        }
    }
    if (args.n_mix > 0) {   /* stopped: the levels settle, no ramp into the first hit (as song.c) */
        float settle[OFFLINE_BLOCK * ENGINE_CHANNELS];
        engine_render(&e, settle, OFFLINE_BLOCK);
    }
    if (stats.unmapped)
        fprintf(stderr, "groove: %d notes on no drum voice were left out\n", stats.unmapped);

    int rc;
    if (play) {
        rc = render_play(&e, patterns, n_patterns, loops, device, args.frames, rate, &rt);
    } else {
        char what[300];
        snprintf(what, sizeof what, "%.1f bpm%s, kit %s", start_bpm, tempo_map ? " (then the file's tempo map)" : "",
                 kit.name);
        rc = render_file(&e, patterns, n_patterns, loops, &rt, rate, out_path, what);
    }
    engine_deinit(&e);
    kit_deinit(&kit);
    free(patterns);
    free(win);
    midi_part_deinit(&part);
    return rc;
}
