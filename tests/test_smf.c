/* test_smf.c - the Standard MIDI File reader and writer: format 0 and 1, running status,
 * note-on velocity 0, tempo map and time signatures, skipped sysex/controllers/unknown
 * chunks; SMPTE and format 2 refused; malformed files refused with a reason (and thousands
 * of random corruptions of a valid file read without a crash); writer round trip. */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "midi_bytes.h"
#include "smf.h"

static char err[256];

/* Reads bytes that should be refused; checks the reason contains `want`. */
static void expect_refused(const MidiBytes *m, const char *want, const char *what)
{
    Smf smf;
    err[0] = 0;
    int rc = smf_read_memory(&smf, m->b, m->n, err, sizeof err);
    CHECK(rc != 0 && strstr(err, want) != NULL, "%s is refused: %s", what, err);
    if (rc == 0)
        smf_deinit(&smf);
    CHECK(strchr(err, '\n') == NULL && err[0], "%s: the reason is one non-empty line", what);
}

static void test_format0_running_status(void)
{
    MidiBytes m = {0};
    mb_header(&m, 0, 1, 96);
    size_t at = mb_track_begin(&m);
    mb_on(&m, 0, 9, 36, 100);
    mb_raw(&m, "\x00\x26\x5a", 3);   /* running status: note-on 38 vel 90 at the same tick */
    mb_raw(&m, "\x18\x24\x00", 3);   /* +24: note-on 36 vel 0 = note-off, running status */
    mb_raw(&m, "\x00\xb9\x07\x64", 4); /* controller: skipped */
    mb_raw(&m, "\x00\x26\x00", 3);   /* running status now 0xB9: a controller, skipped */
    mb_off(&m, 0, 9, 38);
    mb_track_end(&m, at, 48);
    Smf smf;
    CHECK(smf_read_memory(&smf, m.b, m.n, err, sizeof err) == 0, "format 0 with running status reads (%s)", err);
    CHECK(smf.format == 0 && smf.ppq == 96 && smf.n_tracks == 1, "format 0, PPQ 96, one track");
    CHECK(smf.n_notes == 4, "4 note events (got %d)", smf.n_notes);
    if (smf.n_notes == 4) {
        CHECK(smf.notes[0].on && smf.notes[0].note == 36 && smf.notes[0].velocity == 100 && smf.notes[0].channel == 9,
              "note-on 36 velocity 100 channel 10");
        CHECK(smf.notes[1].on && smf.notes[1].note == 38 && smf.notes[1].tick == 0, "running-status note-on 38 at tick 0");
        CHECK(!smf.notes[2].on && smf.notes[2].note == 36 && smf.notes[2].tick == 24, "note-on velocity 0 reads as note-off");
        CHECK(!smf.notes[3].on && smf.notes[3].note == 38, "a real note-off");
    }
    CHECK(smf.n_skipped == 2, "2 controllers skipped (got %d)", smf.n_skipped);
    CHECK(smf.end_tick == 72, "end of track at tick 72 (got %u)", smf.end_tick);
    CHECK(smf.n_tempos == 0 && smf_tempo_at(&smf, 0) == SMF_DEFAULT_US_PER_QUARTER, "no tempo: 120 bpm");
    smf_deinit(&smf);
}

