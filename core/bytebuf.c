/* bytebuf.c - a growable byte buffer. */
#include "bytebuf.h"

#include "le.h"

#include <stdlib.h>
#include <string.h>

void bytebuf_put(Bytebuf *b, const void *src, size_t n)
{
    if (b->oom)
        return;
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + n)
            cap *= 2;
        uint8_t *p = realloc(b->data, cap);
        if (!p) {
            b->oom = 1;
            return;
        }
        b->data = p;
        b->cap = cap;
    }
    memcpy(b->data + b->len, src, n);
    b->len += n;
}

void bytebuf_put_u8(Bytebuf *b, uint8_t v)
{
    bytebuf_put(b, &v, 1);
}

void bytebuf_put_u16(Bytebuf *b, uint16_t v)
{
    uint8_t x[2];
    le_put_u16(x, v);
    bytebuf_put(b, x, 2);
}

void bytebuf_put_u32(Bytebuf *b, uint32_t v)
{
    uint8_t x[4];
    le_put_u32(x, v);
    bytebuf_put(b, x, 4);
}

void bytebuf_put_f32(Bytebuf *b, float f)
{
    uint8_t x[4];
    le_put_f32(x, f);
    bytebuf_put(b, x, 4);
}
