/* test_wav.c - the one WAV writer (synth/wav.h): header fields, 16-bit rounding and clamping,
 * float samples, a file written block by block equal byte for byte to one written at once,
 * a cut tail, and an abandoned file leaving nothing behind. */
#include "check.h"
#include "le.h"
#include "wav.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Reads a whole file; returns its length (or -1) and the bytes in *out (caller frees). */
static long slurp(const char *path, uint8_t **out)
{
    FILE *f = fopen(path, "rb");
    *out = NULL;
    if (!f)
        return -1;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    *out = malloc(n > 0 ? (size_t)n : 1);
    if (!*out || fread(*out, 1, (size_t)n, f) != (size_t)n)
        n = -1;
    fclose(f);
    return n;
}

int main(void)
{
    char dir[] = "/tmp/groove-wav.XXXXXX";
    if (!mkdtemp(dir))
        return 1;
    char a[256], b[256], c[256], d[256];
    snprintf(a, sizeof a, "%s/a.wav", dir);
    snprintf(b, sizeof b, "%s/b.wav", dir);
    snprintf(c, sizeof c, "%s/c.wav", dir);
    snprintf(d, sizeof d, "%s/d.wav", dir);
    enum { FRAMES = 3000 };
    static float s[FRAMES * 2];
    for (int i = 0; i < FRAMES * 2; i++)
        s[i] = (float)((i * 37) % 200 - 100) / 80.0f; /* some beyond +-1: clamped */
    s[0] = 0.5f;
    s[1] = -1.0f;
    char err[512];
    CHECK(wav_write(a, s, FRAMES, 2, 48000, WAV_PCM16, err, sizeof err) == 0, "a whole buffer writes (%s)", err);
    uint8_t *fa, *fb;
    long na = slurp(a, &fa);
    CHECK(na == 44 + FRAMES * 4, "the file is the 44-byte header and 4 bytes a frame (%ld)", na);
    CHECK(na > 44 && !memcmp(fa, "RIFF", 4) && le_get_u32(fa + 4) == (uint32_t)(na - 8) && !memcmp(fa + 8, "WAVEfmt ", 8) &&
              le_get_u16(fa + 20) == 1 && le_get_u16(fa + 22) == 2 && le_get_u32(fa + 24) == 48000 &&
              le_get_u32(fa + 28) == 48000 * 4 && le_get_u16(fa + 32) == 4 && le_get_u16(fa + 34) == 16 &&
              !memcmp(fa + 36, "data", 4) && le_get_u32(fa + 40) == FRAMES * 4,
          "the header says RIFF/WAVE, PCM, 2 channels, 48 kHz, 16 bits and the sizes");
    CHECK(na > 48 && (int16_t)le_get_u16(fa + 44) == 16384 && (int16_t)le_get_u16(fa + 46) == -32767,
          "0.5 is 16384 (rounded) and -1 is -32767");

    Wav_writer w;
    int ok = wav_writer_open(&w, b, 2, 48000, WAV_PCM16, err, sizeof err) == 0;
    for (int at = 0; ok && at < FRAMES; at += 256)
        ok = wav_writer_write(&w, s + 2 * at, FRAMES - at < 256 ? FRAMES - at : 256, err, sizeof err) == 0;
    CHECK(ok && access(b, F_OK) != 0, "block by block: nothing at the target before the close");
    CHECK(wav_writer_close(&w, 1, err, sizeof err) == 0, "the close commits (%s)", err);
    long nb = slurp(b, &fb);
    CHECK(nb == na && fa && fb && !memcmp(fa, fb, (size_t)na), "block by block equals all at once, byte for byte");
    free(fb);

    ok = wav_writer_open(&w, c, 2, 48000, WAV_PCM16, err, sizeof err) == 0 &&
         wav_writer_write(&w, s, FRAMES, err, sizeof err) == 0 && wav_writer_truncate(&w, 1000, err, sizeof err) == 0 &&
         wav_writer_write(&w, s + 2000, 500, err, sizeof err) == 0 && wav_writer_close(&w, 1, err, sizeof err) == 0;
    uint8_t *fc;
    long nc = slurp(c, &fc);
    CHECK(ok && nc == 44 + 1500 * 4 && le_get_u32(fc + 40) == 1500 * 4 && !memcmp(fc + 44, fa + 44, 4000) &&
              !memcmp(fc + 44 + 4000, fa + 44 + 8000, 2000),
          "a cut tail: 1000 frames kept, the next 500 follow them, the header says 1500");
    free(fc);

    ok = wav_writer_open(&w, d, 1, 44100, WAV_FLOAT32, err, sizeof err) == 0 &&
         wav_writer_write(&w, s, 10, err, sizeof err) == 0;
    CHECK(ok && wav_writer_close(&w, 0, err, sizeof err) == 0 && access(d, F_OK) != 0,
          "close without commit leaves no file");
    int left = 0;
    char cmd[400];
    snprintf(cmd, sizeof cmd, "ls -A '%s' | grep -q tmp", dir);
    left = system(cmd) == 0;
    CHECK(!left, "and no temp file");
    float f3[3] = {0.25f, 2.0f, -0.75f};
    uint8_t *fd;
    CHECK(wav_write(d, f3, 3, 1, 44100, WAV_FLOAT32, err, sizeof err) == 0 && slurp(d, &fd) == 44 + 12 &&
              le_get_u16(fd + 20) == 3 && le_get_u16(fd + 34) == 32 && le_get_f32(fd + 44) == 0.25f &&
              le_get_f32(fd + 48) == 1.0f && le_get_f32(fd + 52) == -0.75f,
          "float WAV: format 3, 32 bits, samples as they are (clamped to 1)");
    free(fd);
    CHECK(wav_write("/no/such/dir/x.wav", s, 10, 2, 48000, WAV_PCM16, err, sizeof err) != 0 &&
              strstr(err, "cannot write '/no/such/dir/x.wav'") && !strchr(err, '\n'),
          "an unwritable path is one line (%s)", err);
    free(fa);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        printf("could not remove %s\n", dir);
    return check_summary();
}
