/* cmd_render_session.c - `groove render --session FILE -o OUT.wav`: a saved session played offline
 * (the chain once, or --loops), as the mix, stems (--stems DIR, one WAV per voice that plays) and
 * MIDI (--midi FILE, --tracks for one track per voice). cmd_render.c hands over when it sees
 * --session. Also the Ctrl-E export of the TUI (render_export_part). */
#include <errno.h>
#include <math.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "commands.h"
#include "error.h"
#include "export.h"
#include "form.h"
#include "kit.h"
#include "midi_hvo.h"
#include "mixer.h"
#include "options.h"
#include "render_session.h"
#include "song.h"
#include "wav.h"

#define RENDER_TAIL_S 1.0f

static void usage(FILE *out)
{
    fprintf(out,
            "usage: groove render --session FILE -o OUT.wav [options]\n"
            "\n"
            "Plays a saved session offline as groove run would: its chain once (sections, fills,\n"
            "evolve, morph, feel), or --loops N of it, plus %.0f s of ring-out.\n"
            "\n"
            "  -o, --output F     the mix, a 16-bit stereo WAV (atomic)\n"
            "  --stems DIR        also one WAV per voice that plays (kick.wav, snare.wav, ...), each as\n"
            "                     long as the mix; they add up to it wherever the mix stays under\n"
            "                     the limiter (-1.9 dBFS; the peak is reported)\n"
            "  --mono             stems in mono (left + right) / 2\n"
            "  --midi F           the parts as a MIDI file (feel and swing included)\n"
            "  --tracks           with --midi: one track per voice, track 0 the tempo map\n"
            "  --gain VOICE=DB    a voice's level (kick snare closed_hat open_hat low_tom mid_tom high_tom\n"
            "                     crash ride, or K S CH OH LT MT HT CR RI; repeatable)\n"
            "  --pan VOICE=P      a voice's pan, -1 left .. 1 right (repeatable)\n"
            "  --loops N          loops to play (default: the chain once, or 4 without a chain)\n"
            "  --bpm B            tempo (default: the session's)\n"
            "  --kit K            kit (default: the default kit)\n"
            "  --model F          model file (default: nn/models/default.gtm)\n"
            "  --rate R           sample rate (default 48000)\n",
            (double)RENDER_TAIL_S);
}

/* Streams frames into a 16-bit stereo WAV, or keeps a mono mix-down for the end. */
typedef struct {
    Wav_writer w;
    int mono;
    float *mono_buf;
    int64_t n, cap;
} Sink;

static int sink_write(void *user, const float *frames, int n, char *err, size_t errlen)
{
    Sink *s = user;
    if (!s->mono)
        return wav_writer_write(&s->w, frames, n, err, errlen);
    if (s->n + n > s->cap) {
        return error_set(err, errlen, "render longer than planned");
    }
    for (int i = 0; i < n; i++)
        s->mono_buf[s->n + i] = 0.5f * (frames[2 * i] + frames[2 * i + 1]);
    s->n += n;
    return 0;
}

/* Renders one pass (mix: stem -1) into path. 0, or -1 with err. */
static int render_pass(const Song *song, const Kit *kit, int rate, int stem, int mono, const char *path,
                       Song_stats *st, char *err, size_t errlen)
{
    Sink s;
    memset(&s, 0, sizeof s);
    s.mono = mono;
    if (mono) {
        s.cap = song_frames(song, rate, RENDER_TAIL_S);
        s.mono_buf = malloc((size_t)(s.cap ? s.cap : 1) * sizeof *s.mono_buf);
        if (!s.mono_buf) {
            return error_set(err, errlen, "out of memory");
        }
    } else if (wav_writer_open(&s.w, path, ENGINE_CHANNELS, rate, WAV_PCM16, err, errlen) != 0) {
        return -1;
    }
    int rc = song_render(song, kit, rate, stem, RENDER_TAIL_S, sink_write, &s, st, err, errlen);
    if (mono) {
        if (rc == 0 && s.n > 0x7fffffff) {
            error_set(err, errlen, "render too long for one WAV");
            rc = -1;
        }
        if (rc == 0)
            rc = wav_write(path, s.mono_buf, (int)s.n, 1, rate, WAV_PCM16, err, errlen);
        free(s.mono_buf);
        return rc;
    }
    if (wav_writer_close(&s.w, rc == 0, err, errlen) != 0)
        return -1;
    return rc;
}

