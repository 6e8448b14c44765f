/* session_lock.c - one instrument per session file (see session_lock.h). */
#include "session_lock.h"

#include "error.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

void session_lock_clear(Session_lock *lock)
{
    lock->fd = -1;
    lock->path[0] = 0;
}

/* Reads the pid a lock file holds, or 0. */
static long read_pid(int fd)
{
    char buf[32];
    ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
    if (n <= 0)
        return 0;
    buf[n] = 0;
    long pid = strtol(buf, NULL, 10);
    return pid > 0 ? pid : 0;
}

Session_lock_result session_lock_acquire(Session_lock *lock, const char *session_path, long *holder, char *err,
                                         size_t errlen)
{
    session_lock_clear(lock);
    *holder = 0;
    snprintf(lock->path, sizeof lock->path, "%s.lock", session_path);
    int fd = open(lock->path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) {
        error_set(err, errlen, "cannot open the session lock '%s': %s", lock->path, strerror(errno));
        return SESSION_LOCK_ERROR;
    }
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        int e = errno;
        if (e == EWOULDBLOCK) {
            *holder = read_pid(fd);
            close(fd);
            return SESSION_LOCK_HELD;
        }
        close(fd);
        error_set(err, errlen, "cannot lock '%s': %s", lock->path, strerror(e));
        return SESSION_LOCK_ERROR;
    }
    char pid[32];
    int n = snprintf(pid, sizeof pid, "%ld\n", (long)getpid());
    if (ftruncate(fd, 0) != 0 || pwrite(fd, pid, (size_t)n, 0) != n) {
        /* the lock holds all the same; only the pid a second instance reports is missing */
    }
    lock->fd = fd;
    return SESSION_LOCK_TAKEN;
}

void session_lock_release(Session_lock *lock)
{
    if (lock->fd >= 0) {
        if (ftruncate(lock->fd, 0) != 0) {
            /* a stale pid in an unlocked file misleads nobody: the lock is what counts */
        }
        flock(lock->fd, LOCK_UN);
        close(lock->fd);
    }
    session_lock_clear(lock);
}
