/* crc32.h - CRC-32 (IEEE 802.3, as zlib's crc32), the checksum that closes the model file and
 * the session file. Stateless after a one-time table set-up: any thread may call it.
 */
#ifndef GROOVE_CRC32_H
#define GROOVE_CRC32_H

#include <stddef.h>
#include <stdint.h>

/* CRC-32 of len bytes, continuing from crc (start with 0). */
uint32_t crc32_update(uint32_t crc, const void *data, size_t len);

#endif
