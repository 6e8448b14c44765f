/* kit_archive.c - Hydrogen .h2drumkit files (the tar archives Hydrogen users download) read with
 * libarchive: unpacked into a private temporary folder, loaded as a Hydrogen kit, the folder
 * removed again (the samples are in memory by then).
 *
 * Every entry is checked before anything is written: an absolute path, a '..' component, a
 * symbolic or hard link whose target is absolute or climbs out with '..', or a device / FIFO
 * refuses the whole archive with one line naming the entry. Entries are written only under the
 * private folder (created 0700 by mkdtemp), and libarchive's own guards (no '..', no writing
 * through symlinks) are on as a second wall. Sizes are capped so an archive
 * cannot fill the disk: KIT_ARCHIVE_MAX_BYTES unpacked, KIT_ARCHIVE_MAX_ENTRIES entries.
 */
#include "kit.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"
#include "kit_internal.h"

#define KIT_ARCHIVE_MAX_BYTES (1024LL << 20) /* 1 GiB unpacked */
#define KIT_ARCHIVE_MAX_ENTRIES 20000

int kit_is_archive_name(const char *path)
{
    size_t n = strlen(path);
    static const char *const ends[] = {".h2drumkit", ".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tar.xz", ".zip", NULL};
    for (int i = 0; ends[i]; i++) {
        size_t e = strlen(ends[i]);
        if (n > e && !strcasecmp(path + n - e, ends[i]))
            return 1;
    }
    return 0;
}

/* 1 when a path (an entry's name or a link's target) stays inside the folder it is read from:
 * not absolute, no '..' component. */
static int path_stays_inside(const char *p)
{
    if (!p || !p[0] || p[0] == '/')
        return 0;
    const char *s = p;
    while (*s) {
        const char *e = strchr(s, '/');
        size_t len = e ? (size_t)(e - s) : strlen(s);
        if (len == 2 && s[0] == '.' && s[1] == '.')
            return 0;
        if (!e)
            break;
        s = e + 1;
    }
    return 1;
}

/* Says why an entry is refused, or returns 0 when it may be written. */
static int entry_refused(struct archive_entry *entry, char *why, size_t whylen)
{
    const char *name = archive_entry_pathname(entry);
    mode_t type = archive_entry_filetype(entry);
    if (!name || !name[0]) {
        snprintf(why, whylen, "an entry without a name");
        return 1;
    }
    if (name[0] == '/') {
        snprintf(why, whylen, "entry '%.200s' has an absolute path", name);
        return 1;
    }
    if (!path_stays_inside(name)) {
        snprintf(why, whylen, "entry '%.200s' has a '..' component", name);
        return 1;
    }
    const char *hard = archive_entry_hardlink(entry);
    if (hard && !path_stays_inside(hard)) {
        snprintf(why, whylen, "entry '%.200s' is a hard link out of the kit ('%.200s')", name, hard);
        return 1;
    }
    if (type == AE_IFLNK) {
        const char *target = archive_entry_symlink(entry);
        if (!path_stays_inside(target)) {
            snprintf(why, whylen, "entry '%.200s' is a link out of the kit ('%.200s')", name, target ? target : "");
            return 1;
        }
    }
    if (!hard && type != AE_IFREG && type != AE_IFDIR && type != AE_IFLNK) {
        snprintf(why, whylen, "entry '%.200s' is not a file, folder or link", name);
        return 1;
    }
    return 0;
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)ftw;
    return flag == FTW_DP ? rmdir(path) : unlink(path);
}

/* Removes a folder and everything under it (links are removed, never followed). */
static void remove_tree(const char *dir) { nftw(dir, remove_one, 16, FTW_DEPTH | FTW_PHYS); }