static void test_format1_merge(void)
{
    MidiBytes m = {0};
    mb_header(&m, 1, 3, 480);
    size_t at = mb_track_begin(&m);
    mb_tempo(&m, 0, 600000);
    mb_timesig(&m, 0, 4, 2);
    mb_raw(&m, "\x00\xf0\x05\x7e\x7f\x09\x01\xf7", 8); /* sysex: skipped */
    mb_raw(&m, "\x00\xff\x03\x04name", 8);           /* track name meta: skipped */
    mb_tempo(&m, 960, 400000);
    mb_track_end(&m, at, 0);
    /* An unknown chunk between tracks is skipped. */
    mb_raw(&m, "XFIH\x00\x00\x00\x03" "abc", 11);
    at = mb_track_begin(&m);
    mb_on(&m, 100, 9, 42, 80);
    mb_on(&m, 200, 9, 42, 81);
    mb_track_end(&m, at, 0);
    at = mb_track_begin(&m);
    mb_on(&m, 100, 9, 36, 90); /* same tick as the first hat: after it (track order) */
    mb_on(&m, 150, 9, 38, 70);
    mb_track_end(&m, at, 0);
    Smf smf;
    CHECK(smf_read_memory(&smf, m.b, m.n, err, sizeof err) == 0, "format 1 with 3 tracks reads (%s)", err);
    CHECK(smf.format == 1 && smf.n_tracks == 3, "format 1, 3 tracks");
    CHECK(smf.n_notes == 4, "4 notes merged");
    if (smf.n_notes == 4) {
        uint32_t ticks[4] = {100, 100, 250, 300};
        uint8_t notes[4] = {42, 36, 38, 42};
        int ok = 1;
        for (int i = 0; i < 4; i++)
            ok &= smf.notes[i].tick == ticks[i] && smf.notes[i].note == notes[i];
        CHECK(ok, "merged in tick order, ties in track order");
        CHECK(smf.notes[1].track == 2, "track index kept");
    }
    CHECK(smf.n_tempos == 2 && smf.tempos[1].tick == 960 && smf.tempos[1].us_per_quarter == 400000, "tempo map of 2");
    CHECK(smf.n_time_sigs == 1 && smf.time_sigs[0].numerator == 4 && smf.time_sigs[0].denominator == 4, "time signature 4/4");
    CHECK(smf.n_skipped == 2, "sysex and track name skipped (got %d)", smf.n_skipped);
    CHECK_NEAR(smf_tick_to_seconds(&smf, 960), 1.2, 1e-9, "960 ticks at 100 bpm = 1.2 s");
    CHECK_NEAR(smf_tick_to_seconds(&smf, 1440), 1.6, 1e-9, "then 480 ticks at 150 bpm = +0.4 s");
    smf_deinit(&smf);
}

