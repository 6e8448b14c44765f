/* atomic_file.c - temp file, fsync, rename (atomic_file.h). */
#include "atomic_file.h"

#include "error.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int atomic_file_open(Atomic_file *f, const char *path, char *err, size_t errlen)
{
    f->fd = -1;
    f->error = 0;
    size_t n = strlen(path);
    f->tmp = malloc(n + 12);
    f->path = malloc(n + 1);
    if (!f->tmp || !f->path) {
        free(f->tmp);
        free(f->path);
        f->tmp = f->path = NULL;
        error_set(err, errlen, "out of memory");
        errno = ENOMEM;
        return -1;
    }
    memcpy(f->path, path, n + 1);
    memcpy(f->tmp, path, n);
    memcpy(f->tmp + n, ".tmp.XXXXXX", 12);
    f->fd = mkstemp(f->tmp);
    if (f->fd < 0) {
        int saved = errno;
        error_set(err, errlen, "cannot create %s: %s", path, strerror(saved));   /* the file asked for, not the temp name */
        free(f->tmp);
        free(f->path);
        f->tmp = f->path = NULL;
        errno = saved;
        return -1;
    }
    return 0;
}

int atomic_file_append(Atomic_file *f, const void *data, size_t len, char *err, size_t errlen)
{
    if (f->error == 0 && f->fd < 0)
        f->error = EBADF;
    const unsigned char *p = data;
    while (f->error == 0 && len > 0) {
        ssize_t w = write(f->fd, p, len);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            f->error = w < 0 ? errno : EIO;
            break;
        }
        p += w;
        len -= (size_t)w;
    }
    if (f->error != 0) {
        error_set(err, errlen, "cannot write %s: %s", f->path ? f->path : "file", strerror(f->error));
        errno = f->error;
        return -1;
    }
    return 0;
}

/* Releases f's memory; the descriptor must already be closed. */
static void release(Atomic_file *f)
{
    free(f->tmp);
    free(f->path);
    f->tmp = f->path = NULL;
    f->fd = -1;
}

int atomic_file_commit(Atomic_file *f, char *err, size_t errlen)
{
    int saved = f->error;
    if (saved == 0 && (f->fd < 0 || !f->tmp))
        saved = EBADF;
    if (saved == 0 && fsync(f->fd) != 0)
        saved = errno;
    if (saved == 0) {
        /* mkstemp makes the file 0600; a saved file should have the usual permissions. */
        mode_t mask = umask(0);
        umask(mask);
        if (fchmod(f->fd, 0666 & ~mask) != 0)
            saved = errno;
    }
    if (f->fd >= 0 && close(f->fd) != 0 && saved == 0)
        saved = errno;
    f->fd = -1;
    if (saved == 0 && rename(f->tmp, f->path) != 0)
        saved = errno;
    if (saved != 0) {
        error_set(err, errlen, "cannot write %s: %s", f->path ? f->path : "file", strerror(saved));
        if (f->tmp)
            unlink(f->tmp);
        release(f);
        errno = saved;
        return -1;
    }
    release(f);
    return 0;
}

void atomic_file_abort(Atomic_file *f)
{
    int saved = errno;
    if (f->fd >= 0)
        close(f->fd);
    if (f->tmp)
        unlink(f->tmp);
    release(f);
    errno = saved;
}

int atomic_file_write(const char *path, const void *data, size_t len, char *err, size_t errlen)
{
    Atomic_file f;
    if (atomic_file_open(&f, path, err, errlen) != 0)
        return -1;
    if (atomic_file_append(&f, data, len, err, errlen) != 0) {
        atomic_file_abort(&f);
        return -1;
    }
    return atomic_file_commit(&f, err, errlen);
}
