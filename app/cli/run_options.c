/* run_options.c - argv to Run_options for `groove` / `groove run` (run_options.h): the usage
 * text, the option table, the value parsers (--bpm-at, --gain/--pan) and the checks of which
 * options need or exclude which. cmd_run.c takes the result from here.
 *
 * Thread: the control thread, once at start.
 */
#include "run_options.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "mixer.h"
#include "model_params.h"
#include "options.h"
#include "tap_sound.h"

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
            "  --rate N            sample rate (default: a named --audio-device's own, else 48000)\n"
            "  --buffer N          frames per audio buffer (default 256)\n"
            "  --play-groove FILE  feed a MIDI file as if it were played live (replace mode)\n"
            "  --session FILE      use this session file instead of the autosave\n"
            "  --no-session        neither restore nor save a session\n"
            "  --headless          no terminal: run the instrument core only\n"
            "  --loops N           headless: stop after N loops (default: until Ctrl-C; 4 offline)\n"
            "  --out-wav FILE      headless offline render to a WAV file\n"
            "  --out-mid FILE      headless: write the parts played as a MIDI file\n"
            "  --json              headless: one JSON object per loop (docs/instrument.md)\n"
            "  --live              offline render of --play-groove: keep the as-played lag (each\n"
            "                      loop's drums answer the loop before; default: from bar 1 in step)\n"
            "  --tap-sound S       what a tap sounds like: note (default: a MIDI tap its GM voice, a\n"
            "                      key the closed hat), none, click, or a voice (kick, snare, ...);\n"
            "                      an offline render of a file defaults to none\n"
            "  --evolve X          0..1: the part evolves loop by loop (0 the same part, 1 new every loop)\n"
            "  --gain VOICE=DB     a voice's level (kick snare closed_hat ... click; repeatable)\n"
            "  --pan VOICE=P       a voice's pan, -1 left .. 1 right (repeatable)\n"
            "  --chain TEXT        play a chain of the session's sections, e.g. 'A*2 B A fill'\n"
            "  --play-chain        play the chain saved in the session\n"
            "  --tracks            --out-mid with one track per voice (track 0 the tempo map)\n"
            "  --glyphs KIND       grid glyphs: auto (default), unicode, ascii\n"
            "  --input KIND        what the taps are to the model: drums, keys or taps (default: computer\n"
            "                      keys taps, a MIDI keyboard keys, channel 10 or a drum file drums)\n"
            "  --click             the metronome click (in a headless WAV only with this)\n"
            "  --count-in N        N bars (0, 1, 2) of click before the transport's first step\n"
            "  --respond WHEN      a new part takes over at the next loop, bar or beat\n"
            "  --input-latency MS  input latency compensation for this run (default: the config's)\n"
            "  --calibrate         measure the input latency: tap 12 of the click's beats (headless\n"
            "                      with --play-groove: the file's taps; prints one JSON object)\n"
            "  --tap-delay MS      headless, --play-groove: every tap arrives MS late (played live)\n"
            "  --tap-jitter MS     ... plus or minus up to MS (deterministic)\n"
            "  --link              join the Ableton Link session (tempo, bar lines, start/stop)\n"
            "  --clock-in DEV      follow a MIDI clock from this input (tempo, Start/Stop/Continue)\n"
            "  --clock-out DEV     send MIDI clock to this output (24 PPQN, Start/Stop/Continue/SPP)\n"
            "  --audio-offset MS   play the audio this much later (-50..50; saved in the config)\n"
            "  --midi-offset MS    send MIDI out this much later (-50..50; saved in the config)\n"
            "  --midi-in-file FILE headless: play MIDI in (notes and clock) from a MIDI file\n"
            "  --midi-out-file FILE headless: write MIDI out (notes and clock) to a MIDI file\n"
            "  --bpm-at LOOP:BPM   headless: set the tempo when loop LOOP starts (repeatable)\n");
}

