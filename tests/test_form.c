/* test_form.c - issue 16's pure pieces: the evolve walk and the A/B morph (evolve.h), sections,
 * chains and one-bar figures (form.h), feel (feel.h), mixer names and options (mixer.h), and the
 * session file version 2 with its song form (old version-1 files still load). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "crc32.h"
#include "evolve.h"
#include "feel.h"
#include "form.h"
#include "mixer.h"
#include "rng.h"
#include "session.h"
#include "song.h"

#define L 128

static double mean_sq(const float *x, int n)
{
    double s = 0;
    for (int i = 0; i < n; i++)
        s += (double)x[i] * x[i];
    return s / n;
}

static void test_evolve(void)
{
    static Evolve e;
    evolve_init(&e, L, 7);
    evolve_walk_to(&e, 10, 0.0f);
    CHECK(mean_sq(e.walk, L) == 0.0 && e.walked_to == 10, "evolve 0: the walk never moves");
    evolve_walk_to(&e, 11, 1.0f);
    float first[L];
    memcpy(first, e.walk, sizeof first);
    evolve_walk_to(&e, 11, 1.0f);
    CHECK(!memcmp(first, e.walk, sizeof first), "asking twice for the same loop does not step");
    evolve_walk_to(&e, 12, 1.0f);
    double corr = 0;
    for (int i = 0; i < L; i++)
        corr += (double)first[i] * e.walk[i];
    corr /= L;
    CHECK(fabs(corr) < 0.25, "evolve 1: a fresh draw each loop (correlation with the last %.3f)", corr);
    /* Stationary spread is X sigma; the walk reverts (lag-1 correlation 1 - X). */
    const float xs[] = {0.25f, 0.5f};
    for (int k = 0; k < 2; k++) {
        float x = xs[k];
        evolve_init(&e, L, 99);
        double var = 0, lag = 0;
        int n = 0;
        float prev[L];
        for (int loop = 1; loop <= 400; loop++) {
            memcpy(prev, e.walk, sizeof prev);
            evolve_walk_to(&e, loop, x);
            if (loop > 50) {
                var += mean_sq(e.walk, L);
                for (int i = 0; i < L; i++)
                    lag += (double)prev[i] * e.walk[i] / L;
                n++;
            }
        }
        double sd = sqrt(var / n), rho = lag / var;
        CHECK_NEAR(sd, x, 0.06 * x + 0.01, "evolve %.2f: the walk's spread is %.3f sigma", x, sd);
        CHECK_NEAR(rho, 1.0 - x, 0.05, "evolve %.2f: it reverts toward mu (lag-1 correlation %.3f)", x, rho);
    }
    evolve_walk_to(&e, 3, 0.5f);
    CHECK(e.walked_to == 3 && mean_sq(e.walk, L) == 0.0, "going back in loops (a restart) resets the walk");
    /* Same seed, same walk: renders repeat. */
    static Evolve a, b;
    evolve_init(&a, L, 5);
    evolve_init(&b, L, 5);
    evolve_walk_to(&a, 20, 0.7f);
    for (int loop = 1; loop <= 20; loop++)
        evolve_walk_to(&b, loop, 0.7f);
    CHECK(!memcmp(a.walk, b.walk, sizeof a.walk), "catching up 20 loops at once equals 20 single steps");

    /* eps: variation noise equals model_choose_latent's draw eps(seed); z = mu without it. */
    float eps[L], base[L];
    evolve_init(&e, L, 1);
    Evolve_morph m = {0, 0};
    CHECK(evolve_eps(&e, &m, 0, 42, 0, eps, base) == 0 && mean_sq(eps, L) == 0.0, "no variation, no walk: z = mu");
    CHECK(evolve_eps(&e, &m, 1, 42, 0, eps, base) == 1, "a variation gives noise");
    Rng r;
    rng_seed(&r, 42);
    int same = 1;
    for (int i = 0; i < L; i++)
        same &= eps[i] == rng_gaussian(&r);
    CHECK(same, "the variation's noise is the model's eps(seed)");
    evolve_walk_to(&e, 1, 0.5f);
    evolve_eps(&e, &m, 1, 42, 1, eps, base);
    int sum_ok = 1;
    for (int i = 0; i < L; i++)
        sum_ok &= fabsf(eps[i] - (base[i] + e.walk[i])) < 1e-6f;
    CHECK(sum_ok, "eps = base + walk");

    /* Morph. */
    for (int i = 0; i < L; i++) {
        e.a[i] = 1.0f;
        e.b[i] = -1.0f;
    }
    evolve_reset(&e, 0);
    e.has_a = 1;
    CHECK(!evolve_morph_on(&e, &(Evolve_morph){0.5f, 0}), "morph needs both A and B");
    e.has_b = 1;
    CHECK(!evolve_morph_on(&e, &(Evolve_morph){0.0f, 0}), "morph amount 0 and no rate: off (the variation plays)");
    m = (Evolve_morph){0.25f, 0};
    evolve_eps(&e, &m, 1, 42, 0, eps, NULL);
    CHECK_NEAR(eps[0], 0.5, 1e-6, "morph 0.25: a quarter of the way from A to B");
    m = (Evolve_morph){0.0f, 8};
    CHECK_NEAR(evolve_morph_at(&m, 0), 0.0, 1e-6, "rate 8: A at loop 0");
    CHECK_NEAR(evolve_morph_at(&m, 2), 0.5, 1e-6, "rate 8: half way at loop 2");
    CHECK_NEAR(evolve_morph_at(&m, 4), 1.0, 1e-6, "rate 8: B at loop 4");
    CHECK_NEAR(evolve_morph_at(&m, 8), 0.0, 1e-6, "rate 8: back to A at loop 8");
    evolve_eps(&e, &m, 0, 0, 4, eps, NULL);
    CHECK_NEAR(eps[3], -1.0, 1e-6, "the oscillating morph reaches B");
    e.has_fixed = 1;
    e.fixed[0] = 3.0f;
    e.has_b = 0;
    evolve_eps(&e, &m, 1, 42, 0, eps, NULL);
    CHECK(eps[0] == 3.0f, "a recalled section's fixed latent wins over the variation");
}

