/* test_export.c - the part to a WAV file (app/play/export.h) through the one offline renderer
 * and the one WAV writer: its length is the loops plus one second of ring-out, its hits fall on
 * their frames, a muted voice is silent, and an unwritable path is one error line. */
#include "check.h"
#include "export.h"
#include "kit.h"
#include "le.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { RATE = 48000 };

static void block_kit(Kit *kit)
{
    memset(kit, 0, sizeof *kit);
    kit->rate = RATE;
    for (int v = 0; v < HVO_VOICES; v++) {
        float *d = malloc(sizeof(float) * 480);
        for (int i = 0; i < 480; i++)
            d[i] = 0.5f;
        kit->voices[v].layers[0] = (Kit_layer){d, 480, 0.0f, 1.0f, 1.0f};
        kit->voices[v].n_layers = 1;
    }
}

/* The first frame at or after from whose left sample is not silent, or -1. */
static long onset(const uint8_t *wav, long frames, long from)
{
    for (long i = from; i < frames; i++)
        if ((int16_t)le_get_u16(wav + 44 + 4 * i) != 0)
            return i;
    return -1;
}

int main(void)
{
    Kit kit;
    block_kit(&kit);
    Session s;
    session_defaults(&s);
    s.settings.bpm = 120.0f;
    s.settings.swing = 0.0f;
    s.settings.muted = 0;
    s.settings.soloed = 0;
    hvo_clear(&s.part);
    hvo_set(&s.part, 0, VOICE_KICK, 1, 1.0f, 0.0f);
    hvo_set(&s.part, 16, VOICE_SNARE, 1, 1.0f, 0.0f);
    char path[] = "/tmp/groove-export-XXXXXX";
    int fd = mkstemp(path);
    if (fd >= 0)
        close(fd);
    char err[256] = "";
    CHECK(export_wav(path, &s, &kit, RATE, 2, err, sizeof err) == 0, "two loops export (%s)", err);
    FILE *f = fopen(path, "rb");
    static uint8_t wav[44 + 4 * (8 * RATE + RATE) + 16];
    long n = f ? (long)fread(wav, 1, sizeof wav, f) : 0;
    if (f)
        fclose(f);
    long frames = (n - 44) / 4, loop = 4 * RATE; /* 32 sixteenths at 120 bpm: 4 s */
    CHECK(n == 44 + 4 * (2 * loop + RATE) && le_get_u32(wav + 40) == (uint32_t)(n - 44),
          "the file holds 2 loops and 1 s of ring-out (%ld frames)", frames);
    long a = onset(wav, frames, 0), b = onset(wav, frames, 1000), c = onset(wav, frames, loop / 2 + 1000);
    CHECK(a == 0 && b == loop / 2 && c == loop, "kick at 0, snare at 2 s, kick again at 4 s (%ld %ld %ld)", a, b, c);
    s.settings.muted = 1u << VOICE_SNARE;
    CHECK(export_wav(path, &s, &kit, RATE, 1, err, sizeof err) == 0, "a muted snare exports (%s)", err);
    f = fopen(path, "rb");
    n = f ? (long)fread(wav, 1, sizeof wav, f) : 0;
    if (f)
        fclose(f);
    frames = (n - 44) / 4;
    CHECK(frames == loop + RATE && onset(wav, frames, 1000) == -1, "a muted voice is silent");
    unlink(path);
    CHECK(export_wav("/no/such/dir/x.wav", &s, &kit, RATE, 1, err, sizeof err) != 0 && !strchr(err, '\n') &&
              strstr(err, "/no/such/dir/x.wav"),
          "an unwritable path is one line (%s)", err);
    kit_deinit(&kit);
    return check_summary();
}
