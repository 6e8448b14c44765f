/* test_le.c - the little-endian byte helper (core/le.h) and the Bytebuf numbers on top of it:
 * fixed byte orders, whatever the host's, and values that come back as they went in. */
#include "check.h"
#include "bytebuf.h"
#include "le.h"

#include <stdlib.h>
#include <string.h>

int main(void)
{
    uint8_t b[8];
    le_put_u16(b, 0x1234);
    CHECK(b[0] == 0x34 && b[1] == 0x12 && le_get_u16(b) == 0x1234, "u16: low byte first, and back");
    le_put_u32(b, 0xA1B2C3D4u);
    CHECK(b[0] == 0xD4 && b[1] == 0xC3 && b[2] == 0xB2 && b[3] == 0xA1 && le_get_u32(b) == 0xA1B2C3D4u,
          "u32: low byte first, and back");
    le_put_u64(b, 0x0102030405060708ull);
    CHECK(b[0] == 8 && b[7] == 1 && le_get_u64(b) == 0x0102030405060708ull, "u64: low byte first, and back");
    le_put_f32(b, 1.0f);
    CHECK(b[0] == 0 && b[1] == 0 && b[2] == 0x80 && b[3] == 0x3f && le_get_f32(b) == 1.0f,
          "f32: IEEE-754 bits of 1.0 are 00 00 80 3f, and back");
    le_put_f32(b, -0.1f);
    CHECK(le_get_f32(b) == -0.1f, "f32 round trip of -0.1 is exact");

    Bytebuf bb = {0};
    bytebuf_put_u8(&bb, 7);
    bytebuf_put_u16(&bb, 0xBEEF);
    bytebuf_put_u32(&bb, 0xDEADBEEFu);
    bytebuf_put_f32(&bb, 2.5f);
    static const uint8_t want[] = {7, 0xEF, 0xBE, 0xEF, 0xBE, 0xAD, 0xDE, 0, 0, 0x20, 0x40};
    CHECK(!bb.oom && bb.len == sizeof want && !memcmp(bb.data, want, sizeof want),
          "Bytebuf numbers append the same little-endian bytes");
    free(bb.data);
    return check_summary();
}
