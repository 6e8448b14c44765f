/* xdg.h - where groove keeps its files under the XDG base directories.
 *
 * One lookup for every per-user file: $XDG_<KIND>_HOME/groove/FILE when that variable holds an
 * absolute path, else $HOME/<fallback>/groove/FILE (XDG Base Directory Specification), the
 * directory created on the way (like mkdir -p, mode 0755). Used for the session (state) and
 * the config (config). Any thread; reads the environment, creates directories.
 */
#ifndef GROOVE_XDG_H
#define GROOVE_XDG_H

#include <stddef.h>

/* Writes ENV's directory + "/groove/" + FILE into path, creating the directory. ENV is e.g.
 * "XDG_STATE_HOME", HOME_SUBDIR the fallback under $HOME (".local/state"), WHAT the word the
 * messages use ("state", "config"). Returns 0, or -1 with a one-line reason in err. */
int xdg_file_path(const char *env, const char *home_subdir, const char *what, const char *file, char *path,
                  size_t len, char *err, size_t errlen);
/* Creates the folders a file at path needs (mkdir -p of its directory, mode 0755; nothing for
 * a bare file name), for outputs whose default lives in a folder a fresh clone lacks (data/,
 * runs/). Returns 0, or -1 with a one-line reason in err. */
int xdg_make_parent_dirs(const char *path, char *err, size_t errlen);

#endif