/* --bpm-at LOOP:BPM. */
static int parse_bpm_at(const char *arg, Run_options *o)
{
    char loop[32];
    const char *colon = strchr(arg, ':');
    if (!colon || (size_t)(colon - arg) >= sizeof loop) {
        fprintf(stderr, "groove: --bpm-at wants LOOP:BPM, not '%s'\n", arg);
        return OPTIONS_USAGE;
    }
    memcpy(loop, arg, (size_t)(colon - arg));
    loop[colon - arg] = 0;
    if (o->n_bpm_at >= SYNC_MAX_BPM_AT) {
        fprintf(stderr, "groove: at most %d --bpm-at\n", SYNC_MAX_BPM_AT);
        return OPTIONS_USAGE;
    }
    Sync_bpm_at *a = &o->bpm_at[o->n_bpm_at];
    int rc = options_int("--bpm-at LOOP", loop, 0, 10000000, &a->loop);
    if (rc == OPTIONS_OK)
        rc = options_float("--bpm-at BPM", colon + 1, SESSION_BPM_MIN, SESSION_BPM_MAX, &a->bpm);
    if (rc == OPTIONS_OK)
        o->n_bpm_at++;
    return rc;
}

/* The long-only options' codes (past any character); practice's are O_PRACTICE + Practice_option. */
enum { O_KIT = 256, O_MODEL, O_BPM, O_MIDI_IN, O_MIDI_OUT, O_AUDIO_DEVICE, O_RATE, O_BUFFER,
       O_PLAY_GROOVE, O_SESSION, O_NO_SESSION, O_HEADLESS, O_LOOPS, O_OUT_WAV, O_OUT_MID, O_JSON, O_EVOLVE, O_GAIN, O_PAN, O_CHAIN, O_PLAY_CHAIN, O_TRACKS,
       O_GLYPHS, O_INPUT, O_LIVE, O_TAP_SOUND, O_LINK, O_CLOCK_IN, O_CLOCK_OUT, O_AUDIO_OFFSET, O_MIDI_OFFSET,
       O_MIDI_IN_FILE, O_MIDI_OUT_FILE, O_BPM_AT, O_PRACTICE = 512 /* + Practice_option */ };

/* groove run's options. */
static const struct option run_longopts[] = {
    {"help", no_argument, NULL, 'h'},
    {"kit", required_argument, NULL, O_KIT},
    {"model", required_argument, NULL, O_MODEL},
    {"bpm", required_argument, NULL, O_BPM},
    {"midi-in", required_argument, NULL, O_MIDI_IN},
    {"midi-out", required_argument, NULL, O_MIDI_OUT},
    {"audio-device", required_argument, NULL, O_AUDIO_DEVICE},
    {"rate", required_argument, NULL, O_RATE},
    {"buffer", required_argument, NULL, O_BUFFER},
    {"play-groove", required_argument, NULL, O_PLAY_GROOVE},
    {"session", required_argument, NULL, O_SESSION},
    {"no-session", no_argument, NULL, O_NO_SESSION},
    {"headless", no_argument, NULL, O_HEADLESS},
    {"loops", required_argument, NULL, O_LOOPS},
    {"out-wav", required_argument, NULL, O_OUT_WAV},
    {"out-mid", required_argument, NULL, O_OUT_MID},
    {"json", no_argument, NULL, O_JSON},
    {"evolve", required_argument, NULL, O_EVOLVE},
    {"gain", required_argument, NULL, O_GAIN},
    {"pan", required_argument, NULL, O_PAN},
    {"chain", required_argument, NULL, O_CHAIN},
    {"play-chain", no_argument, NULL, O_PLAY_CHAIN},
    {"tracks", no_argument, NULL, O_TRACKS},
    {"glyphs", required_argument, NULL, O_GLYPHS},
    {"input", required_argument, NULL, O_INPUT},
    {"click", no_argument, NULL, O_PRACTICE + PRACTICE_CLICK},
    {"count-in", required_argument, NULL, O_PRACTICE + PRACTICE_COUNT_IN},
    {"respond", required_argument, NULL, O_PRACTICE + PRACTICE_RESPOND},
    {"tap-delay", required_argument, NULL, O_PRACTICE + PRACTICE_TAP_DELAY},
    {"tap-jitter", required_argument, NULL, O_PRACTICE + PRACTICE_TAP_JITTER},
    {"input-latency", required_argument, NULL, O_PRACTICE + PRACTICE_INPUT_LATENCY},
    {"calibrate", no_argument, NULL, O_PRACTICE + PRACTICE_CALIBRATE},
    {"live", no_argument, NULL, O_LIVE},
    {"tap-sound", required_argument, NULL, O_TAP_SOUND},
    {"link", no_argument, NULL, O_LINK},
    {"clock-in", required_argument, NULL, O_CLOCK_IN},
    {"clock-out", required_argument, NULL, O_CLOCK_OUT},
    {"audio-offset", required_argument, NULL, O_AUDIO_OFFSET},
    {"midi-offset", required_argument, NULL, O_MIDI_OFFSET},
    {"midi-in-file", required_argument, NULL, O_MIDI_IN_FILE},
    {"midi-out-file", required_argument, NULL, O_MIDI_OUT_FILE},
    {"bpm-at", required_argument, NULL, O_BPM_AT},
    {NULL, 0, NULL, 0},
};

