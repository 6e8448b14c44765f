/* test_atomic_file.c - atomic saves (nn/atomic_file.h): whole-buffer and streamed saves land
 * whole with umask permissions, failed saves (missing directory, write error, rename error,
 * abort) leave the target as it was and no temp file behind. */
#include "atomic_file.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"

/* Reads a whole file into buf (at most cap bytes); returns its length or -1. */
static long read_file(const char *path, char *buf, size_t cap)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    size_t n = fread(buf, 1, cap, f);
    fclose(f);
    return (long)n;
}

/* Counts the entries in dir whose name contains ".tmp". */
static int count_temps(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return -1;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (strstr(e->d_name, ".tmp"))
            n++;
    closedir(d);
    return n;
}

/* Returns the permission bits of path, or -1. */
static int mode_of(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (int)(st.st_mode & 0777) : -1;
}

int main(void)
{
    char dir[] = "/tmp/test_atomic_file.XXXXXX";
    CHECK(mkdtemp(dir) != NULL, "temp dir");
    char path[256], buf[8192], err[512];
    snprintf(path, sizeof path, "%s/out.bin", dir);

    /* Whole-buffer save. */
    CHECK(atomic_file_write(path, "hello", 5, err, sizeof err) == 0, "atomic_file_write succeeds");
    long n = read_file(path, buf, sizeof buf);
    CHECK(n == 5 && memcmp(buf, "hello", 5) == 0, "the file holds exactly what was written");
    CHECK(count_temps(dir) == 0, "no temp file left after a save");

    /* Permissions follow the umask, not mkstemp's 0600. */
    mode_t old_mask = umask(027);
    CHECK(atomic_file_write(path, "x", 1, err, sizeof err) == 0, "save under umask 027");
    CHECK(mode_of(path) == 0640, "umask 027 gives 0640 (got %o)", (unsigned)mode_of(path));
    umask(022);
    CHECK(atomic_file_write(path, "x", 1, err, sizeof err) == 0, "save under umask 022");
    CHECK(mode_of(path) == 0644, "umask 022 gives 0644 (got %o)", (unsigned)mode_of(path));
    umask(old_mask);

    /* Streamed save from several pieces, one of them large. */
    static char big[1 << 20];
    for (size_t i = 0; i < sizeof big; i++)
        big[i] = (char)(i * 7 + 3);
    Atomic_file f;
    int ok = atomic_file_open(&f, path, err, sizeof err) == 0;
    CHECK(ok, "atomic_file_open succeeds");
    CHECK(ok && count_temps(dir) == 1, "open makes one temp file beside the target");
    CHECK(read_file(path, buf, sizeof buf) == 1 && buf[0] == 'x', "target unchanged while the save is open");
    ok = ok && atomic_file_append(&f, "head", 4, err, sizeof err) == 0 &&
         atomic_file_append(&f, big, sizeof big, err, sizeof err) == 0 &&
         atomic_file_append(&f, NULL, 0, err, sizeof err) == 0 && atomic_file_append(&f, "tail", 4, err, sizeof err) == 0;
    CHECK(ok, "appends succeed");
    CHECK(ok && atomic_file_commit(&f, err, sizeof err) == 0, "commit succeeds");
    CHECK(f.fd == -1 && f.tmp == NULL && f.path == NULL, "commit releases the struct");
    atomic_file_abort(&f); /* harmless after commit */
    {
        FILE *in = fopen(path, "rb");
        char *all = malloc(sizeof big + 16);
        size_t got = in && all ? fread(all, 1, sizeof big + 16, in) : 0;
        CHECK(got == sizeof big + 8 && memcmp(all, "head", 4) == 0 && memcmp(all + 4, big, sizeof big) == 0 &&
                  memcmp(all + 4 + sizeof big, "tail", 4) == 0,
              "streamed file is the pieces in order (%zu bytes)", got);
        free(all);
        if (in)
            fclose(in);
    }
    CHECK(count_temps(dir) == 0, "no temp file left after commit");

    /* Reset the target to a known old content for the failure cases. */
    CHECK(atomic_file_write(path, "old", 3, err, sizeof err) == 0, "write the old content");

    /* Abort leaves the target and no temp. */
    ok = atomic_file_open(&f, path, err, sizeof err) == 0;
    ok = ok && atomic_file_append(&f, "new", 3, err, sizeof err) == 0;
    CHECK(ok, "open and append before abort");
    atomic_file_abort(&f);
    n = read_file(path, buf, sizeof buf);
    CHECK(n == 3 && memcmp(buf, "old", 3) == 0, "abort leaves the target untouched");
    CHECK(count_temps(dir) == 0, "abort removes the temp file");

    /* A path in a missing directory. */
    char missing[300];
    snprintf(missing, sizeof missing, "%s/no/such/dir/out.bin", dir);
    err[0] = '\0';
    CHECK(atomic_file_write(missing, "x", 1, err, sizeof err) == -1, "save into a missing directory fails");
    CHECK(strncmp(err, "cannot ", 7) == 0 && strstr(err, "No such file") != NULL, "with a one-line reason: %s",
          err);
    CHECK(strstr(err, missing) != NULL && strstr(err, ".tmp.") == NULL,
          "the reason names the file asked for, not the temp file: %s", err);
    errno = 0;
    CHECK(atomic_file_open(&f, missing, err, sizeof err) == -1 && errno == ENOENT,
          "atomic_file_open fails with errno ENOENT");

    /* A write that fails part-way (file size limit; works as root too): target untouched. */
    signal(SIGXFSZ, SIG_IGN);
    struct rlimit old_lim, lim;
    getrlimit(RLIMIT_FSIZE, &old_lim);
    lim = old_lim;
    lim.rlim_cur = 4096;
    CHECK(setrlimit(RLIMIT_FSIZE, &lim) == 0, "limit file size to 4096 bytes");
    err[0] = '\0';
    CHECK(atomic_file_write(path, big, 100000, err, sizeof err) == -1, "a save that hits a write error fails");
    CHECK(strstr(err, path) != NULL, "its reason names the target: %s", err);
    ok = atomic_file_open(&f, path, err, sizeof err) == 0;
    int first = ok ? atomic_file_append(&f, big, 100000, err, sizeof err) : 0;
    int second = ok ? atomic_file_append(&f, "x", 1, err, sizeof err) : 0;
    errno = 0;
    int committed = ok ? atomic_file_commit(&f, err, sizeof err) : 0;
    CHECK(ok && first == -1 && second == -1 && committed == -1 && errno == EFBIG,
          "a failed append sticks, commit refuses with errno EFBIG");
    setrlimit(RLIMIT_FSIZE, &old_lim);
    n = read_file(path, buf, sizeof buf);
    CHECK(n == 3 && memcmp(buf, "old", 3) == 0, "the target is untouched after failed writes");
    CHECK(count_temps(dir) == 0, "no temp file left after failed writes");

    /* Rename fails: the target is a non-empty directory. */
    char target_dir[300], inner[320];
    snprintf(target_dir, sizeof target_dir, "%s/adir", dir);
    snprintf(inner, sizeof inner, "%s/keep", target_dir);
    CHECK(mkdir(target_dir, 0755) == 0 && atomic_file_write(inner, "k", 1, err, sizeof err) == 0,
          "make a non-empty directory as the target");
    CHECK(atomic_file_write(target_dir, "x", 1, err, sizeof err) == -1, "saving over a directory fails: %s",
          err);
    CHECK(read_file(inner, buf, sizeof buf) == 1 && buf[0] == 'k', "the directory's content is untouched");
    CHECK(count_temps(dir) == 0, "no temp file left after a failed rename");

    /* Clean up. */
    unlink(inner);
    rmdir(target_dir);
    unlink(path);
    CHECK(rmdir(dir) == 0, "the temp dir is empty at the end");
    return check_summary();
}
