/* instrument_practice.c - the instrument's practice controls (instrument.h): redraw, the click,
 * the count-in, when a new part takes over (respond), the input latency calibration, and the
 * one-line summary of how the taps went.
 *
 * Thread: the control thread only, like the rest of the Instrument.
 */
#include "instrument.h"

#include <math.h>
#include <stdio.h>

#include "instrument_internal.h"

/* ----------------------------------------------------------- practice -- */

void instrument_redraw(Instrument *in)
{
    instrument_new_variation(in);
    instrument_message(in, "new variation %d: from the next %s", (int)in->session.settings.variation,
                       instrument_respond_name(in->respond));
}

void instrument_set_click(Instrument *in, int on)
{
    in->click = !!on;
    engine_set_click(in->engine, in->click);
    instrument_message(in, "click %s", in->click ? "on" : "off");
}

void instrument_set_count_in(Instrument *in, int bars)
{
    in->count_in_bars = bars < 0 ? 0 : bars > INSTRUMENT_COUNT_IN_MAX ? INSTRUMENT_COUNT_IN_MAX : bars;
    instrument_message(in, "count-in %d bar%s", in->count_in_bars, in->count_in_bars == 1 ? "" : "s");
}

void instrument_set_respond(Instrument *in, int steps)
{
    in->respond = steps == 4 || steps == 16 ? steps : HVO_STEPS;
    engine_set_respond(in->engine, in->respond);
    instrument_message(in, "a new part takes over at the next %s", instrument_respond_name(in->respond));
}

const char *instrument_respond_name(int steps)
{
    return steps == 4 ? "beat" : steps == 16 ? "bar" : "loop";
}

void instrument_calibrate_start(Instrument *in)
{
    in->calibrating = 1;
    in->calibration_input = -1;
    calibration_init(&in->calibration);
    in->calibration_click_was = in->click;
    in->click = 1;
    engine_set_click(in->engine, 1);
    if (!in->pos.playing)
        instrument_play(in);
    instrument_message(in, "calibration: tap on the click's beats (%d taps)", INSTRUMENT_CALIBRATION_TAPS);
}

int instrument_calibrate_finish(Instrument *in, int save)
{
    if (!in->calibrating)
        return -1;
    in->calibrating = 0;
    in->click = in->calibration_click_was;
    engine_set_click(in->engine, in->click);
    double median, spread;
    if (calibration_result(&in->calibration, &median, &spread) != 0) {
        instrument_message(in, "calibration needs %d taps or more (got %d): nothing changed", TIMING_CALIBRATION_MIN,
                           in->calibration.n);
        return -1;
    }
    int input = in->calibration_input >= 0 ? in->calibration_input : INSTRUMENT_INPUT_KEYS;
    in->calibrated_ms = median;
    in->calibrated_spread_ms = spread;
    in->calibrated_taps = in->calibration.n;
    in->input_latency_s[input] = median / 1000.0;
    const char *name = input == INSTRUMENT_INPUT_MIDI ? "MIDI" : "keys";
    char err[300] = "";
    int saved = 0;
    if (save && in->config_writable && in->config_path[0]) {
        config_set_double(&in->config, input == INSTRUMENT_INPUT_MIDI ? CONFIG_INPUT_LATENCY_MIDI : CONFIG_INPUT_LATENCY_KEYS,
                          median, 1);
        saved = config_save(&in->config, in->config_path, err, sizeof err) == 0;
    } else if (save) {
        snprintf(err, sizeof err, "%s", in->config_path[0] ? "the config file did not load (left as it is)" : "no config path");
    }
    in->calibrated_saved = saved;
    instrument_message(in, "%s latency %.1f ms (spread %.1f ms, %d taps)%s%.120s", name, median, spread,
                       in->calibration.n, saved ? ": saved" : save ? ": not saved: " : "", saved ? "" : err);
    return 0;
}

void instrument_tap_counted(Instrument *in, double position)
{
    int64_t pass = (int64_t)floor((position + 0.5) / HVO_STEPS);
    Live_slot slot = live_quantize(position, in->session.settings.swing);
    double steps_per_second = in->session.settings.bpm * HVO_STEPS_PER_BEAT / 60.0;
    timing_stats_add(&in->timing, pass, slot.step, slot.distance * 1000.0 / steps_per_second);
    in->taps++;
}

const char *instrument_summary(const Instrument *in, char *buf, size_t n)
{
    /* loops the playhead has completed (within half a step: a render ends on the line) */
    double at = instrument_position_at(in, in->now);
    int64_t loops = at > 0 ? (int64_t)floor((at + 0.5) / HVO_STEPS) : 0;
    return timing_summary(&in->timing, loops, buf, n);
}
