/* test_loop_report.c - the headless per-loop JSON line (app/play/loop_report.h): keys in their
 * documented order, null for what does not apply, never a partial line. */
#include <math.h>
#include <string.h>

#include "check.h"
#include "loop_report.h"

int main(void)
{
    Loop_report r;
    loop_report_init(&r);
    char buf[LOOP_REPORT_MAX];
    int n = loop_report_json(&r, buf, sizeof buf);
    CHECK(n > 0 && (size_t)n == strlen(buf), "a fresh report prints (%d chars)", n);
    CHECK(strncmp(buf, "{\"loop\":0,", 10) == 0, "it starts with the loop: %.20s", buf);
    CHECK(strstr(buf, "\"sync\":\"internal\"") != NULL, "sync defaults to internal");
    CHECK(strstr(buf, "\"link_peers\":null") && strstr(buf, "\"link_beat\":null"), "no Link: null, not 0");
    CHECK(strstr(buf, "\"sync_lost\":null") != NULL, "no clock in: sync_lost is null");
    CHECK(strstr(buf, "\"tap_mean_ms\":null") && strstr(buf, "\"tap_std_ms\":null"), "no taps: timing is null");
    CHECK(strstr(buf, "\"changed_cells\":null") && strstr(buf, "\"section\":null"), "first loop, no chain: null");
    CHECK(strstr(buf, "\"input\":null,\"memory\":null,") != NULL, "no instrument: input and memory null");
    CHECK(buf[n - 1] == '}' && !strchr(buf, '\n'), "one object, no newline");
    CHECK(strstr(buf, "\"tap_beat_ms\":[null,null,null,null,null,null,null,null]}") != NULL,
          "no taps: tap_beat_ms is 8 nulls, last");

    r.loop = 7;
    r.bpm = 120.0;
    r.tap_mean_ms = -3.456;
    r.tap_std_ms = 2.0;
    r.link_peers = 2;
    r.link_beat = 28.0;
    r.sync = "link";
    r.section = "B";
    r.changed_cells = 5;
    r.input = "keys";
    r.memory = 1;
    n = loop_report_json(&r, buf, sizeof buf);
    CHECK(n > 0, "a full report prints");
    CHECK(strstr(buf, "\"loop\":7,\"bpm\":120.000,\"sync\":\"link\",\"link_peers\":2,\"link_beat\":28.0000") != NULL,
          "values in the documented order and units: %s", buf);
    CHECK(strstr(buf, "\"tap_mean_ms\":-3.46,\"tap_std_ms\":2.00") != NULL, "tap timing in ms, 2 decimals");
    CHECK(strstr(buf, "\"section\":\"B\"") && strstr(buf, "\"changed_cells\":5"), "section and changed cells");
    CHECK(strstr(buf, "\"rss_kb\":0,\"input\":\"keys\",\"memory\":true,") != NULL, "input kind and memory after rss_kb");
    r.sync_lost = 1;
    loop_report_json(&r, buf, sizeof buf);
    CHECK(strstr(buf, "\"memory\":true,\"sync_lost\":true,") != NULL, "a lost clock: sync_lost true");
    r.sync_lost = 0;
    loop_report_json(&r, buf, sizeof buf);
    CHECK(strstr(buf, "\"sync_lost\":false,") != NULL, "a clock that is there: sync_lost false");
    r.tap_beat_ms[0] = 4.0;
    r.tap_beat_ms[7] = -12.345;
    loop_report_json(&r, buf, sizeof buf);
    CHECK(strstr(buf, "\"tap_beat_ms\":[4.00,null,null,null,null,null,null,-12.35]}") != NULL,
          "per beat: numbers where a beat had taps");
    r.bpm = NAN;
    loop_report_json(&r, buf, sizeof buf);
    CHECK(strstr(buf, "\"bpm\":null") != NULL, "a number that is not finite is null, never nan");

    char small[40];
    CHECK(loop_report_json(&r, small, sizeof small) == -1 && small[0] == 0, "too small a buffer: -1 and an empty string");
    return check_summary();
}