/* Unpacks archive_path into dir. 0, or -1 with err. */
static int unpack(const char *archive_path, const char *dir, char *err, size_t errlen)
{
    struct archive *in = archive_read_new(), *out = archive_write_disk_new();
    if (!in || !out) {
        archive_read_free(in);
        archive_write_free(out);
        return error_set(err, errlen, "out of memory");
    }
    archive_read_support_filter_all(in);
    archive_read_support_format_all(in);
    /* Our own checks come first (entry_refused); the entries are then written at absolute paths
     * under the private folder, so libarchive's absolute-path guard cannot be used, but its
     * guards against '..' and against writing through a symlink stay on. */
    archive_write_disk_set_options(out, ARCHIVE_EXTRACT_SECURE_SYMLINKS | ARCHIVE_EXTRACT_SECURE_NODOTDOT |
                                            ARCHIVE_EXTRACT_NO_OVERWRITE);
    int rc = -1;
    if (archive_read_open_filename(in, archive_path, 16384) != ARCHIVE_OK) {
        error_set(err, errlen, "%s", archive_error_string(in) ? archive_error_string(in) : "cannot open it");
        goto done;
    }
    long long total = 0;
    int entries = 0;
    struct archive_entry *entry;
    int r;
    while ((r = archive_read_next_header(in, &entry)) == ARCHIVE_OK || r == ARCHIVE_WARN) {
        char why[512];
        if (entry_refused(entry, why, sizeof why)) {
            error_set(err, errlen, "%s (refused: nothing is unpacked outside the kit)", why);
            goto done;
        }
        if (++entries > KIT_ARCHIVE_MAX_ENTRIES) {
            error_set(err, errlen, "more than %d entries", KIT_ARCHIVE_MAX_ENTRIES);
            goto done;
        }
        if (archive_entry_size_is_set(entry))
            total += archive_entry_size(entry);
        if (total > KIT_ARCHIVE_MAX_BYTES) {
            error_set(err, errlen, "it unpacks to more than %lld MB", KIT_ARCHIVE_MAX_BYTES >> 20);
            goto done;
        }
        char target[4096];
        snprintf(target, sizeof target, "%s/%s", dir, archive_entry_pathname(entry));
        archive_entry_set_pathname(entry, target);
        const char *hard = archive_entry_hardlink(entry);
        if (hard) {
            char link[4096];
            snprintf(link, sizeof link, "%s/%s", dir, hard);
            archive_entry_set_hardlink(entry, link);
        }
        archive_entry_set_perm(entry, archive_entry_filetype(entry) == AE_IFDIR ? 0700 : 0600);
        if (archive_write_header(out, entry) != ARCHIVE_OK) {
            error_set(err, errlen, "cannot unpack '%.200s': %s", target + strlen(dir) + 1,
                      archive_error_string(out) ? archive_error_string(out) : "write failed");
            goto done;
        }
        const void *buf;
        size_t size;
        la_int64_t offset;
        int d;
        long long written = 0;
        while ((d = archive_read_data_block(in, &buf, &size, &offset)) == ARCHIVE_OK) {
            written += (long long)size;
            if (written > KIT_ARCHIVE_MAX_BYTES || archive_write_data_block(out, buf, size, offset) != ARCHIVE_OK) {
                error_set(err, errlen, "cannot unpack '%.200s': %s", target + strlen(dir) + 1,
                          written > KIT_ARCHIVE_MAX_BYTES ? "too large" : archive_error_string(out));
                goto done;
            }
        }
        if (d != ARCHIVE_EOF) {
            error_set(err, errlen, "%s", archive_error_string(in) ? archive_error_string(in) : "read error");
            goto done;
        }
        archive_write_finish_entry(out);
    }
    if (r != ARCHIVE_EOF) {
        error_set(err, errlen, "%s", archive_error_string(in) ? archive_error_string(in) : "not an archive");
        goto done;
    }
    if (entries == 0) {
        error_set(err, errlen, "the archive is empty");
        goto done;
    }
    rc = 0;
done:
    archive_read_free(in);
    archive_write_free(out);
    return rc;
}

/* Finds drumkit.xml in dir or in one of its folders (Hydrogen packs a kit as NAME/drumkit.xml). */
static int find_xml(const char *dir, char *xml, size_t len)
{
    struct stat st;
    snprintf(xml, len, "%s/drumkit.xml", dir);
    if (lstat(xml, &st) == 0 && S_ISREG(st.st_mode))
        return 0;
    DIR *d = opendir(dir);
    if (!d)
        return -1;
    struct dirent *de;
    int found = -1;
    while (found < 0 && (de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.')
            continue;
        snprintf(xml, len, "%s/%s/drumkit.xml", dir, de->d_name);
        char sub[4096];
        snprintf(sub, sizeof sub, "%s/%s", dir, de->d_name);
        if (lstat(sub, &st) == 0 && S_ISDIR(st.st_mode) && lstat(xml, &st) == 0 && S_ISREG(st.st_mode))
            found = 0;
    }
    closedir(d);
    return found;
}

int kit_load_archive_raw(Kit *kit, const char *archive_path, int rate, char *err, size_t errlen)
{
    memset(kit, 0, sizeof *kit);
    const char *tmp = getenv("TMPDIR");
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/groove-kit.XXXXXX", tmp && tmp[0] ? tmp : "/tmp");
    if (!mkdtemp(dir)) {
        error_set(err, errlen, "cannot open kit '%s': cannot make a private folder to unpack it: %s", archive_path,
                  strerror(errno));
        return -1;
    }
    char why[1024];
    int rc = -1;
    if (unpack(archive_path, dir, why, sizeof why) != 0) {
        error_set(err, errlen, "cannot open kit '%s': %s", archive_path, why);
    } else {
        char xml[4096];
        if (find_xml(dir, xml, sizeof xml) != 0) {
            error_set(err, errlen, "cannot open kit '%s': no drumkit.xml in the archive", archive_path);
        } else if (kit_load_hydrogen_raw(kit, xml, rate, why, sizeof why) != 0) {
            /* the private folder's name means nothing to the user: name the archive */
            char *at = strstr(why, dir);
            if (at)
                error_set(err, errlen, "%.*s%s%s", (int)(at - why), why, kit_base_name(archive_path), at + strlen(dir));
            else
                error_set(err, errlen, "%s", why);
        } else {
            kit_copy_str(kit->path, sizeof kit->path, archive_path);
            rc = 0;
        }
    }
    remove_tree(dir);
    return rc;
}