int render_song_files(const Song *song, const Kit *kit, int rate, const char *mix_path, const char *stems_dir,
                      int mono, const char *midi_path, int tracks, char *report, size_t report_len, char *err,
                      size_t errlen)
{
    Song_stats mix = {0}, st;
    if (report_len)
        report[0] = 0;
    if (mix_path && render_pass(song, kit, rate, -1, 0, mix_path, &mix, err, errlen) != 0)
        return -1;
    int n_stems = 0;
    if (stems_dir) {
        if (mkdir(stems_dir, 0755) != 0 && errno != EEXIST) {
            return error_set(err, errlen, "cannot create %s: %s", stems_dir, strerror(errno));
        }
        unsigned voices = song_voices(song);
        for (int v = 0; v < HVO_VOICES; v++) {
            if (!(voices >> v & 1u))
                continue;
            char name[64], path[1200];
            song_safe_name(voice_name(v), name, sizeof name);
            if (snprintf(path, sizeof path, "%s/%s.wav", stems_dir, name) >= (int)sizeof path) {
                return error_set(err, errlen, "stems folder path too long");
            }
            if (render_pass(song, kit, rate, v, mono, path, &st, err, errlen) != 0)
                return -1;
            n_stems++;
        }
    }
    if (midi_path) {
        Hvo *raw = malloc((size_t)song->n * sizeof *raw);
        if (!raw) {
            return error_set(err, errlen, "out of memory");
        }
        for (int k = 0; k < song->n; k++)
            raw[k] = song->loops[k].part;   /* as heard: feel applied */
        /* one swing for the file: the first loop's (sections with other swings keep their own
         * only in the audio) */
        float swing = song->n ? song->loops[0].swing : 0.0f;
        int rc = tracks ? hvo_write_midi_tracks(midi_path, raw, song->n, song->bpm, swing, err, errlen)
                        : hvo_write_midi_swing(midi_path, raw, song->n, song->bpm, swing, err, errlen);
        free(raw);
        if (rc != 0)
            return -1;
    }
    int at = snprintf(report, report_len, "%d loops (%.1f s), %d stems", song->n,
                      (double)song_frames(song, rate, RENDER_TAIL_S) / rate, n_stems);
    if (mix_path && at >= 0 && (size_t)at < report_len) {   /* no mix rendered: no peak to claim */
        double peak_db = mix.peak > 0 ? 20.0 * log10((double)mix.peak) : -200.0;
        snprintf(report + at, report_len - (size_t)at, ", mix peak %.1f dBFS%s", peak_db,
                 mix.peak <= ENGINE_LIMIT_KNEE ? " (under the limiter: the stems add up to the mix)"
                                               : " (the limiter acted: the mix is the limited sum of the stems)");
    }
    return 0;
}

/* What `render --session` is asked. */
typedef struct {
    const char *session, *out, *stems, *midi, *kit_spec, *model;
    int mono, tracks, loops, rate;
    float bpm;
    int n_mix;
    struct { int ch, pan; float value; } mix[64];   /* --gain / --pan, in order */
} Render_session_args;

