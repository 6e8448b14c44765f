/* drumsynth.c - the default kit's drum synthesis (drumsynth.h). */
#include "drumsynth.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "hvo.h"

#define TWO_PI 6.283185307179586

/* ---- building blocks ---- */

/* A fixed-seed xorshift generator: white noise in [-1, 1). */
typedef struct {
    uint32_t state;
} Noise;

static float noise_next(Noise *n)
{
    uint32_t x = n->state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    n->state = x;
    return (float)((double)x / 2147483648.0 - 1.0);
}

/* An RBJ biquad (direct form I, double precision). */
typedef struct {
    double b0, b1, b2, a1, a2;
    double x1, x2, y1, y2;
} Biquad;

typedef enum { BIQUAD_LOWPASS, BIQUAD_HIGHPASS, BIQUAD_BANDPASS } Biquad_type;

static void biquad_init(Biquad *f, Biquad_type type, double freq, double q, int rate)
{
    double w = TWO_PI * freq / rate;
    if (w > 3.1)
        w = 3.1;
    double cw = cos(w), alpha = sin(w) / (2.0 * q);
    double a0 = 1.0 + alpha;
    switch (type) {
    case BIQUAD_LOWPASS:
        f->b0 = (1.0 - cw) / 2.0;
        f->b1 = 1.0 - cw;
        f->b2 = (1.0 - cw) / 2.0;
        break;
    case BIQUAD_HIGHPASS:
        f->b0 = (1.0 + cw) / 2.0;
        f->b1 = -(1.0 + cw);
        f->b2 = (1.0 + cw) / 2.0;
        break;
    case BIQUAD_BANDPASS: /* constant 0 dB peak gain */
        f->b0 = alpha;
        f->b1 = 0.0;
        f->b2 = -alpha;
        break;
    }
    f->b0 /= a0;
    f->b1 /= a0;
    f->b2 /= a0;
    f->a1 = -2.0 * cw / a0;
    f->a2 = (1.0 - alpha) / a0;
    f->x1 = f->x2 = f->y1 = f->y2 = 0.0;
}

static double biquad_run(Biquad *f, double x)
{
    double y = f->b0 * x + f->b1 * f->x1 + f->b2 * f->x2 - f->a1 * f->y1 - f->a2 * f->y2;
    f->x2 = f->x1;
    f->x1 = x;
    f->y2 = f->y1;
    f->y1 = y;
    return y;
}

/* Exponential decay with time constant tau seconds, after a linear attack of `attack` s. */
static double envelope(double t, double attack, double tau)
{
    if (t < attack)
        return t / attack;
    return exp(-(t - attack) / tau);
}

/* A square wave of phase p (cycles). */
static double square(double p)
{
    return p - floor(p) < 0.5 ? 1.0 : -1.0;
}

/* The six TR-808 cymbal oscillators (Hz), scaled per sound. */
static const double metal_freqs[6] = {205.3, 304.4, 369.6, 522.7, 540.0, 800.0};

/* ---- the nine sounds ---- */

static void synth_kick(float *o, int n, int rate)
{
    Noise nz = {0x2545F491u};
    Biquad click;
    biquad_init(&click, BIQUAD_BANDPASS, 3200.0, 0.9, rate);
    double phase = 0.0;
    for (int i = 0; i < n; i++) {
        double t = (double)i / rate;
        double f = 47.0 + 118.0 * exp(-t / 0.028) + 40.0 * exp(-t / 0.004);
        phase += f / rate;
        double body = sin(TWO_PI * phase) * envelope(t, 0.0015, 0.30);
        double c = biquad_run(&click, noise_next(&nz)) * exp(-t / 0.0025) * 1.6;
        o[i] = (float)tanh(1.6 * (body + c));
    }
}

static void synth_snare(float *o, int n, int rate)
{
    Noise nz = {0x9E3779B9u};
    Biquad bp, hp;
    biquad_init(&bp, BIQUAD_BANDPASS, 4200.0, 0.6, rate);
    biquad_init(&hp, BIQUAD_HIGHPASS, 900.0, 0.7, rate);
    double p1 = 0.0, p2 = 0.0;
    for (int i = 0; i < n; i++) {
        double t = (double)i / rate;
        double drop = 1.0 + 0.25 * exp(-t / 0.01);
        p1 += 186.0 * drop / rate;
        p2 += 334.0 * drop / rate;
        double tone = (0.75 * sin(TWO_PI * p1) * envelope(t, 0.001, 0.060) +
                       0.45 * sin(TWO_PI * p2) * envelope(t, 0.001, 0.040));
        double w = noise_next(&nz);
        double rattle = (biquad_run(&bp, w) * 1.4 + biquad_run(&hp, w) * 0.5) * envelope(t, 0.0008, 0.080);
        o[i] = (float)tanh(1.2 * (0.8 * tone + 0.9 * rattle));
    }
}

