/* kit_find.c - where kits are found: the default kit (beside the executable, else synthesised),
 * the kit places, names and specs, and the public kit_load* entries (kit.h). */
#include "kit.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "drumsynth.h"
#include "error.h"
#include "kit_internal.h"

static int is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static int is_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* Makes an error message one printable line: control characters (from names in a file)
 * become '?'. Returns rc. */
static int one_line(int rc, char *err)
{
    if (rc != 0)
        for (char *p = err; *p; p++)
            if ((unsigned char)*p < 0x20 || *p == 0x7f)
                *p = '?';
    return rc;
}

/* ---- the default kit and the kit search ---- */

const char *kit_default_dir(void)
{
    static char dir[1024];
    char exe[900];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = 0;
        char *slash = strrchr(exe, '/');
        if (slash)
            *slash = 0;
        const char *tries[] = {"samples", "../share/groove/samples"};
        for (size_t i = 0; i < sizeof tries / sizeof tries[0]; i++) {
            snprintf(dir, sizeof dir, "%s/%s", exe, tries[i]);
            char probe[1100];
            snprintf(probe, sizeof probe, "%s/kick.wav", dir);
            if (is_file(probe))
                return dir;
        }
    }
    if (is_file("samples/kick.wav")) {
        kit_copy_str(dir, sizeof dir, "samples");
        return dir;
    }
    dir[0] = 0;
    return dir;
}

/* Synthesises the default kit in memory. */
static int kit_synthesize(Kit *kit, int rate, char *err, size_t errlen)
{
    memset(kit, 0, sizeof *kit);
    kit->rate = rate;
    kit_copy_str(kit->name, sizeof kit->name, "default");
    kit_copy_str(kit->path, sizeof kit->path, "(synthesised in memory)");
    for (int v = 0; v < HVO_VOICES; v++) {
        float *data;
        int frames;
        if (drumsynth_render(v, rate, &data, &frames) != 0) {
            kit_deinit(kit);
            return error_set(err, errlen, "cannot synthesise the default kit: out of memory");
        }
        kit_add_layer(kit, v, data, frames, 0.0f, 1.0f, 1.0f);
        kit_copy_str(kit->voices[v].source, sizeof kit->voices[v].source, drumsynth_file_name(v));
    }
    return 0;
}

int kit_load_default(Kit *kit, int rate, char *err, size_t errlen)
{
    const char *dir = kit_default_dir();
    if (dir[0] && kit_load_folder_raw(kit, dir, rate, err, errlen) == 0) {
        kit_copy_str(kit->name, sizeof kit->name, "default");
        return 0;
    }
    return kit_synthesize(kit, rate, err, errlen);
}

/* The places kits live: fills dirs with up to 4 folders and their origins. */
static int kit_places(char dirs[][1024], const char **origins)
{
    int n = 0;
    const char *xdg = getenv("XDG_DATA_HOME");
    const char *home = getenv("HOME");
    if (xdg && xdg[0]) {
        snprintf(dirs[n], 1024, "%s/groove/kits", xdg);
        origins[n++] = "user";
        snprintf(dirs[n], 1024, "%s/hydrogen/data/drumkits", xdg);
        origins[n++] = "hydrogen (user)";
    } else if (home && home[0]) {
        snprintf(dirs[n], 1024, "%s/.local/share/groove/kits", home);
        origins[n++] = "user";
        snprintf(dirs[n], 1024, "%s/.local/share/hydrogen/data/drumkits", home);
        origins[n++] = "hydrogen (user)";
    }
    const char *sys = getenv("GROOVE_SYSTEM_DRUMKITS"); /* tests point this elsewhere */
    snprintf(dirs[n], 1024, "%s", sys && sys[0] ? sys : "/usr/share/hydrogen/data/drumkits");
    origins[n++] = "hydrogen (system)";
    return n;
}