/* --gain VOICE=DB or --pan VOICE=P (is_pan), kept in order. */
static int parse_mix(const char *arg, int is_pan, Run_options *o)
{
    char why[200];
    int n = o->n_mix;
    if (n == (int)(sizeof o->mix / sizeof o->mix[0])) {
        fprintf(stderr, "groove: too many --gain/--pan options\n");
        return OPTIONS_USAGE;
    }
    if (mixer_parse_assign(arg, is_pan, &o->mix[n].ch, &o->mix[n].value, why, sizeof why)) {
        fprintf(stderr, "groove: %s\n", why);
        return OPTIONS_USAGE;
    }
    o->mix[n].pan = is_pan;
    o->n_mix++;
    return OPTIONS_OK;
}

/* The options that need or exclude each other. OPTIONS_OK or OPTIONS_USAGE (said). */
static int check_options(const Run_options *o)
{
    if (o->out_wav && !o->headless) {
        fprintf(stderr, "groove: --out-wav needs --headless\n");
        return OPTIONS_USAGE;
    }
    if (o->json && !o->headless) {
        fprintf(stderr, "groove: --json needs --headless\n");
        return OPTIONS_USAGE;
    }
    if ((o->midi_in_file || o->midi_out_file || o->n_bpm_at) && !o->headless) {
        fprintf(stderr, "groove: --midi-in-file, --midi-out-file and --bpm-at need --headless\n");
        return OPTIONS_USAGE;
    }
    if (o->link && o->clock_in) {
        fprintf(stderr, "groove: one tempo source at a time: --link or --clock-in\n");
        return OPTIONS_USAGE;
    }
    if (o->link && o->out_wav) {
        fprintf(stderr, "groove: --link plays in real time: not with --out-wav\n");
        return OPTIONS_USAGE;
    }
    if ((o->clock_in || o->clock_out) && o->out_wav) {
        fprintf(stderr, "groove: MIDI clock ports play in real time: not with --out-wav\n");
        return OPTIONS_USAGE;
    }
    return practice_check(&o->practice, o->headless, o->play_groove != NULL);
}