static void test_refused(void)
{
    MidiBytes m = {0};
    mb_header(&m, 1, 1, 0xE728); /* -25 fps, 40 ticks per frame */
    size_t at = mb_track_begin(&m);
    mb_track_end(&m, at, 0);
    expect_refused(&m, "SMPTE", "SMPTE division");

    m.n = 0;
    mb_header(&m, 2, 1, 480);
    at = mb_track_begin(&m);
    mb_track_end(&m, at, 0);
    expect_refused(&m, "format 2", "format 2");

    m.n = 0;
    expect_refused(&m, "not a MIDI file", "an empty file");
    mb_raw(&m, "RIFF\x10\x00\x00\x00WAVEfmt ", 16);
    expect_refused(&m, "not a MIDI file", "a WAV header");

    m.n = 0;
    mb_header(&m, 0, 1, 480);
    expect_refused(&m, "declares 1 tracks but the file holds 0", "a header without tracks");

    m.n = 0;
    mb_header(&m, 0, 1, 480);
    mb_raw(&m, "MTrk\x00\x00\x01\x00\x00\x99\x24", 11);
    expect_refused(&m, "past the end", "a track length past the end");

    m.n = 0;
    mb_header(&m, 0, 1, 480);
    mb_raw(&m, "MTrk\xff\xff\xff\xff", 8);
    expect_refused(&m, "past the end", "an absurd chunk size");

    m.n = 0;
    mb_raw(&m, "MThd\xff\xff\xff\xf0\x00\x00\x00\x01\x01\xe0", 14);
    expect_refused(&m, "header chunk length", "an absurd header size");

    m.n = 0;
    mb_header(&m, 0, 1, 480);
    at = mb_track_begin(&m);
    mb_raw(&m, "\xff\xff\xff\xff\x7f\x99\x24\x40", 8); /* 5-byte delta time */
    mb_track_end(&m, at, 0);
    expect_refused(&m, "variable-length", "a 5-byte variable-length number");

    m.n = 0;
    mb_header(&m, 0, 1, 480);
    at = mb_track_begin(&m);
    mb_raw(&m, "\x00\x24\x40", 3); /* data bytes before any status */
    mb_track_end(&m, at, 0);
    expect_refused(&m, "no status", "running status with no status");

    m.n = 0;
    mb_header(&m, 0, 1, 480);
    at = mb_track_begin(&m);
    mb_raw(&m, "\x00\xff\x51\x7f\x07", 5); /* meta length past the track */
    mb_track_end(&m, at, 0);
    expect_refused(&m, "runs past the end", "a meta event longer than its track");

    m.n = 0;
    mb_header(&m, 0, 1, 480);
    at = mb_track_begin(&m);
    mb_raw(&m, "\x00\xf0\x8f\xff\xff\x7f", 6); /* sysex of 256 MB */
    mb_track_end(&m, at, 0);
    expect_refused(&m, "sysex length", "an absurd sysex length");

    m.n = 0;
    mb_header(&m, 0, 1, 480);
    at = mb_track_begin(&m);
    mb_raw(&m, "\x00\xf2\x01\x02", 4);
    mb_track_end(&m, at, 0);
    expect_refused(&m, "not allowed", "a song-position message");

    m.n = 0;
    mb_header(&m, 0, 1, 480);
    at = mb_track_begin(&m);
    mb_raw(&m, "\x00\x99\x24\xc0", 4); /* data byte >= 0x80 */
    mb_track_end(&m, at, 0);
    expect_refused(&m, "out of range", "a data byte with the top bit set");

    m.n = 0;
    mb_header(&m, 0, 1, 480);
    at = mb_track_begin(&m);
    mb_raw(&m, "\x00\x99\x24", 3); /* note-on cut short */
    m.b[at + 3] = 3;
    expect_refused(&m, "truncated", "a truncated channel message");

    m.n = 0;
    mb_header(&m, 0, 1, 480);
    at = mb_track_begin(&m);
    for (int i = 0; i < 10; i++)
        mb_raw(&m, "\xff\xff\xff\x7f\x99\x24\x40", 7); /* 10 x 2^28 ticks: past the tick limit */
    mb_track_end(&m, at, 0);
    expect_refused(&m, "event time past", "ticks past the limit");

    m.n = 0;
    mb_header(&m, 0, 1, 480);
    at = mb_track_begin(&m);
    mb_raw(&m, "\x00\xff\x58\x04\x04\x09\x18\x08", 8); /* 4/512 */
    mb_track_end(&m, at, 0);
    expect_refused(&m, "time signature", "a time signature of 4/2^9");

    Smf smf;
    CHECK(smf_read_file(&smf, "/nonexistent/file.mid", err, sizeof err) != 0 && strstr(err, "cannot open"),
          "a missing file: %s", err);
    char path[] = "/tmp/groove-test-big-XXXXXX";
    int fd = mkstemp(path);
    int made = fd >= 0 && ftruncate(fd, (off_t)SMF_MAX_FILE_BYTES + 10) == 0;
    if (fd >= 0)
        close(fd);
    CHECK(made && smf_read_file(&smf, path, err, sizeof err) != 0 && strstr(err, "too large"),
          "a file over the size cap: %s", err);
    unlink(path);
}

/* Flips random bytes of a valid file thousands of times: every read must return (ASan
 * and UBSan watch it in the sanitizer build), and a successful read must be consistent. */