static void test_chain(void)
{
    Form_link c[FORM_CHAIN_MAX];
    char err[200] = "", text[200];
    int n = form_parse_chain("A A B A fill", c, FORM_CHAIN_MAX, err, sizeof err);
    CHECK(n == 5 && c[0].slot == 0 && c[2].slot == 1 && c[4].slot == FORM_SECTIONS && c[4].repeats == 1,
          "'A A B A fill' is five links, fill = F1 (%s)", err);
    n = form_parse_chain("a*4, Bx2 f3 c*1", c, FORM_CHAIN_MAX, err, sizeof err);
    CHECK(n == 4 && c[0].repeats == 4 && c[1].slot == 1 && c[1].repeats == 2 && c[2].slot == 6 && c[3].slot == 2,
          "repeat counts A*4 Bx2, any case, commas (%s)", err);
    form_chain_text(c, n, text, sizeof text);
    CHECK(!strcmp(text, "A*4 B*2 F3 C"), "the chain as text: '%s'", text);
    CHECK(form_parse_chain("A E", c, FORM_CHAIN_MAX, err, sizeof err) < 0 && strstr(err, "'E'"), "unknown section refused (%s)", err);
    CHECK(form_parse_chain("A*0", c, FORM_CHAIN_MAX, err, sizeof err) < 0 && strstr(err, "repeat"), "repeat 0 refused (%s)", err);
    CHECK(form_parse_chain("A*65", c, FORM_CHAIN_MAX, err, sizeof err) < 0, "repeat 65 refused (%s)", err);
    CHECK(form_parse_chain("A*2x", c, FORM_CHAIN_MAX, err, sizeof err) < 0, "trailing junk after a count refused (%s)", err);
    CHECK(form_parse_chain("  ", c, FORM_CHAIN_MAX, err, sizeof err) < 0 && strstr(err, "empty"), "empty chain refused (%s)", err);
    CHECK(form_parse_chain("A B", c, 1, err, sizeof err) < 0 && strstr(err, "long"), "too long refused (%s)", err);

    static Form f;
    form_init(&f, L, 1);
    CHECK(form_chain_at(&f, 0, NULL) == -1 && form_chain_loops(&f) == 0, "no chain: nothing plays");
    f.n_chain = form_parse_chain("A*2 B A fill", f.chain, FORM_CHAIN_MAX, err, sizeof err);
    CHECK(form_chain_loops(&f) == 5, "A*2 B A fill lasts 5 loops");
    int want[] = {0, 0, 1, 0, 4, 0, 0};
    int ok = 1, last;
    for (int k = 0; k < 7; k++)
        ok &= form_chain_at(&f, k, NULL) == want[k];
    CHECK(ok, "the chain plays A A B A F1 and starts over");
    form_chain_at(&f, 0, &last);
    int l0 = last;
    form_chain_at(&f, 1, &last);
    CHECK(!l0 && last, "A's last loop is its second");
    CHECK(!form_chain_fill_at(&f, 1), "auto fill off: no fill");
    f.auto_fill = 1;
    CHECK(form_chain_fill_at(&f, 1) && form_chain_fill_at(&f, 2) && !form_chain_fill_at(&f, 0) &&
              !form_chain_fill_at(&f, 4),
          "auto fill: on each section's last loop, never on a fill-bank slot");
    CHECK(form_chain_at(&f, -1, NULL) == 4, "a negative loop wraps");
    CHECK(form_slot_from_name("f2", 2) == 5 && form_slot_from_name("E", 1) == -1 && !strcmp(form_slot_name(7), "F4"),
          "slot names");
}