/* (run_options.h) */
int run_options_parse(int argc, char **argv, Run_options *o)
{
    memset(o, 0, sizeof *o);
    o->rate = 48000;
    o->buffer = 256;
    o->loops = -1;
    o->evolve = -1;
    o->input_kind = -1;
    practice_options_init(&o->practice);
    o->tap_sound = -4;
    options_begin();
    int c, rc = OPTIONS_OK;
    while (rc == OPTIONS_OK && (c = getopt_long(argc, argv, OPTIONS_SHORT, run_longopts, NULL)) != -1) {
        switch (c) {
        case 'h': usage(stdout); return OPTIONS_HELP;
        case O_KIT: o->kit = optarg; break;
        case O_MODEL: o->model = optarg; break;
        case O_LIVE: o->live = 1; break;
        case O_TAP_SOUND:
            o->tap_sound = tap_sound_parse(optarg);
            if (o->tap_sound == -4) {
                fprintf(stderr, "groove: --tap-sound wants note, none, click or a voice (kick, snare, closed_hat, ...), "
                                "not '%s'\n", optarg);
                return OPTIONS_USAGE;
            }
            break;
        case O_MIDI_IN: o->midi_in = optarg; break;
        case O_MIDI_OUT: o->midi_out = optarg; break;
        case O_AUDIO_DEVICE: o->audio_device = optarg; break;
        case O_PLAY_GROOVE: o->play_groove = optarg; break;
        case O_SESSION: o->session = optarg; break;
        case O_OUT_WAV: o->out_wav = optarg; break;
        case O_OUT_MID: o->out_mid = optarg; break;
        case O_NO_SESSION: o->no_session = 1; break;
        case O_HEADLESS: o->headless = 1; break;
        case O_JSON: o->json = 1; break;
        case O_LINK: o->link = 1; break;
        case O_CLOCK_IN: o->clock_in = optarg; break;
        case O_CLOCK_OUT: o->clock_out = optarg; break;
        case O_MIDI_IN_FILE: o->midi_in_file = optarg; break;
        case O_MIDI_OUT_FILE: o->midi_out_file = optarg; break;
        case O_AUDIO_OFFSET:
            rc = options_float("--audio-offset", optarg, -SYNC_OFFSET_MAX_MS, SYNC_OFFSET_MAX_MS, &o->audio_offset_ms);
            o->have_audio_offset = 1;
            break;
        case O_MIDI_OFFSET:
            rc = options_float("--midi-offset", optarg, -SYNC_OFFSET_MAX_MS, SYNC_OFFSET_MAX_MS, &o->midi_offset_ms);
            o->have_midi_offset = 1;
            break;
        case O_BPM_AT: rc = parse_bpm_at(optarg, o); break;
        case O_GLYPHS:
            if (!strcmp(optarg, "auto") || !strcmp(optarg, "unicode") || !strcmp(optarg, "ascii")) {
                o->glyphs = optarg[0] == 'a' && optarg[1] == 'u' ? TUI_GLYPHS_AUTO
                            : optarg[0] == 'u' ? TUI_GLYPHS_UNICODE : TUI_GLYPHS_ASCII;
            } else {
                fprintf(stderr, "groove: --glyphs takes auto, unicode or ascii, not '%s'\n", optarg);
                rc = OPTIONS_USAGE;
            }
            break;
        case O_BPM: rc = options_float("--bpm", optarg, SESSION_BPM_MIN, SESSION_BPM_MAX, &o->bpm); break;
        case O_LOOPS: rc = options_int("--loops", optarg, 0, 10000000, &o->loops); break;
        case O_RATE: rc = options_int("--rate", optarg, 8000, 192000, &o->rate); o->rate_given = 1; break;
        case O_BUFFER: rc = options_int("--buffer", optarg, 16, 8192, &o->buffer); break;
        case O_CHAIN: o->chain = optarg; break;
        case O_PLAY_CHAIN: o->play_chain = 1; break;
        case O_TRACKS: o->tracks = 1; break;
        case O_EVOLVE: rc = options_float("--evolve", optarg, 0, 1, &o->evolve); break;
        case O_INPUT:
            o->input_kind = model_input_kind_from_name(optarg);
            if (o->input_kind < 0) {
                fprintf(stderr, "groove: --input takes drums, keys or taps, not '%s'\n", optarg);
                rc = OPTIONS_USAGE;
            }
            break;
        case O_GAIN: case O_PAN: rc = parse_mix(optarg, c == O_PAN, o); break;
        default:
            if (c > O_PRACTICE && c <= O_PRACTICE + PRACTICE_CALIBRATE) {
                rc = practice_option(&o->practice, (Practice_option)(c - O_PRACTICE), optarg);
                break;
            }
            return options_error("run", c, argv);
        }
    }
    if (rc != OPTIONS_OK)
        return rc;
    if (optind < argc) {
        fprintf(stderr, "groove: unexpected argument '%s' (groove run --help)\n", argv[optind]);
        return OPTIONS_USAGE;
    }
    return check_options(o);
}
