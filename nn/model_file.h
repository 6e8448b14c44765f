/* model_file.h - the versioned binary file that holds a Groove Transformer VAE.
 *
 * Layout (every integer and float little-endian; sizes in bytes):
 *
 *   offset  size  field
 *   0       8     magic "GROOVETM"
 *   8       4     u32 version (1 or 2)
 *   12      4     u32 number of config fields that follow, F: 15 in version 1, 17 in 2
 *   16      4F    i32 x F config, in this order: input_dim, steps, output_dim, enc_d,
 *                 enc_heads, enc_ff, enc_layers, dec_d, dec_heads, dec_ff, dec_layers,
 *                 latent, n_styles, has_fill, n_mute_groups, [version 2:] n_kinds,
 *                 has_memory  (see model_params.h; a version 1 file reads as 0, 0)
 *   16+4F   4     u32 n_tensors
 *   20+4F   4     u32 reserved (0)
 *   24+4F   8     u64 n_floats: the size of the data block, in floats
 *   32+4F   n*64  tensor table (at 92 in version 1, 100 in 2), one 64-byte entry per tensor:
 *                   char name[48] (NUL-padded), u32 rows, u32 cols, u64 offset (in floats,
 *                   from the start of the data block)
 *   ...     4*n_floats  data block: float32 values, row-major, tensors at their offsets
 *   end-4   4     u32 CRC-32 (IEEE 802.3, as zlib's crc32) of every byte before it
 *
 * The weight tensors come first, in model_params_visit() order with the names and shapes it
 * gives ("in_w" [De][in], "enc.0.qkv_w" [3De][De], ...), laid end to end at offset 0, so the
 * weights are one contiguous block of model_params_count() floats that binds directly with
 * model_params_bind(). Optional extra tensors may follow, e.g. "thresholds" [1][9]: per-voice
 * hit thresholds calibrated by the trainer, "thresholds_keys" [1][9]: those for a keyboard
 * part (fitted on a keys set), "memory_gate" [1][1]: the memory gate in steps
 * (model.h). Readers skip extras they do not know.
 *
 * Writing uses version 1 for a config without input kinds and memory (older builds read
 * it), version 2 otherwise; reading takes both.
 *
 * Reading checks everything (size, magic, version, config, every table entry, CRC) and
 * reports the first fault in one line, never crashes, and never allocates more than the
 * file's size. Writing is atomic (temp file, fsync, rename). Any thread but the audio thread.
 */
#ifndef GROOVE_MODEL_FILE_H
#define GROOVE_MODEL_FILE_H

#include <stddef.h>
#include <stdint.h>

#include "hvo.h"
#include "model_params.h"

#define MODEL_FILE_MAGIC "GROOVETM"
#define MODEL_FILE_VERSION 2u             /* the newest version this build reads and writes */
#define MODEL_FILE_CONFIG_FIELDS 17       /* version 2 */
#define MODEL_FILE_V1_CONFIG_FIELDS 15
#define MODEL_FILE_NAME_LEN 48
#define MODEL_FILE_MAX_BYTES (1u << 30)   /* larger files are refused */

/* An extra tensor to store beside the weights (name < 48 chars). */
typedef struct {
    const char *name;
    int rows, cols;
    const float *data;
} Model_file_tensor;

/* The extras this code understands, read back from a file. */
typedef struct {
    int has_thresholds;                /* 1 when the file holds "thresholds" [1][9] */
    float thresholds[HVO_VOICES];
    int has_thresholds_keys;           /* 1 when the file holds "thresholds_keys" [1][9]: the
                                        * thresholds for a keyboard part (input kind keys) */
    float thresholds_keys[HVO_VOICES];
    int has_memory_gate;               /* 1 when the file holds "memory_gate" [1][1] */
    float memory_gate;                 /* steps, 0..32 (whole): model_memory_admits (model.h) */
} Model_file_extras;

/* Writes config, the weights (model_params_count floats) and n_extra extra tensors to path,
 * atomically. Returns 0, or -1 with a one-line reason in err. */
int model_file_write(const char *path, const Model_config *config, const float *params,
                     const Model_file_tensor *extra, int n_extra, char *err, size_t errlen);
/* Encodes the same into a malloc'd buffer (*out, *len; the caller frees). */
int model_file_encode(const Model_config *config, const float *params,
                      const Model_file_tensor *extra, int n_extra, uint8_t **out, size_t *len,
                      char *err, size_t errlen);

/* Reads a model file: fills config, *params (malloc'd, model_params_count floats, the
 * caller frees) and extras (may be NULL). Returns 0, or -1 with a one-line reason in err
 * (no file name in it) and *params NULL. */
int model_file_read(const char *path, Model_config *config, float **params,
                    Model_file_extras *extras, char *err, size_t errlen);
/* The same from size bytes in memory. */
int model_file_decode(const uint8_t *data, size_t size, Model_config *config, float **params,
                      Model_file_extras *extras, char *err, size_t errlen);

#endif
