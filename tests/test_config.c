/* test_config.c - the machine settings file (app/play/config.h): round trip, unknown keys and
 * comments kept in place, bad files refused without being touched, XDG path, atomic save. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"

static long read_file(const char *path, char *buf, size_t cap)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    size_t n = fread(buf, 1, cap - 1, f);
    fclose(f);
    buf[n] = 0;
    return (long)n;
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    if (f) {
        fputs(text, f);
        fclose(f);
    }
}

int main(void)
{
    char err[256], text[CONFIG_TEXT_MAX];
    Config c;

    /* set, get, numbers */
    config_init(&c);
    CHECK(config_get(&c, CONFIG_INPUT_LATENCY_KEYS) == NULL, "empty config: key unset");
    CHECK(config_get_double(&c, CONFIG_INPUT_LATENCY_KEYS, 7.0) == 7.0, "unset key gives the fallback");
    CHECK(config_set_double(&c, CONFIG_INPUT_LATENCY_KEYS, 35.25, 2) == 0, "set a number");
    CHECK_NEAR(config_get_double(&c, CONFIG_INPUT_LATENCY_KEYS, 0), 35.25, 1e-9, "read it back");
    CHECK(config_set_double(&c, CONFIG_INPUT_LATENCY_KEYS, 12.0, 1) == 0 && c.count == 1,
          "setting again replaces in place");
    CHECK(config_set(&c, "bad key", "1") != 0, "a key with a space is refused");
    CHECK(config_set(&c, "k", "two\nlines") != 0, "a value with a newline is refused");
    CHECK(config_set(&c, "", "x") != 0, "an empty key is refused");
    config_set(&c, "word", "hello");
    CHECK(config_get_double(&c, "word", -1) == -1, "a non-number gives the fallback");

    /* parse: comments, unknown keys, spaces; round trip keeps them in place */
    const char *in = "groove-config 1\n# my machine\n\nfuture_key = some value \n"
                     "input_latency_keys_ms=20.5\naudio_offset_ms=3\n";
    CHECK(config_from_text(in, strlen(in), &c, err, sizeof err) == CONFIG_OK, "parses a file (%s)", err);
    CHECK_NEAR(config_get_double(&c, CONFIG_INPUT_LATENCY_KEYS, 0), 20.5, 1e-9, "known key read");
    CHECK(config_get(&c, "future_key") && strcmp(config_get(&c, "future_key"), "some value") == 0,
          "unknown key kept, value trimmed");
    config_set_double(&c, CONFIG_INPUT_LATENCY_KEYS, 35, 1);
    config_set_double(&c, CONFIG_INPUT_LATENCY_MIDI, 4.5, 1);
    int n = config_to_text(&c, text, sizeof text);
    const char *want = "groove-config 1\n# my machine\n\nfuture_key=some value\n"
                       "input_latency_keys_ms=35.0\naudio_offset_ms=3\ninput_latency_midi_ms=4.5\n";
    CHECK(n > 0 && strcmp(text, want) == 0, "round trip keeps comments, blank line, unknown keys, order");
    if (n <= 0 || strcmp(text, want) != 0)
        printf("     got:\n%s", text);
    Config d;
    CHECK(config_from_text(text, (size_t)n, &d, err, sizeof err) == CONFIG_OK && memcmp(&c, &d, sizeof c) == 0,
          "the written text parses to the same config");
    CHECK(config_unset(&d, "future_key") == 1 && config_get(&d, "future_key") == NULL && config_unset(&d, "future_key") == 0,
          "unset removes a key once");

    /* bad files */
    const char *bad[] = {"", "hello\n", "groove-config 2\n", "groove-config x\n",
                         "groove-config 1\nno equals\n", "groove-config 1\nbad key=1\n",
                         "groove-config 1\na=1\na=2\n", "groove-config\n"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        Config keep;
        config_init(&keep);
        config_set(&keep, "x", "1");
        Config_status st = config_from_text(bad[i], strlen(bad[i]), &keep, err, sizeof err);
        CHECK(st == CONFIG_CORRUPT && err[0] && config_get(&keep, "x"),
              "bad file %zu refused, output untouched (%s)", i, err);
    }
    char nul[] = "groove-config 1\na=1\0\n";
    CHECK(config_from_text(nul, sizeof nul - 1, &c, err, sizeof err) == CONFIG_CORRUPT, "NUL byte refused");
    /* a file of too many lines */
    {
        char big[CONFIG_TEXT_MAX * 2];
        size_t len = (size_t)snprintf(big, sizeof big, "groove-config 1\n");
        for (int i = 0; i < CONFIG_MAX_LINES + 1; i++)
            len += (size_t)snprintf(big + len, sizeof big - len, "k%d=%d\n", i, i);
        CHECK(config_from_text(big, len, &c, err, sizeof err) == CONFIG_CORRUPT, "too many lines refused (%s)", err);
        config_init(&c);
        for (int i = 0; i < CONFIG_MAX_LINES; i++) {
            char k[16];
            snprintf(k, sizeof k, "k%d", i);
            config_set(&c, k, "1234567890");
        }
        CHECK(config_set(&c, "one_more", "1") == -1, "a full config refuses a new key");
        CHECK(config_to_text(&c, text, sizeof text) > 0, "a full config still fits CONFIG_TEXT_MAX");
        CHECK(config_to_text(&c, text, 20) == -1, "too small a buffer is reported");
    }

    /* files: default path under XDG_CONFIG_HOME, save, load, missing, corrupt */
    char dir[] = "/tmp/groove-test-config-XXXXXX";
    CHECK(mkdtemp(dir) != NULL, "temp dir");
    char xdg[300];
    snprintf(xdg, sizeof xdg, "%s/xdg", dir);
    setenv("XDG_CONFIG_HOME", xdg, 1);
    char path[1024];
    CHECK(config_default_path(path, sizeof path, err, sizeof err) == 0, "default path (%s)", err);
    char want_path[400];
    snprintf(want_path, sizeof want_path, "%s/groove/config", xdg);
    CHECK(strcmp(path, want_path) == 0, "path is $XDG_CONFIG_HOME/groove/config");
    struct stat st;
    snprintf(want_path, sizeof want_path, "%s/groove", xdg);
    CHECK(stat(want_path, &st) == 0 && S_ISDIR(st.st_mode), "its directory is created");
    CHECK(config_load(path, &c, err, sizeof err) == CONFIG_MISSING && c.count == 0, "no file: missing, empty");
    config_set_double(&c, CONFIG_INPUT_LATENCY_KEYS, 35, 1);
    config_set(&c, "other_engineers_key", "kept");
    CHECK(config_save(&c, path, err, sizeof err) == 0, "save (%s)", err);
    CHECK(read_file(path, text, sizeof text) > 0 &&
              strcmp(text, "groove-config 1\ninput_latency_keys_ms=35.0\nother_engineers_key=kept\n") == 0,
          "the file on disk");
    CHECK(config_load(path, &d, err, sizeof err) == CONFIG_OK && memcmp(&c, &d, sizeof c) == 0, "load it back");
    write_file(path, "groove-config 9\nx=1\n");
    CHECK(config_load(path, &d, err, sizeof err) == CONFIG_CORRUPT && strstr(err, "newer"), "newer version refused: %s", err);
    CHECK(config_save(&c, "/nonexistent-dir/x/config", err, sizeof err) == -1 && err[0], "unwritable path: one line (%s)", err);
    unsetenv("XDG_CONFIG_HOME");
    setenv("HOME", dir, 1);
    CHECK(config_default_path(path, sizeof path, err, sizeof err) == 0 && strstr(path, "/.config/groove/config"),
          "without XDG_CONFIG_HOME: ~/.config/groove/config");
    {
        /* a checked number: unset -> the fallback, silently; bad or out of range -> the fallback
         * and one line saying which key and why */
        Config nc;
        config_init(&nc);
        double x = 7;
        CHECK(config_get_number(&nc, "output_offset_audio_ms", -50, 50, 0, &x, err, sizeof err) == 0 && x == 0,
              "unset: the fallback, no complaint");
        config_set(&nc, "output_offset_audio_ms", "-12.5");
        CHECK(config_get_number(&nc, "output_offset_audio_ms", -50, 50, 0, &x, err, sizeof err) == 0 && x == -12.5,
              "in range: the value");
        config_set(&nc, "output_offset_audio_ms", "999");
        err[0] = 0;
        CHECK(config_get_number(&nc, "output_offset_audio_ms", -50, 50, 0, &x, err, sizeof err) == -1 && x == 0 &&
                  strstr(err, "output_offset_audio_ms=999") && strstr(err, "-50..50"),
              "out of range: the fallback and a line: %s", err);
        config_set(&nc, "output_offset_audio_ms", "abc");
        CHECK(config_get_number(&nc, "output_offset_audio_ms", -50, 50, 0, &x, err, sizeof err) == -1 && x == 0,
              "not a number: the fallback and a line: %s", err);
        config_set(&nc, "output_offset_audio_ms", "-inf");
        CHECK(config_get_number(&nc, "output_offset_audio_ms", -50, 50, 0, &x, err, sizeof err) == -1,
              "-inf is not a number here");
    }
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    CHECK(system(cmd) == 0, "clean up");
    return check_summary();
}
