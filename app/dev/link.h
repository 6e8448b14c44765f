/* link.h - Ableton Link (Debian's header-only ableton-link-dev) behind a C interface.
 *
 * The only C++ in groove is link.cpp, which wraps one ableton::Link object. A session is
 * created with groove's tempo and not joined; link_enable joins it (start/stop sync on), and
 * a peer that joins adopts the session's tempo and beat timeline, as Link does. The quantum
 * (beats per bar) is given per call; groove uses 4.
 *
 * Times are CLOCK_MONOTONIC seconds (the clock groove stamps MIDI with); they are converted to
 * Link's own clock (CLOCK_MONOTONIC_RAW microseconds) at each call.
 *
 * Threads. The functions marked "audio thread" use Link's audio-thread session state
 * (captureAudioSessionState / commitAudioSessionState: real-time safe, no allocation, no
 * lock) and must be called only from the one audio callback. The others use the app-thread
 * session state and are for the control thread. The `void *` argument is the Link_session,
 * so these functions plug straight into sync.h's Sync_link.
 */
#ifndef GROOVE_LINK_H
#define GROOVE_LINK_H

#ifdef __cplusplus
extern "C" {
#endif

typedef struct Link_session Link_session;

/* A Link instance at a tempo (BPM), not yet joined. NULL when it cannot be made. */
Link_session *link_open(double bpm);
/* Leaves the session and frees. NULL is fine. */
void link_close(Link_session *l);
/* Joins (1) or leaves (0) the session; start/stop sync is on while joined. Control thread. */
void link_enable(Link_session *l, int on);
int link_is_enabled(void *l);

/* Control thread: peers in the session (not counting us), the session tempo, a new tempo. */
int link_peers(void *l);
double link_tempo(void *l);
void link_set_tempo(void *l, double bpm);
/* Control thread: the session's beat at host time t, and whether it plays. */
double link_beat_at(void *l, double t, double quantum);
int link_is_playing(void *l);
/* Control thread: start or stop the session now. */
void link_set_playing(void *l, int playing);

/* Audio thread: the session at host time t: beat (on a timeline whose bars are quantum
 * beats), tempo, playing. */
void link_audio_capture(void *l, double t, double quantum, double *beat, double *bpm, int *playing);
/* Audio thread: starts or stops the session at host time t. */
void link_audio_set_playing(void *l, int playing, double t);

#ifdef __cplusplus
}
#endif

#endif