/* Metallic noise: six detuned squares, band-passed and high-passed. */
static void synth_metal(float *o, int n, int rate, double scale, double bp_freq, double hp_freq,
                        double tau, double noise_amount, uint32_t seed)
{
    Noise nz = {seed};
    Biquad bp, hp1, hp2;
    biquad_init(&bp, BIQUAD_BANDPASS, bp_freq, 0.9, rate);
    biquad_init(&hp1, BIQUAD_HIGHPASS, hp_freq, 0.707, rate);
    biquad_init(&hp2, BIQUAD_HIGHPASS, hp_freq, 0.707, rate);
    double ph[6] = {0.11, 0.37, 0.73, 0.19, 0.53, 0.89};
    for (int i = 0; i < n; i++) {
        double t = (double)i / rate;
        double m = 0.0;
        for (int k = 0; k < 6; k++) {
            ph[k] += metal_freqs[k] * scale / rate;
            m += square(ph[k]);
        }
        m = m / 6.0 + noise_amount * noise_next(&nz);
        double y = biquad_run(&hp2, biquad_run(&hp1, biquad_run(&bp, m)));
        o[i] = (float)(y * envelope(t, 0.0005, tau));
    }
}

static void synth_tom(float *o, int n, int rate, double freq, double tau, uint32_t seed)
{
    Noise nz = {seed};
    Biquad lp;
    biquad_init(&lp, BIQUAD_LOWPASS, 2500.0, 0.7, rate);
    double p1 = 0.0, p2 = 0.0;
    for (int i = 0; i < n; i++) {
        double t = (double)i / rate;
        double f = freq * (1.0 + 0.45 * exp(-t / 0.045));
        p1 += f / rate;
        p2 += f * 1.52 / rate;
        double body = sin(TWO_PI * p1) * envelope(t, 0.001, tau) + 0.18 * sin(TWO_PI * p2) * envelope(t, 0.001, tau * 0.4);
        double stick = biquad_run(&lp, noise_next(&nz)) * exp(-t / 0.006) * 0.5;
        o[i] = (float)tanh(1.3 * (body + stick));
    }
}

/* Cymbal: metallic squares at two scalings plus noise, with a bell of sine partials. */
static void synth_cymbal(float *o, int n, int rate, double tau, double bp_freq, double hp_freq,
                         double noise_amount, double bell, uint32_t seed)
{
    Noise nz = {seed};
    Biquad bp, hp1, hp2;
    biquad_init(&bp, BIQUAD_BANDPASS, bp_freq, 0.5, rate);
    biquad_init(&hp1, BIQUAD_HIGHPASS, hp_freq, 0.707, rate);
    biquad_init(&hp2, BIQUAD_HIGHPASS, hp_freq, 0.707, rate);
    static const double bell_freqs[4] = {587.0, 845.0, 1243.0, 1781.0};
    double ph[12] = {0};
    double bp_ph[4] = {0};
    for (int i = 0; i < n; i++) {
        double t = (double)i / rate;
        double m = 0.0;
        for (int k = 0; k < 12; k++) {
            double f = metal_freqs[k % 6] * (k < 6 ? 1.71 : 2.43);
            ph[k] += f / rate;
            m += square(ph[k]);
        }
        m = m / 12.0 + noise_amount * noise_next(&nz);
        double y = biquad_run(&hp2, biquad_run(&hp1, biquad_run(&bp, m)));
        double b = 0.0;
        for (int k = 0; k < 4; k++) {
            bp_ph[k] += bell_freqs[k] / rate;
            b += sin(TWO_PI * bp_ph[k]) / (1.0 + k);
        }
        double env = envelope(t, 0.001, tau) * (0.7 + 0.3 * exp(-t / 0.05));
        o[i] = (float)(y * env + bell * b * envelope(t, 0.001, tau * 0.6));
    }
}

/* ---- public ---- */

typedef struct {
    const char *file;
    double seconds;
    float peak; /* level in the kit, dBFS peak as linear */
} Voice_recipe;

