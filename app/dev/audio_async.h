/* audio_async.h - opening the audio device in the background, so the instrument is ready at once.
 *
 * Opening an audio device (PortAudio's start-up, ALSA's and JACK's probing) takes a few hundred
 * ms; the screen and the keys should not wait for it. audio_async_start runs audio_open
 * (dev_audio.h) on a thread of its own; the control thread polls audio_async_poll, which hands
 * the Audio_out over once it is open (then the control thread owns it, as if it had opened it
 * itself). Until then the engine is not rendered: the transport waits, and the status line says
 * the device is opening. audio_async_finish waits for the thread and returns the Audio_out
 * (whether or not it was polled), for closing.
 *
 * Threads: every function from the control thread; the helper thread only runs audio_open and
 * makes no other PortAudio call while it runs (nothing else opens audio meanwhile).
 */
#ifndef GROOVE_AUDIO_ASYNC_H
#define GROOVE_AUDIO_ASYNC_H

#include "dev_audio.h"

typedef struct Audio_async Audio_async; /* private */

/* Starts opening. The config is copied (its device string must outlive the opening). Returns
 * NULL when out of memory or no thread can start (then call audio_open yourself). */
Audio_async *audio_async_start(Engine *engine, const Audio_config *cfg);
/* The Audio_out once open (every later call returns it too), NULL while still opening. */
Audio_out *audio_async_poll(Audio_async *a);
/* Waits for the opening to end (the helper hides stderr while PortAudio starts: wait before
 * printing an error) and returns the Audio_out, like a poll that waits. */
Audio_out *audio_async_wait(Audio_async *a);
/* Waits for the opening to end and frees the opener; returns the Audio_out (NULL if out of
 * memory), which the caller closes. NULL a is fine (returns NULL). */
Audio_out *audio_async_finish(Audio_async *a);

#endif
