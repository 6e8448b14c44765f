/* fuzz_model.c - libFuzzer harness for the model file reader and the forward pass behind it.
 *
 * Any byte string goes to model_file_decode(): a refusal must carry a reason. Because random
 * mutations almost never keep the CRC right, every input is also tried with its last 4 bytes
 * replaced by the correct CRC, which takes the mutation past the checksum into the header,
 * tensor table and extras checks. A file that reads must re-encode to the same weights, build
 * a model and generate a valid pattern (hits 0/1, velocities in [0, 1], offsets in
 * [-0.5, 0.5]). The file size bounds the model (every weight is in the file), so inputs stay
 * small. Built by `make fuzz`; seeds in tests/fuzz/seeds/model/.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crc32.h"
#include "model.h"
#include "model_file.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Decodes, and on success checks the round trip and a generation. */
static void try_decode(const uint8_t *data, size_t size)
{
    Model_config c;
    float *w;
    Model_file_extras ex;
    char err[256] = "";
    if (model_file_decode(data, size, &c, &w, &ex, err, sizeof err) != 0) {
        if (!err[0] || w)
            __builtin_trap(); /* a refusal always has a reason and returns no weights */
        return;
    }
    uint8_t *again;
    size_t len;
    if (model_file_encode(&c, w, NULL, 0, &again, &len, err, sizeof err))
        __builtin_trap();
    Model_config c2;
    float *w2;
    if (model_file_decode(again, len, &c2, &w2, NULL, err, sizeof err) || memcmp(&c, &c2, sizeof c) ||
        memcmp(w, w2, model_params_count(&c) * sizeof *w))
        __builtin_trap();
    free(w2);
    free(again);
    Model m;
    if (model_init_params(&m, &c, w, &ex, err, sizeof err) == 0) {
        Hvo in, out;
        memset(&in, 0, sizeof in);
        for (int t = 0; t < HVO_STEPS; t += 3)
            in.v[t][HVO_GROOVE_VOICE] = 1.0f, in.v[t][HVO_VOICES + HVO_GROOVE_VOICE] = 0.7f;
        Gen_params g;
        model_gen_params(&m, &g);
        g.variation = 0.5f;
        g.genre = 1;
        g.fill = 1;
        g.mute_mask = 2;
        model_generate(&m, &in, NULL, &g, &out);
        for (int t = 0; t < HVO_STEPS; t++)
            for (int v = 0; v < HVO_VOICES; v++) {
                float h = out.v[t][v], vel = out.v[t][HVO_VOICES + v], off = out.v[t][2 * HVO_VOICES + v];
                if ((h != 0.0f && h != 1.0f) || !(vel >= 0.0f && vel <= 1.0f) || !(off >= -0.5f && off <= 0.5f))
                    __builtin_trap();
            }
        model_deinit(&m);
    }
    free(w);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    try_decode(data, size);
    if (size >= 8) {
        uint8_t *fixed = malloc(size);
        if (!fixed)
            return 0;
        memcpy(fixed, data, size);
        uint32_t crc = crc32_update(0, fixed, size - 4);
        for (int i = 0; i < 4; i++)
            fixed[size - 4 + i] = (uint8_t)(crc >> (8 * i));
        try_decode(fixed, size);
        free(fixed);
    }
    return 0;
}