static void test_repeat_bar(void)
{
    Groove g, out;
    memset(&g, 0, sizeof g);
    g.g[0][0] = 1;
    g.g[0][1] = 0.9f;
    g.g[6][0] = 1;
    g.g[6][1] = 0.5f;
    g.g[6][2] = 0.1f;
    CHECK(form_repeat_bar(&g, &out) == 1 && out.g[16][0] == 1 && out.g[22][1] == 0.5f && out.g[22][2] == 0.1f &&
              out.g[0][0] == 1,
          "a one-bar groove: bar 1 repeats in bar 2");
    g.g[20][0] = 1;
    CHECK(form_repeat_bar(&g, &out) == 0 && !memcmp(&g, &out, sizeof g), "bar 2 played: left as it is");
    memset(&g, 0, sizeof g);
    CHECK(form_repeat_bar(&g, &out) == 0 && !memcmp(&g, &out, sizeof g), "an empty groove stays empty");
}

static void test_feel(void)
{
    Hvo p, q;
    hvo_clear(&p);
    hvo_set(&p, 0, 0, 1, 0.9f, 0.2f);
    hvo_set(&p, 8, 0, 1, 0.5f, -0.1f);
    hvo_set(&p, 4, 1, 1, 0.6f, 0.4f);
    feel_apply(&p, 1.0f, 1.0f, &q);
    CHECK(!memcmp(&p, &q, sizeof p), "feel 1, 1: the model's part as it is");
    feel_apply(&p, 0.0f, 1.0f, &q);
    CHECK(hvo_off(&q, 0, 0) == 0.0f && hvo_off(&q, 8, 0) == 0.0f && hvo_vel(&q, 0, 0) == 0.9f, "timing 0: on the grid");
    feel_apply(&p, 1.5f, 1.0f, &q);
    CHECK_NEAR(hvo_off(&q, 0, 0), 0.3, 1e-6, "timing 1.5 exaggerates 0.2 to 0.3");
    CHECK(hvo_off(&q, 4, 1) == 0.5f, "an exaggerated offset stays inside half a step");
    feel_apply(&p, 1.0f, 0.0f, &q);
    CHECK_NEAR(hvo_vel(&q, 0, 0), 0.7, 1e-6, "velocity range 0: the voice's mean");
    CHECK_NEAR(hvo_vel(&q, 8, 0), 0.7, 1e-6, "... for every hit of it");
    feel_apply(&p, 1.0f, 1.5f, &q);
    CHECK_NEAR(hvo_vel(&q, 0, 0), 1.0, 1e-6, "range 1.5 widens (0.9 -> 1.0, clamped)");
    CHECK_NEAR(hvo_vel(&q, 8, 0), 0.4, 1e-6, "range 1.5 widens (0.5 -> 0.4)");
    CHECK(hvo_count_hits(&q) == 3 && hvo_hit(&q, 1, 0) == 0.0f, "no hit added or lost");
    feel_apply(&p, 0.0f, 0.0f, &p);
    CHECK(hvo_off(&p, 0, 0) == 0.0f, "in place works");
}

static void test_mixer(void)
{
    char err[200] = "";
    int ch;
    float v;
    CHECK(mixer_parse_assign("snare=-6", 0, &ch, &v, err, sizeof err) == 0 && ch == 1 && v == -6.0f, "--gain snare=-6");
    CHECK(mixer_parse_assign("CH=0.5", 1, &ch, &v, err, sizeof err) == 0 && ch == 2 && v == 0.5f, "--pan CH=0.5 (a label)");
    CHECK(mixer_parse_assign("click=3", 0, &ch, &v, err, sizeof err) == 0 && ch == SESSION_MIX_CLICK, "the click has a strip");
    CHECK(mixer_parse_assign("snare", 0, &ch, &v, err, sizeof err) < 0 && strstr(err, "VOICE="), "no '=' refused (%s)", err);
    CHECK(mixer_parse_assign("cowbell=1", 0, &ch, &v, err, sizeof err) < 0 && strstr(err, "cowbell"), "unknown voice refused (%s)", err);
    CHECK(mixer_parse_assign("kick=2", 1, &ch, &v, err, sizeof err) < 0 && strstr(err, "-1..1"), "pan out of range refused (%s)", err);
    CHECK(mixer_parse_assign("kick=13", 0, &ch, &v, err, sizeof err) < 0, "gain over +12 dB refused (%s)", err);
    CHECK(mixer_parse_assign("kick=x", 0, &ch, &v, err, sizeof err) < 0, "not a number refused (%s)", err);
    CHECK_NEAR(mixer_gain(-6.0f), 0.501187, 1e-5, "-6 dB is 0.501");
    CHECK_NEAR(mixer_gain(0.0f), 1.0, 1e-7, "0 dB is unity");
}