/* Parses the options. OPTIONS_OK, OPTIONS_HELP (usage printed), or OPTIONS_USAGE (said). */
static int parse_options(int argc, char **argv, Render_session_args *a)
{
    enum { O_SESSION = 256, O_STEMS, O_MONO, O_MIDI, O_TRACKS, O_GAIN, O_PAN, O_LOOPS, O_BPM, O_KIT, O_MODEL, O_RATE };
    static const struct option longopts[] = {
        {"help", no_argument, NULL, 'h'},
        {"output", required_argument, NULL, 'o'},
        {"session", required_argument, NULL, O_SESSION},
        {"stems", required_argument, NULL, O_STEMS},
        {"mono", no_argument, NULL, O_MONO},
        {"midi", required_argument, NULL, O_MIDI},
        {"tracks", no_argument, NULL, O_TRACKS},
        {"gain", required_argument, NULL, O_GAIN},
        {"pan", required_argument, NULL, O_PAN},
        {"loops", required_argument, NULL, O_LOOPS},
        {"bpm", required_argument, NULL, O_BPM},
        {"kit", required_argument, NULL, O_KIT},
        {"model", required_argument, NULL, O_MODEL},
        {"rate", required_argument, NULL, O_RATE},
        {NULL, 0, NULL, 0},
    };
    memset(a, 0, sizeof *a);
    a->rate = 48000;
    options_begin();
    int c, rc = OPTIONS_OK;
    while (rc == OPTIONS_OK && (c = getopt_long(argc, argv, OPTIONS_SHORT "o:", longopts, NULL)) != -1) {
        switch (c) {
        case 'h': usage(stdout); return OPTIONS_HELP;
        case 'o': a->out = optarg; break;
        case O_SESSION: a->session = optarg; break;
        case O_STEMS: a->stems = optarg; break;
        case O_MONO: a->mono = 1; break;
        case O_MIDI: a->midi = optarg; break;
        case O_TRACKS: a->tracks = 1; break;
        case O_KIT: a->kit_spec = optarg; break;
        case O_MODEL: a->model = optarg; break;
        case O_LOOPS: rc = options_int("--loops", optarg, 1, 10000, &a->loops); break;
        case O_BPM: rc = options_float("--bpm", optarg, SESSION_BPM_MIN, SESSION_BPM_MAX, &a->bpm); break;
        case O_RATE: rc = options_int("--rate", optarg, 8000, 192000, &a->rate); break;
        case O_GAIN: case O_PAN: {
            char why[200];
            if (a->n_mix == (int)(sizeof a->mix / sizeof a->mix[0])) {
                fprintf(stderr, "groove: too many --gain/--pan options\n");
                rc = OPTIONS_USAGE;
            } else if (mixer_parse_assign(optarg, c == O_PAN, &a->mix[a->n_mix].ch, &a->mix[a->n_mix].value, why,
                                          sizeof why)) {
                fprintf(stderr, "groove: %s\n", why);
                rc = OPTIONS_USAGE;
            } else {
                a->mix[a->n_mix++].pan = c == O_PAN;
            }
            break;
        }
        default: return options_error("render", c, argv);
        }
    }
    if (rc != OPTIONS_OK)
        return rc;
    if (optind < argc) {
        fprintf(stderr, "groove: unexpected argument '%s' with --session (groove render --help)\n", argv[optind]);
        return OPTIONS_USAGE;
    }
    if (!a->session || (!a->out && !a->stems && !a->midi)) {
        fprintf(stderr, "groove: render --session needs a session file and -o OUT.wav, --stems DIR or --midi FILE\n");
        return OPTIONS_USAGE;
    }
    if (a->tracks && !a->midi) {
        fprintf(stderr, "groove: --tracks needs --midi FILE\n");
        return OPTIONS_USAGE;
    }
    if (a->mono && !a->stems) {
        fprintf(stderr, "groove: --mono needs --stems DIR (the mix is always stereo)\n");
        return OPTIONS_USAGE;
    }
    return OPTIONS_OK;
}

int cmd_render_session(int argc, char **argv)
{
    static Render_session_args a;
    int rc = parse_options(argc, argv, &a);
    if (rc != OPTIONS_OK)
        return rc == OPTIONS_HELP ? 0 : rc;
    char err[512], report[300];
    Song song;
    if (song_from_session(&song, a.session, a.model, a.loops, a.bpm, err, sizeof err) != 0) {
        fprintf(stderr, "groove: %s\n", err);
        return 1;
    }
    for (int i = 0; i < a.n_mix; i++) {
        if (a.mix[i].ch >= HVO_VOICES)
            continue;   /* the click never plays in a song render */
        if (a.mix[i].pan)
            song.pan[a.mix[i].ch] = a.mix[i].value;
        else
            song.gain_db[a.mix[i].ch] = a.mix[i].value;
    }
    Kit kit;
    int fell_back = 0;
    if (kit_load_or_default(&kit, a.kit_spec ? a.kit_spec : "default", a.rate, &fell_back, err, sizeof err) != 0) {
        fprintf(stderr, "groove: cannot load a kit: %s\n", err);
        song_free(&song);
        return 1;
    }
    if (a.kit_spec && fell_back) {
        char *tail = strstr(err, "; playing the default");
        if (tail)
            *tail = 0;
        fprintf(stderr, "groove: %s\n", err);
        kit_deinit(&kit);
        song_free(&song);
        return 1;
    }
    rc = render_song_files(&song, &kit, a.rate, a.out, a.stems, a.mono, a.midi, a.tracks, report, sizeof report, err,
                           sizeof err);
    if (rc != 0) {
        fprintf(stderr, "groove: %s\n", err);
    } else {
        printf("groove: rendered %s: %s\n", a.session, report);
        if (song.chain_loops > 0) {
            printf("groove: sections:");
            for (int k = 0; k < song.n; k++)
                printf(" %s", form_slot_name(song.loops[k].section));
            printf("\n");
        }
    }
    kit_deinit(&kit);
    song_free(&song);
    return rc ? 1 : 0;
}
