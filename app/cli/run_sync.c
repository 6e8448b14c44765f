/* run_sync.c - the tempo source, clock ports, MIDI files and offsets for `groove run`
 * (see run_sync.h). */
#include "run_sync.h"

#include <stdio.h>
#include <string.h>

#include "config.h"

/* Link's calls as sync.h wants them. */
static Sync_link link_ops(Link_session *l)
{
    Sync_link ops = {l, link_audio_capture, link_audio_set_playing, link_peers, link_tempo, link_set_tempo};
    return ops;
}

/* The MIDI thread hands clock-in messages to the sync. */
static void clock_in_to_sync(void *user, const uint8_t *bytes, int n, double time)
{
    sync_port_in(user, bytes, n, time);
}

/* The sync hands clock-out messages to the MIDI thread. */
static void clock_out_to_midi(void *user, const uint8_t *bytes, int n, double host_time)
{
    midi_send_clock(user, bytes, n, host_time);
}

/* The offsets: options win (and are saved), else the config file's, else 0. */
static void load_offsets(const Run_sync_options *o, float *audio, float *midi)
{
    Config c;
    char path[1024], err[256];
    *audio = o->have_audio_offset ? o->audio_offset_ms : 0;
    *midi = o->have_midi_offset ? o->midi_offset_ms : 0;
    if (config_default_path(path, sizeof path, err, sizeof err) != 0)
        return;
    Config_status st = config_load(path, &c, err, sizeof err);
    if (st != CONFIG_OK && st != CONFIG_MISSING)
        return;   /* unreadable: left alone, never overwritten */
    double ms;
    if (!o->have_audio_offset) {
        if (config_get_number(&c, CONFIG_OUTPUT_OFFSET_AUDIO, -SYNC_OFFSET_MAX_MS, SYNC_OFFSET_MAX_MS, 0, &ms, err,
                              sizeof err) != 0)
            fprintf(stderr, "groove: %s\n", err);
        *audio = (float)ms;
    }
    if (!o->have_midi_offset) {
        if (config_get_number(&c, CONFIG_OUTPUT_OFFSET_MIDI, -SYNC_OFFSET_MAX_MS, SYNC_OFFSET_MAX_MS, 0, &ms, err,
                              sizeof err) != 0)
            fprintf(stderr, "groove: %s\n", err);
        *midi = (float)ms;
    }
    if (o->save_offsets && (o->have_audio_offset || o->have_midi_offset)) {
        if (o->have_audio_offset)
            config_set_double(&c, CONFIG_OUTPUT_OFFSET_AUDIO, o->audio_offset_ms, 1);
        if (o->have_midi_offset)
            config_set_double(&c, CONFIG_OUTPUT_OFFSET_MIDI, o->midi_offset_ms, 1);
        if (config_save(&c, path, err, sizeof err) != 0)
            fprintf(stderr, "groove: %s\n", err);
    }
}

int run_sync_open(Run_sync *rs, const Run_sync_options *o, Instrument *in, Engine *engine, char *err, size_t errlen)
{
    memset(rs, 0, sizeof *rs);
    Sync *s = &rs->sync;
    if (sync_init(s, SYNC_INTERNAL, o->rate) != 0) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    rs->ready = 1;
    if (o->midi_in_file && sync_load_midi_in(s, o->midi_in_file, err, errlen) != 0)
        return -1;
    int file_clock = 0;
    for (int i = 0; i < s->n_file_in; i++)
        file_clock |= s->file_in[i].bytes[0] >= 0xf0;
    if (o->clock_in || file_clock) {
        if (o->clock_in && file_clock) {   /* two clocks would feed one follower */
            snprintf(err, errlen, "one tempo source at a time: --clock-in '%s', or the MIDI clock in '%s'", o->clock_in,
                     o->midi_in_file);
            return -1;
        }
        if (o->link) {
            snprintf(err, errlen, "one tempo source at a time: --link, or the MIDI clock in '%s'",
                     o->clock_in ? o->clock_in : o->midi_in_file);
            return -1;
        }
        s->source = SYNC_CLOCK;
    } else if (o->link || o->link_key) {
        rs->link = link_open(in->session.settings.bpm);
        if (!rs->link) {
            snprintf(err, errlen, "cannot start Ableton Link");
            return -1;
        }
        s->source = SYNC_LINK;
        s->link = link_ops(rs->link);
        if (o->link) {
            link_enable(rs->link, 1);
            sync_set_link(s, 1);
        }
    }
    if (o->realtime) {
        s->host_now = midi_clock_now;
        s->latency_s = o->latency_s;
    }
    if (o->midi_out_file)
        sync_record_midi_out(s);
    for (int i = 0; i < o->n_bpm_at; i++)
        sync_add_bpm_at(s, o->bpm_at[i].loop, o->bpm_at[i].bpm);
    float audio, midi;
    load_offsets(o, &audio, &midi);
    sync_set_offsets(s, engine, audio, midi);
    Engine_hook h = sync_hook(s);
    engine_set_hook(engine, &h);
    return 0;
}

Midi_clock_ports run_sync_ports(Run_sync *rs, const Run_sync_options *o)
{
    Midi_clock_ports p = {o->clock_in, o->clock_out, clock_in_to_sync, &rs->sync};
    return p;
}

void run_sync_attach_midi(Run_sync *rs, Midi *m)
{
    if (midi_clock_status(m)[0] && strstr(midi_clock_status(m), "clock out"))
        sync_set_port_out(&rs->sync, clock_out_to_midi, m);
}

int run_sync_toggle_link(Run_sync *rs)
{
    if (rs->sync.source != SYNC_LINK || !rs->link)
        return -1;
    int on = sync_source_now(&rs->sync) != SYNC_LINK;
    link_enable(rs->link, on);
    sync_set_link(&rs->sync, on);
    return on;
}

int run_sync_finish(Run_sync *rs, const char *midi_out_file, char *err, size_t errlen)
{
    if (!rs->ready)
        return 0;
    return sync_write_midi_out(&rs->sync, midi_out_file, err, errlen);
}

void run_sync_close(Run_sync *rs)
{
    if (rs->link) {
        link_close(rs->link);
        rs->link = NULL;
    }
    if (rs->ready)
        sync_deinit(&rs->sync);
    rs->ready = 0;
}