static void test_session_v2(void)
{
    char err[256] = "";
    static Form f, g;
    form_init(&f, L, 3);
    form_init(&g, L, 4);
    Session a, b;
    session_defaults(&a);
    CHECK(a.settings.bar_repeat == 1 && a.settings.feel_timing == 1.0f && a.settings.feel_velocity == 1.0f,
          "a fresh session repeats a one-bar groove, feel 1/1");
    a.settings.evolve = 0.4f;
    a.settings.morph = 0.3f;
    a.settings.morph_rate = 8;
    a.settings.feel_timing = 1.25f;
    a.settings.feel_velocity = 0.5f;
    a.settings.bar_repeat = 0;
    a.settings.gain_db[1] = -6.0f;
    a.settings.pan[2] = -0.4f;
    a.settings.gain_db[SESSION_MIX_CLICK] = -12.0f;
    a.groove.g[3][0] = 1;
    a.groove.g[3][1] = 0.7f;
    a.form = &f;
    f.ev.has_a = 1;
    f.ev.has_fixed = 1;
    for (int i = 0; i < L; i++) {
        f.ev.a[i] = (float)i / 7.0f;
        f.ev.fixed[i] = -(float)i / 3.0f;
    }
    f.n_chain = form_parse_chain("A*2 B fill", f.chain, FORM_CHAIN_MAX, err, sizeof err);
    f.auto_fill = 1;
    f.sec[1].used = 1;
    session_defaults(&f.sec[1].state);
    f.sec[1].state.settings.density = 0.8f;
    f.sec[1].state.settings.genre = 2;
    hvo_set(&f.sec[1].state.part, 5, 2, 1, 0.6f, 0.1f);
    f.sec[1].state.groove.g[5][0] = 1;
    f.sec[1].state.groove.g[5][1] = 0.4f;
    f.sec[1].has_eps = 1;
    f.sec[1].eps[127] = 2.5f;
    f.sec[4].used = 1;
    session_defaults(&f.sec[4].state);
    size_t len;
    char *text = session_to_text(&a, &len);
    CHECK(text && !strncmp(text, "groove-session 2\n", 17), "written as version 2");
    memset(&b, 0, sizeof b);
    Session_status st = session_from_text_form(text, len, &b, &g, err, sizeof err);
    CHECK(st == SESSION_OK, "version 2 with a form reads back (%s)", err);
    CHECK(!memcmp(&a.settings, &b.settings, sizeof a.settings) && !memcmp(&a.groove, &b.groove, sizeof a.groove),
          "evolve, morph, feel, bar repeat, gains and pans round trip");
    CHECK(b.form == &g, "out->form is the form read into");
    CHECK(g.n_chain == 3 && g.chain[0].repeats == 2 && g.chain[2].slot == 4 && g.auto_fill == 1, "the chain and auto fill round trip");
    CHECK(g.ev.has_a && !g.ev.has_b && g.ev.has_fixed && !memcmp(g.ev.a, f.ev.a, sizeof f.ev.a) &&
              !memcmp(g.ev.fixed, f.ev.fixed, sizeof f.ev.fixed),
          "latent A and the fixed latent round trip bit for bit");
    CHECK(g.sec[1].used && g.sec[4].used && !g.sec[0].used && g.sec[1].has_eps && g.sec[1].eps[127] == 2.5f,
          "sections B and F1 stored, A empty, B's latent kept");
    CHECK(!memcmp(&g.sec[1].state.settings, &f.sec[1].state.settings, sizeof f.sec[1].state.settings) &&
              !memcmp(&g.sec[1].state.part, &f.sec[1].state.part, sizeof(Hvo)) &&
              !memcmp(&g.sec[1].state.groove, &f.sec[1].state.groove, sizeof(Groove)),
          "section B's groove, part and settings round trip");
    /* Without a form to read into, the form's lines are skipped. */
    Session c;
    CHECK(session_from_text(text, len, &c, err, sizeof err) == SESSION_OK && c.form == NULL &&
              !memcmp(&c.settings, &a.settings, sizeof a.settings),
          "read without a form: the session alone (%s)", err);
    /* A form of another latent size drops the vectors, keeps the rest. */
    static Form other;
    form_init(&other, 64, 1);
    CHECK(session_from_text_form(text, len, &c, &other, err, sizeof err) == SESSION_OK && !other.ev.has_a &&
              !other.sec[1].has_eps && other.sec[1].used && other.n_chain == 3,
          "another model's latent size: the latents dropped, sections kept");
    free(text);

    /* The longest chain (64 links of F1*64) survives a round trip. */
    {
        char longest[FORM_CHAIN_MAX * 8] = "";
        for (int i = 0; i < FORM_CHAIN_MAX; i++)
            strcat(longest, "F1*64 ");
        f.n_chain = form_parse_chain(longest, f.chain, FORM_CHAIN_MAX, err, sizeof err);
        text = session_to_text(&a, &len);
        static Form h;
        form_init(&h, L, 0);
        CHECK(f.n_chain == FORM_CHAIN_MAX && session_from_text_form(text, len, &c, &h, err, sizeof err) == SESSION_OK &&
                  h.n_chain == FORM_CHAIN_MAX && form_chain_loops(&h) == 64 * 64,
              "a chain of 64 links of F1*64 reads back (%s)", err);
        free(text);
    }

    /* Bad form lines are caught. */
    const char *bad[] = {"chain A E\n", "section A\nbpm 100\n", "section end\n", "section A\nsection B\n",
                         "latent 128\neps a 3 1 2\n", "latent 128\neps q 0 1\n", "auto_fill 2\n", "latent 99999\n",
                         "latent 128\neps a 0 nan\n"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char body[512];
        int n = snprintf(body, sizeof body, "groove-session 2\n%s", bad[i]);
        uint32_t crc = crc32_update(0, body, (size_t)n);
        snprintf(body + n, sizeof body - (size_t)n, "end %08x\n", (unsigned)crc);
        static Form h;
        form_init(&h, L, 0);
        h.n_chain = 7;
        CHECK(session_from_text_form(body, strlen(body), &c, &h, err, sizeof err) == SESSION_CORRUPT && h.n_chain == 7,
              "malformed form lines refused, the form untouched: case %zu (%s)", i, err);
    }

    /* Version-1 files (tests/fuzz/seeds/session) still load: no repeat of bar 1, feel 1. */
    const char *seeds[] = {"tests/fuzz/seeds/session/played", "tests/fuzz/seeds/session/fresh"};
    for (int i = 0; i < 2; i++) {
        form_init(&g, L, 0);
        st = session_load_form(seeds[i], &c, &g, err, sizeof err);
        CHECK(st == SESSION_OK && c.settings.bar_repeat == 0 && c.settings.feel_timing == 1.0f &&
                  c.settings.evolve == 0.0f && c.settings.gain_db[0] == 0.0f && g.n_chain == 0,
              "version-1 %s loads: bar 2 as it was, feel 1, evolve 0, unity gains (%s)", seeds[i], err);
    }
}

static void test_safe_names(void)
{
    char out[40];
    song_safe_name("closed_hat", out, sizeof out);
    CHECK(!strcmp(out, "closed_hat"), "a plain name stays");
    song_safe_name("../my beat/\xc3\xbc*?<>|:\"\\\t.wav", out, sizeof out);
    CHECK(!strcmp(out, "_._my beat_\xc3\xbc_________.wav"),
          "separators, wildcards, quotes, tabs become _; spaces and letters (UTF-8) stay ('%s')", out);
    song_safe_name(".hidden", out, sizeof out);
    CHECK(out[0] == '_', "no leading dot ('%s')", out);
    song_safe_name("-rf", out, sizeof out);
    CHECK(out[0] == '_', "no leading dash ('%s')", out);
    song_safe_name("", out, sizeof out);
    CHECK(!strcmp(out, "untitled"), "an empty name becomes 'untitled'");
    song_safe_name("abcdefghijklmnopqrstuvwxyz0123456789", out, 8);
    CHECK(!strcmp(out, "abcdefg"), "cut to the buffer");
}

int main(void)
{
    test_safe_names();
    test_evolve();
    test_chain();
    test_repeat_bar();
    test_feel();
    test_mixer();
    test_session_v2();
    return check_summary();
}
