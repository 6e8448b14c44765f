/* xdg.c - per-user file paths under the XDG base directories (see xdg.h). */
#include "xdg.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "error.h"

/* Creates every directory along path (like mkdir -p). Returns 0 or -1 with errno. */
static int make_dirs(char *path)
{
    for (char *p = path + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = 0;
        int rc = mkdir(path, 0755);
        *p = '/';
        if (rc != 0 && errno != EEXIST)
            return -1;
    }
    if (mkdir(path, 0755) != 0 && errno != EEXIST)
        return -1;
    return 0;
}

int xdg_make_parent_dirs(const char *path, char *err, size_t errlen)
{
    char dir[4096];
    const char *slash = strrchr(path, '/');
    if (!slash || slash == path)
        return 0;
    size_t n = (size_t)(slash - path);
    if (n >= sizeof dir)
        return error_set(err, errlen, "path too long: %s", path);
    memcpy(dir, path, n);
    dir[n] = 0;
    if (make_dirs(dir) != 0)
        return error_set(err, errlen, "cannot create the folder %s: %s", dir, strerror(errno));
    return 0;
}

int xdg_file_path(const char *env, const char *home_subdir, const char *what, const char *file, char *path,
                  size_t len, char *err, size_t errlen)
{
    const char *xdg = getenv(env);
    const char *home = getenv("HOME");
    char dir[1024];
    int n;
    if (xdg && xdg[0] == '/')
        n = snprintf(dir, sizeof dir, "%s/groove", xdg);
    else if (home && home[0])
        n = snprintf(dir, sizeof dir, "%s/%s/groove", home, home_subdir);
    else
        return error_set(err, errlen, "neither %s nor HOME is set", env);
    if (n < 0 || (size_t)n >= sizeof dir)
        return error_set(err, errlen, "%s directory path too long", what);
    if (make_dirs(dir) != 0)
        return error_set(err, errlen, "cannot create %s: %s", dir, strerror(errno));
    n = snprintf(path, len, "%s/%s", dir, file);
    if (n < 0 || (size_t)n >= len)
        return error_set(err, errlen, "%s path too long", what);
    return 0;
}