static void test_corruptions(void)
{
    MidiBytes base = {0};
    mb_header(&base, 1, 2, 480);
    size_t at = mb_track_begin(&base);
    mb_tempo(&base, 0, 500000);
    mb_timesig(&base, 0, 4, 2);
    mb_track_end(&base, at, 0);
    at = mb_track_begin(&base);
    for (int i = 0; i < 40; i++) {
        mb_on(&base, 60, 9, 36 + i % 12, 40 + i);
        mb_raw(&base, "\x10\x24\x00", 3);
    }
    mb_track_end(&base, at, 0);
    uint32_t seed = 7;
    int ok = 0, refused = 0, consistent = 1;
    for (int iter = 0; iter < 20000; iter++) {
        MidiBytes m = base;
        int flips = 1 + iter % 4;
        for (int k = 0; k < flips; k++) {
            seed = seed * 1103515245u + 12345u;
            size_t pos = (seed >> 8) % m.n;
            seed = seed * 1103515245u + 12345u;
            m.b[pos] = (uint8_t)(seed >> 16);
        }
        if (iter % 5 == 0) {
            seed = seed * 1103515245u + 12345u;
            m.n = (seed >> 8) % m.n; /* truncation */
        }
        Smf smf;
        if (smf_read_memory(&smf, m.b, m.n, err, sizeof err) == 0) {
            ok++;
            for (int i = 1; i < smf.n_notes; i++)
                consistent &= smf.notes[i].tick >= smf.notes[i - 1].tick && smf.notes[i].note < 128;
            consistent &= smf.ppq > 0;
            smf_deinit(&smf);
        } else {
            refused++;
            consistent &= err[0] != 0;
        }
    }
    CHECK(ok + refused == 20000, "20000 corrupted files: %d read, %d refused, no crash", ok, refused);
    CHECK(consistent, "every read is ordered and every refusal has a reason");
}

/* Escape events (0xF7): MIDI clock bytes at their ticks, kept in order through write and read;
 * a long escape and a sysex are skipped. */
static void test_escapes(void)
{
    Smf_escape esc[] = {
        {0, 1, {0xfa}}, {0, 1, {0xf8}}, {20, 1, {0xf8}},
        {40, 1, {0xfc}}, {40, 3, {0xf2, 0x10, 0x01}}, {40, 1, {0xfb}}, /* Stop, SPP, Continue at one tick */
    };
    Smf_note notes[] = {{0, 0, 9, 36, 100, 1}, {10, 0, 9, 36, 0, 0}};
    Smf in = {0};
    in.ppq = 480;
    in.escapes = esc;
    in.n_escapes = 6;
    in.notes = notes;
    in.n_notes = 2;
    uint8_t *bytes;
    size_t len;
    CHECK(smf_write_memory(&in, &bytes, &len, err, sizeof err) == 0, "escapes encode (%s)", err);
    CHECK(len > 26 && bytes[22] == 0x00 && bytes[23] == 0xf7 && bytes[24] == 1 && bytes[25] == 0xfa,
          "the first event is the escape F7 01 FA at delta 0, before the note at the same tick");
    Smf out;
    CHECK(smf_read_memory(&out, bytes, len, err, sizeof err) == 0, "and read back (%s)", err);
    free(bytes);
    CHECK(out.n_escapes == 6 && out.n_notes == 2 && out.n_skipped == 0, "6 escapes, 2 notes, nothing skipped (%d)",
          out.n_escapes);
    int same = out.n_escapes == 6;
    for (int i = 0; same && i < 6; i++)
        same = out.escapes[i].tick == esc[i].tick && out.escapes[i].n == esc[i].n &&
               !memcmp(out.escapes[i].bytes, esc[i].bytes, esc[i].n);
    CHECK(same, "every escape keeps its tick, bytes and order (Stop, SPP, Continue at one tick)");
    smf_deinit(&out);

    MidiBytes m = {0};
    mb_header(&m, 0, 1, 96);
    size_t at = mb_track_begin(&m);
    mb_raw(&m, "\x00\xf7\x05\x01\x02\x03\x04\x05", 8); /* 5 bytes: too long to keep */
    mb_raw(&m, "\x00\xf0\x03\x7e\x01\xf7", 6);         /* sysex */
    mb_raw(&m, "\x10\xf7\x01\xf8", 4);                 /* a clock at tick 16 */
    mb_track_end(&m, at, 0);
    CHECK(smf_read_memory(&out, m.b, m.n, err, sizeof err) == 0, "a file with escapes and sysex reads (%s)", err);
    CHECK(out.n_escapes == 1 && out.escapes[0].tick == 16 && out.escapes[0].bytes[0] == 0xf8 && out.n_skipped == 2,
          "the clock is kept, the long escape and the sysex skipped");
    smf_deinit(&out);
    esc[0].n = 0;
    CHECK(smf_write_memory(&in, &bytes, &len, err, sizeof err) != 0, "an empty escape is refused: %s", err);
}

