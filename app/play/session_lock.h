/* session_lock.h - one instrument per session file: an advisory lock (flock) on NAME.lock beside
 * the session file, holding the owner's pid.
 *
 * The lock sits on a separate file because a save replaces the session file by rename (atomic
 * save): a lock on the old file would not hold the new one. The lock goes when the holder exits
 * in any way (the kernel drops flock locks with the last descriptor), so a crash leaves no stale
 * lock; the lock file itself stays. A second instance finds the lock taken, reads the pid and
 * runs without autosave (instrument.c says so on the status line).
 *
 * Caller-owned struct: session_lock_acquire / session_lock_release. Control thread only.
 */
#ifndef GROOVE_SESSION_LOCK_H
#define GROOVE_SESSION_LOCK_H

#include <stddef.h>

typedef struct {
    int fd;              /* the lock file, open while held; -1 when not held */
    char path[1100];     /* NAME.lock */
} Session_lock;

/* Marks a lock as not held (so release is safe on it). */
void session_lock_clear(Session_lock *lock);
/* What session_lock_acquire found. */
typedef enum {
    SESSION_LOCK_ERROR = -1,  /* the lock file cannot be made (err says why; run without a lock) */
    SESSION_LOCK_TAKEN = 0,   /* ours now (our pid written into the lock file) */
    SESSION_LOCK_HELD = 1     /* another process holds it (*holder its pid, 0 when unknown) */
} Session_lock_result;

/* Takes the lock of session_path without waiting (see Session_lock_result). */
Session_lock_result session_lock_acquire(Session_lock *lock, const char *session_path, long *holder, char *err,
                                         size_t errlen);
/* Lets the lock go. */
void session_lock_release(Session_lock *lock);

#endif
