/* fuzz_kit.c - libFuzzer harness for reading a Hydrogen drumkit.xml and mapping its instruments.
 *
 * Any byte string is handed to kit_load_hydrogen_memory() as a drumkit.xml whose samples live
 * in a private folder holding two small WAVs (kick.wav, snare.wav: layers naming them load,
 * every other sample is missing, which must leave that instrument out, not fail the kit).
 * Checks: a refusal has a one-line reason; a loaded kit has at least one voice, layers with
 * samples and velocity ranges that are numbers, and one-line names; kit_deinit frees it all
 * (ASan). Built by `make fuzz` (clang -fsanitize=fuzzer,address,undefined); seeds: the
 * hand-made ones in tests/fuzz/seeds/kit/ plus, at `make fuzz` time, the drumkit.xml of every
 * kit in /usr/share/hydrogen/data/drumkits (Debian's hydrogen-drumkits, not committed here).
 */
#include <math.h>
#include <sndfile.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kit.h"
#include "kit_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char sample_dir[256];

/* Makes the private folder with kick.wav and snare.wav once. */
static void make_samples(void)
{
    snprintf(sample_dir, sizeof sample_dir, "/tmp/groove-fuzz-kit.XXXXXX");
    if (!mkdtemp(sample_dir))
        abort();
    const char *names[2] = {"kick.wav", "snare.wav"};
    for (int k = 0; k < 2; k++) {
        char path[400];
        snprintf(path, sizeof path, "%s/%s", sample_dir, names[k]);
        SF_INFO info = {0};
        info.samplerate = 22050;
        info.channels = 1;
        info.format = SF_FORMAT_WAV | SF_FORMAT_PCM_16;
        SNDFILE *sf = sf_open(path, SFM_WRITE, &info);
        if (!sf)
            abort();
        float x[512];
        for (int i = 0; i < 512; i++)
            x[i] = (float)(0.5 * sin(0.05 * (k + 1) * i) * exp(-i / 200.0));
        sf_writef_float(sf, x, 512);
        sf_close(sf);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!sample_dir[0])
        make_samples();
    Kit kit;
    char err[1024];
    if (kit_load_hydrogen_memory(&kit, (const char *)data, size, sample_dir, "fuzz.xml", 24000, err, sizeof err) != 0) {
        if (!err[0])
            __builtin_trap(); /* a refusal always has a reason */
        return 0;
    }
    if (kit_voice_count(&kit) < 1)
        __builtin_trap();
    for (int v = 0; v < HVO_VOICES; v++) {
        const Kit_voice *kv = &kit.voices[v];
        if (kv->n_layers < 0 || kv->n_layers > KIT_MAX_LAYERS)
            __builtin_trap();
        for (int l = 0; l < kv->n_layers; l++) {
            const Kit_layer *layer = &kv->layers[l];
            if (!layer->data || layer->frames <= 0 || !isfinite(layer->gain) || isnan(layer->min_vel) ||
                isnan(layer->max_vel))
                __builtin_trap();
        }
        if (memchr(kv->source, 0, sizeof kv->source) == NULL)
            __builtin_trap();
    }
    if (kit.n_missing < 0 || memchr(kit.missing, 0, sizeof kit.missing) == NULL || kit.name[sizeof kit.name - 1])
        __builtin_trap();
    kit_pick_layer(&kit, 0, 0.5f);
    kit_deinit(&kit);
    return 0;
}
