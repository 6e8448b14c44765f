/* practice.c - the practice options of `groove run` (see practice.h). */
#include "practice.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "options.h"

void practice_options_init(Practice_options *p)
{
    memset(p, 0, sizeof *p);
    p->respond = HVO_STEPS;
    p->tap_delay_ms = -1.0;
    p->input_latency_ms = NAN;   /* not given: the config's */
}

int practice_option(Practice_options *p, Practice_option which, const char *arg)
{
    switch (which) {
    case PRACTICE_CLICK: p->click = 1; return OPTIONS_OK;
    case PRACTICE_CALIBRATE: p->calibrate = 1; return OPTIONS_OK;
    case PRACTICE_COUNT_IN: return options_int("--count-in", arg, 0, INSTRUMENT_COUNT_IN_MAX, &p->count_in);
    case PRACTICE_TAP_DELAY: return options_double("--tap-delay", arg, 0.0, 1000.0, &p->tap_delay_ms);
    case PRACTICE_TAP_JITTER: return options_double("--tap-jitter", arg, 0.0, 100.0, &p->tap_jitter_ms);
    case PRACTICE_INPUT_LATENCY: return options_double("--input-latency", arg, -1000.0, 1000.0, &p->input_latency_ms);
    case PRACTICE_RESPOND:
        if (arg && !strcmp(arg, "loop"))
            p->respond = HVO_STEPS;
        else if (arg && !strcmp(arg, "bar"))
            p->respond = HVO_STEPS_PER_BAR;
        else if (arg && !strcmp(arg, "beat"))
            p->respond = HVO_STEPS_PER_BEAT;
        else {
            fprintf(stderr, "groove: --respond wants loop, bar or beat, not '%s'\n", arg ? arg : "");
            return OPTIONS_USAGE;
        }
        return OPTIONS_OK;
    }
    return OPTIONS_USAGE;
}

int practice_check(const Practice_options *p, int headless, int have_feed)
{
    if ((p->tap_delay_ms >= 0 || p->tap_jitter_ms > 0) && (!headless || !have_feed)) {
        fprintf(stderr, "groove: --tap-delay and --tap-jitter need --headless and --play-groove\n");
        return OPTIONS_USAGE;
    }
    if (p->tap_jitter_ms > 0 && p->tap_delay_ms < 0) {
        fprintf(stderr, "groove: --tap-jitter needs --tap-delay\n");
        return OPTIONS_USAGE;
    }
    return OPTIONS_OK;
}

void practice_apply(const Practice_options *p, Instrument *in)
{
    in->click = p->click;
    engine_set_click(in->engine, p->click);
    in->count_in_bars = p->count_in;
    in->respond = p->respond;
    engine_set_respond(in->engine, p->respond);
}

void practice_start(const Practice_options *p, Instrument *in)
{
    if (p->calibrate)
        instrument_calibrate_start(in);   /* starts the transport too */
    else
        instrument_play(in);
}

int practice_feed(const Practice_options *p, Feed *feed, Instrument *in, double now, int offline, double ahead)
{
    if (!feed || !in->pos.playing)
        return 0;
    if (p->tap_delay_ms < 0)
        return feed_until(feed, in, instrument_position_at(in, now) + ahead);
    double sps = in->session.settings.bpm * HVO_STEPS_PER_BEAT / 60.0;
    /* when the player hears step 0: offline, frame 0 (time 0) is the transport's first step */
    double step0 = offline ? -in->play_start / sps : instrument_time_of(in, 0.0);
    return feed_until_time(feed, in, now, step0, sps, p->tap_delay_ms / 1000.0, p->tap_jitter_ms / 1000.0);
}