static void test_writer(void)
{
    Smf_note notes[] = {
        {480, 0, 9, 38, 90, 1}, {0, 0, 9, 36, 100, 1}, {240, 0, 9, 36, 0, 0},
        {600, 0, 9, 38, 0, 0},  {480, 0, 9, 42, 30, 1}, {480, 0, 9, 42, 0, 0}, /* off and on at one tick */
        {200000, 0, 0, 60, 127, 1}, {200100, 0, 0, 60, 64, 0},
    };
    Smf_tempo tempos[] = {{0, 500000}, {480, 250000}};
    Smf_time_sig sigs[] = {{0, 4, 4}};
    Smf in = {0};
    in.ppq = 480;
    in.notes = notes;
    in.n_notes = 8;
    in.tempos = tempos;
    in.n_tempos = 2;
    in.time_sigs = sigs;
    in.n_time_sigs = 1;
    in.end_tick = 300000;
    uint8_t *bytes;
    size_t len;
    CHECK(smf_write_memory(&in, &bytes, &len, err, sizeof err) == 0, "writer encodes (%zu bytes)", len);
    Smf out;
    CHECK(smf_read_memory(&out, bytes, len, err, sizeof err) == 0, "and the reader reads it (%s)", err);
    free(bytes);
    CHECK(out.format == 0 && out.ppq == 480 && out.n_tracks == 1, "format 0, PPQ 480");
    CHECK(out.n_notes == 8 && out.n_tempos == 2 && out.n_time_sigs == 1, "8 notes, 2 tempos, 1 time signature");
    CHECK(out.end_tick == 300000, "end of track kept (%u)", out.end_tick);
    if (out.n_notes == 8) {
        CHECK(out.notes[0].tick == 0 && out.notes[0].note == 36 && out.notes[0].on, "first: kick on at 0");
        /* At tick 480: the hat's note-off comes before the note-ons. */
        CHECK(out.notes[2].tick == 480 && !out.notes[2].on && out.notes[2].note == 42, "at one tick, offs come first");
        CHECK(out.notes[6].tick == 200000 && out.notes[6].channel == 0 && out.notes[6].velocity == 127,
              "a far note on channel 1 keeps tick and velocity");
    }
    CHECK(out.tempos[1].tick == 480 && out.tempos[1].us_per_quarter == 250000, "tempo change kept");
    smf_deinit(&out);

    char path[] = "/tmp/groove-test-smf-XXXXXX";
    int fd = mkstemp(path);
    if (fd >= 0)
        close(fd);
    CHECK(smf_write_file(&in, path, err, sizeof err) == 0, "smf_write_file writes");
    CHECK(smf_read_file(&out, path, err, sizeof err) == 0 && out.n_notes == 8, "and the file reads back");
    smf_deinit(&out);
    unlink(path);

    in.ppq = 0;
    CHECK(smf_write_memory(&in, &bytes, &len, err, sizeof err) != 0, "PPQ 0 is refused: %s", err);
    in.ppq = 480;
    notes[7].tick = 0x20000000;
    in.n_notes = 8;
    CHECK(smf_write_memory(&in, &bytes, &len, err, sizeof err) != 0, "a 28-bit-overflowing gap is refused: %s", err);
}

int main(void)
{
    test_format0_running_status();
    test_format1_merge();
    test_refused();
    test_corruptions();
    test_writer();
    test_escapes();
    return check_summary();
}
