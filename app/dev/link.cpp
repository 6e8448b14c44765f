// link.cpp - Ableton Link behind a C interface (see link.h). The only C++ file in groove.
#include "link.h"

#include <ableton/Link.hpp>

#include <chrono>
#include <new>

#include "clock.h"

struct Link_session {
    explicit Link_session(double bpm) : link(bpm) {}
    ableton::Link link;
};

namespace {

ableton::Link &get(void *l) { return static_cast<Link_session *>(l)->link; }

// groove's clock (core/clock.h) -> Link's clock, through both clocks read now.
std::chrono::microseconds to_link(ableton::Link &link, double t)
{
    double mono_now = clock_seconds();
    auto link_now = link.clock().micros();
    return link_now + std::chrono::microseconds((long long)((t - mono_now) * 1e6));
}

double mono_now()
{
    return clock_seconds();
}

} // namespace

extern "C" {

Link_session *link_open(double bpm)
{
    try {
        return new Link_session(bpm > 0 ? bpm : 120.0);
    } catch (...) {
        return nullptr;
    }
}

void link_close(Link_session *l)
{
    if (!l)
        return;
    l->link.enable(false);
    delete l;
}

void link_enable(Link_session *l, int on)
{
    l->link.enableStartStopSync(on != 0);
    l->link.enable(on != 0);
}

int link_is_enabled(void *l) { return get(l).isEnabled() ? 1 : 0; }

int link_peers(void *l) { return (int)get(l).numPeers(); }

double link_tempo(void *l) { return get(l).captureAppSessionState().tempo(); }

void link_set_tempo(void *l, double bpm)
{
    auto &link = get(l);
    auto state = link.captureAppSessionState();
    state.setTempo(bpm, link.clock().micros());
    link.commitAppSessionState(state);
}

double link_beat_at(void *l, double t, double quantum)
{
    auto &link = get(l);
    return link.captureAppSessionState().beatAtTime(to_link(link, t), quantum);
}

int link_is_playing(void *l) { return get(l).captureAppSessionState().isPlaying() ? 1 : 0; }

void link_set_playing(void *l, int playing)
{
    auto &link = get(l);
    auto state = link.captureAppSessionState();
    state.setIsPlaying(playing != 0, to_link(link, mono_now()));
    link.commitAppSessionState(state);
}

void link_audio_capture(void *l, double t, double quantum, double *beat, double *bpm, int *playing)
{
    auto &link = get(l);
    auto state = link.captureAudioSessionState();
    auto at = to_link(link, t);
    *beat = state.beatAtTime(at, quantum);
    *bpm = state.tempo();
    *playing = state.isPlaying() ? 1 : 0;
}

void link_audio_set_playing(void *l, int playing, double t)
{
    auto &link = get(l);
    auto state = link.captureAudioSessionState();
    state.setIsPlaying(playing != 0, to_link(link, t));
    link.commitAudioSessionState(state);
}

} // extern "C"