int kit_list(Kit_info *out, int max)
{
    int count = 0;
    if (count < max) {
        const char *d = kit_default_dir();
        kit_copy_str(out[count].name, sizeof out[count].name, "default");
        kit_copy_str(out[count].path, sizeof out[count].path, d[0] ? d : "(synthesised in memory)");
        out[count].origin = "default";
    }
    count++;
    char dirs[4][1024];
    const char *origins[4];
    int n = kit_places(dirs, origins);
    for (int i = 0; i < n; i++) {
        DIR *d = opendir(dirs[i]);
        if (!d)
            continue;
        char *names[512];
        int nn = 0;
        struct dirent *de;
        while ((de = readdir(d)) != NULL && nn < 512) {
            if (de->d_name[0] == '.')
                continue;
            char p[2048];
            snprintf(p, sizeof p, "%s/%s", dirs[i], de->d_name);
            size_t dl = strlen(de->d_name);
            int archive = dl > 10 && !strcasecmp(de->d_name + dl - 10, ".h2drumkit") && is_file(p);
            if (!is_dir(p) && !archive)
                continue;
            names[nn] = strdup(de->d_name);
            if (names[nn])
                nn++;
        }
        closedir(d);
        for (int a = 1; a < nn; a++)
            for (int b = a; b > 0 && strcmp(names[b - 1], names[b]) > 0; b--) {
                char *t = names[b];
                names[b] = names[b - 1];
                names[b - 1] = t;
            }
        for (int a = 0; a < nn; a++) {
            if (count < max) {
                kit_copy_str(out[count].name, sizeof out[count].name, names[a]);
                snprintf(out[count].path, sizeof out[count].path, "%s/%s", dirs[i], names[a]);
                out[count].origin = origins[i];
            }
            count++;
            free(names[a]);
        }
    }
    return count;
}

int kit_find(const char *name, char *path, size_t pathlen)
{
    Kit_info infos[256];
    int n = kit_list(infos, 256);
    if (n > 256)
        n = 256;
    for (int i = 0; i < n; i++)
        if (!strcasecmp(infos[i].name, name)) {
            kit_copy_str(path, pathlen, infos[i].path);
            return 0;
        }
    return -1;
}

static int kit_load_spec(Kit *kit, const char *spec, int rate, char *err, size_t errlen)
{
    if (!spec || !spec[0] || !strcasecmp(spec, "default"))
        return kit_load_default(kit, rate, err, errlen);
    char path[1024];
    kit_copy_str(path, sizeof path, spec);
    if (!is_dir(path) && !is_file(path)) {
        if (strchr(spec, '/') || kit_find(spec, path, sizeof path) != 0) {
            memset(kit, 0, sizeof *kit);
            error_set(err, errlen, "cannot open kit '%s': no such folder or kit name (groove kits lists them)", spec);
            return -1;
        }
        if (!strcmp(path, "(synthesised in memory)"))
            return kit_load_default(kit, rate, err, errlen);
    }
    if (is_dir(path)) {
        char xml[1100];
        snprintf(xml, sizeof xml, "%s/drumkit.xml", path);
        if (is_file(xml))
            return kit_load_hydrogen_raw(kit, xml, rate, err, errlen);
        return kit_load_folder_raw(kit, path, rate, err, errlen);
    }
    const char *b = kit_base_name(path);
    size_t bl = strlen(b);
    if (bl >= 4 && !strcasecmp(b + bl - 4, ".xml"))
        return kit_load_hydrogen_raw(kit, path, rate, err, errlen);
    if (kit_is_archive_name(b))
        return kit_load_archive_raw(kit, path, rate, err, errlen);
    memset(kit, 0, sizeof *kit);
    return error_set(err, errlen, "cannot open kit '%s': not a folder, a drumkit.xml or a .h2drumkit", spec);
}

/* Makes the names a kit file supplied printable (control characters become '?'). */
static void kit_printable(Kit *kit)
{
    one_line(1, kit->name);
    for (int v = 0; v < HVO_VOICES; v++)
        one_line(1, kit->voices[v].source);
    for (int i = 0; i < kit->n_unmapped && i < KIT_MAX_UNMAPPED; i++)
        one_line(1, kit->unmapped[i]);
    one_line(1, kit->missing);
}

int kit_load(Kit *kit, const char *spec, int rate, char *err, size_t errlen)
{
    int rc = one_line(kit_load_spec(kit, spec, rate, err, errlen), err);
    if (rc == 0)
        kit_printable(kit);
    return rc;
}

int kit_load_folder(Kit *kit, const char *dir, int rate, char *err, size_t errlen)
{
    int rc = one_line(kit_load_folder_raw(kit, dir, rate, err, errlen), err);
    if (rc == 0)
        kit_printable(kit);
    return rc;
}

int kit_load_hydrogen(Kit *kit, const char *xml_path, int rate, char *err, size_t errlen)
{
    int rc = one_line(kit_load_hydrogen_raw(kit, xml_path, rate, err, errlen), err);
    if (rc == 0)
        kit_printable(kit);
    return rc;
}

int kit_load_or_default(Kit *kit, const char *spec, int rate, int *fell_back, char *err, size_t errlen)
{
    *fell_back = 0;
    if (kit_load(kit, spec, rate, err, errlen) == 0)
        return 0;
    *fell_back = 1;
    char why[600];
    kit_copy_str(why, sizeof why, err);
    if (kit_load_default(kit, rate, err, errlen) != 0)
        return -1;
    error_set(err, errlen, "%s; playing the default kit", why);
    return 0;
}