static const Voice_recipe recipes[HVO_VOICES] = {
    {"kick.wav", 0.70, 0.89f},       {"snare.wav", 0.45, 0.79f},    {"closed_hat.wav", 0.16, 0.45f},
    {"open_hat.wav", 0.90, 0.42f},   {"low_tom.wav", 0.80, 0.75f},  {"mid_tom.wav", 0.70, 0.72f},
    {"high_tom.wav", 0.60, 0.70f},   {"crash.wav", 2.40, 0.50f},    {"ride.wav", 2.00, 0.38f},
};

const char *drumsynth_file_name(int voice)
{
    return voice >= 0 && voice < HVO_VOICES ? recipes[voice].file : "?";
}

int drumsynth_render(int voice, int rate, float **out, int *frames)
{
    *out = NULL;
    *frames = 0;
    if (voice < 0 || voice >= HVO_VOICES || rate < 8000 || rate > 384000)
        return -1;
    int n = (int)(recipes[voice].seconds * rate);
    float *o = calloc((size_t)n, sizeof *o);
    if (!o)
        return -1;
    switch (voice) {
    case VOICE_KICK: synth_kick(o, n, rate); break;
    case VOICE_SNARE: synth_snare(o, n, rate); break;
    case VOICE_CLOSED_HAT: synth_metal(o, n, rate, 1.0, 10000.0, 7000.0, 0.030, 0.25, 0x1234567u); break;
    case VOICE_OPEN_HAT: synth_metal(o, n, rate, 1.0, 10000.0, 6500.0, 0.260, 0.25, 0x7654321u); break;
    case VOICE_LOW_TOM: synth_tom(o, n, rate, 98.0, 0.220, 0x51u); break;
    case VOICE_MID_TOM: synth_tom(o, n, rate, 131.0, 0.190, 0x52u); break;
    case VOICE_HIGH_TOM: synth_tom(o, n, rate, 175.0, 0.160, 0x53u); break;
    case VOICE_CRASH: synth_cymbal(o, n, rate, 0.75, 7500.0, 4000.0, 0.9, 0.0, 0xC0FFEEu); break;
    case VOICE_RIDE: synth_cymbal(o, n, rate, 0.65, 9000.0, 5000.0, 0.35, 0.035, 0xBADA55u); break;
    }
    /* Fade the last 5 % so nothing clicks at the end, then set the peak level. */
    int tail = n / 20;
    for (int i = 0; i < tail; i++)
        o[n - 1 - i] *= (float)i / (float)tail;
    float peak = 0.0f;
    for (int i = 0; i < n; i++)
        peak = fmaxf(peak, fabsf(o[i]));
    if (peak > 0.0f)
        for (int i = 0; i < n; i++)
            o[i] *= recipes[voice].peak / peak;
    *out = o;
    *frames = n;
    return 0;
}

int drumsynth_click(float *out, int frames, int rate, int accent)
{
    int n = (int)(DRUMSYNTH_CLICK_SECONDS * rate);
    if (n > frames)
        n = frames;
    for (int i = 0; i < frames; i++)
        out[i] = 0.0f;
    if (n <= 0 || rate <= 0)
        return 0;
    Noise nz = {accent ? 0x3C1Cu : 0x5EEDu};
    Biquad bp;
    biquad_init(&bp, BIQUAD_BANDPASS, accent ? 3500.0 : 2800.0, 1.5, rate);
    double freq = accent ? 1760.0 : 1320.0;
    for (int i = 0; i < n; i++) {
        double t = (double)i / rate, te = (i + 1.0) / rate; /* frame 0 already sounds: the onset is exact */
        double tone = sin(TWO_PI * freq * t) * envelope(te, 0.0005, 0.012);
        double tick = biquad_run(&bp, noise_next(&nz)) * envelope(te, 0.0002, 0.002);
        out[i] = (float)(tone + 0.6 * tick);
    }
    int tail = n / 10;
    for (int i = 0; i < tail; i++)
        out[n - 1 - i] *= (float)i / (float)tail;
    float peak = 0.0f;
    for (int i = 0; i < n; i++)
        peak = fmaxf(peak, fabsf(out[i]));
    float want = accent ? DRUMSYNTH_CLICK_ACCENT_PEAK : DRUMSYNTH_CLICK_PEAK;
    if (peak > 0.0f)
        for (int i = 0; i < n; i++)
            out[i] *= want / peak;
    return n;
}
