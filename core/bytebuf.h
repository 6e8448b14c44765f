/* bytebuf.h - a growable byte buffer for encoding files in memory before an atomic save.
 *
 * Zero-initialise it (Bytebuf b = {0}), append, then check b.oom once at the end: an append
 * after a failed allocation does nothing, so encoders need not check every call. The caller
 * frees b.data. Not thread-safe; one owner.
 */
#ifndef GROOVE_BYTEBUF_H
#define GROOVE_BYTEBUF_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    uint8_t *data;  /* malloc'd; free() it */
    size_t len;     /* bytes written */
    size_t cap;     /* bytes allocated */
    int oom;        /* an allocation failed: the content is incomplete */
} Bytebuf;

/* Appends n bytes of src, growing the buffer (doubling, at least initial bytes). */
void bytebuf_put(Bytebuf *b, const void *src, size_t n);
/* Append one number, little-endian (core/le.h). */
void bytebuf_put_u8(Bytebuf *b, uint8_t v);
void bytebuf_put_u16(Bytebuf *b, uint16_t v);
void bytebuf_put_u32(Bytebuf *b, uint32_t v);
void bytebuf_put_f32(Bytebuf *b, float f);

#endif
