/* crc32.h - CRC-32 (IEEE 802.3, as zlib's crc32): the one checksum of groove's file formats.
 *
 * It closes the model file and the session file, and every new format uses it (python's
 * zlib.crc32 computes the same, which the tests use). One older format keeps the FNV-1a its files
 * on disk were written with, until its next version: the dataset file (version 1,
 * nn/train/dataset); training checkpoints moved to CRC-32 with their version 2. Stateless after a
 * one-time table set-up: any thread may call it.
 */
#ifndef GROOVE_CRC32_H
#define GROOVE_CRC32_H

#include <stddef.h>
#include <stdint.h>

/* CRC-32 of len bytes, continuing from crc (start with 0). */
uint32_t crc32_update(uint32_t crc, const void *data, size_t len);

#endif
