/* form.h - song form: sections, a fill bank, a chain that plays through them, and the latents.
 *
 * A section is a stored state of the instrument: the groove, the part, the settings (kept rows,
 * style, density, temperature, swing, evolve, feel, mutes, ...) and the latent the part came
 * from (eps, evolve.h). There are eight slots: the sections A, B, C, D and a fill bank F1..F4.
 * Storing copies the instrument's state into a slot; recalling one hands its state to the
 * instrument at the next loop boundary, so the bar playing stays whole. Tempo and the mixer
 * belong to the song, not to a section: a recall keeps them.
 *
 * A chain is a list of slots with repeat counts, written as text: "A A B A fill", "A*4 B*2 F1"
 * ("fill" is F1; "NAME*N" or "NAMExN" repeats a slot N times, 1..64). When the chain plays,
 * loop k of the song plays the slot the chain reaches after k loops, and it starts over after
 * the last one. With auto fill on, the last loop of each section (a run of one slot) is played
 * as a fill (the model's fill conditioning), unless that slot is already from the fill bank.
 *
 * The Form also keeps the latent state (Evolve: the walk, the A/B morph snapshots, a recalled
 * section's fixed latent). Everything but the walk is saved with the session: session.c writes
 * and reads the lines below through form_write / form_read_line, between the settings and the
 * `end` line:
 *
 *     latent 128                 latent size of the vectors below
 *     eps a 0 v0 v1 ... v7       8 values at a time: snapshot a, b, fixed, or a section's
 *     chain A*2 B fill           the chain, as text
 *     auto_fill 1
 *     section A                  the lines after it (bpm, tap, hit, ...) are section A's state
 *     ...
 *     section end
 *
 * Pure values and text; control thread only.
 */
#ifndef GROOVE_FORM_H
#define GROOVE_FORM_H

#include <stddef.h>
#include <stdint.h>

#include "evolve.h"
#include "session.h"

#define FORM_SLOTS 8          /* A B C D F1 F2 F3 F4 */
#define FORM_SECTIONS 4       /* slots 0..3 are sections, 4..7 the fill bank */
#define FORM_CHAIN_MAX 64     /* links in a chain */
#define FORM_REPEAT_MAX 64

typedef struct {
    int slot;                 /* 0..FORM_SLOTS-1 */
    int repeats;              /* 1..FORM_REPEAT_MAX */
} Form_link;

typedef struct {
    int used;
    Session state;            /* groove, part, settings; state.form is NULL */
    int has_eps;              /* eps below is the latent it played with */
    float eps[EVOLVE_MAX_LATENT];
} Form_section;

typedef struct Form {
    Evolve ev;                              /* the latent: walk, A/B, fixed */
    Form_section sec[FORM_SLOTS];
    Form_link chain[FORM_CHAIN_MAX];
    int n_chain;
    int auto_fill;                          /* a fill on the last loop of each section */
    /* playing (not saved) */
    int chain_on;                           /* the chain plays */
    int64_t chain_start;                    /* the instrument's loop where the chain's loop 0 is */
    int playing;                            /* slot playing now (chain or recall), -1 none */
} Form;

/* An empty form with a still latent walk of size `latent` (noise from seed). */
void form_init(Form *f, int latent, uint64_t seed);
/* "A".."D", "F1".."F4" ("?" for anything else). */
const char *form_slot_name(int slot);
/* The slot a name means ("A".."D", "F1".."F4", "fill" = F1; any case), or -1. */
int form_slot_from_name(const char *name, size_t len);

/* Parses a chain ("A A B A fill", "A*2 B x3"...). Returns the number of links (>= 1), or -1
 * with a one-line reason in err (an unknown name, a bad count, too long, empty). */
int form_parse_chain(const char *text, Form_link *out, int max, char *err, size_t errlen);
/* Writes a chain as text ("A*2 B F1"). */
void form_chain_text(const Form_link *chain, int n, char *buf, size_t len);
/* Loops one pass of the chain lasts (0 when there is none). */
int form_chain_loops(const Form *f);
/* What chain loop k (0-based, wraps) plays: the slot, and whether it is the last loop of a run of
 * that slot (where an auto fill goes). Returns the slot, or -1 with no chain. */
int form_chain_at(const Form *f, int64_t k, int *last_of_section);
/* Whether that chain loop is played as a fill (auto fill on, last of its section, not a fill slot). */
int form_chain_fill_at(const Form *f, int64_t k);

/* A groove of one bar played as two: bar 2 (steps 16..31) empty and bar 1 not -> bar 1 copied
 * into bar 2 (returns 1); otherwise a plain copy (returns 0). */
int form_repeat_bar(const Groove *in, Groove *out);

/* Session file glue (session.c): the form's lines, appended to t by the writer's printf. */
typedef void (*Form_printf)(void *t, const char *fmt, ...);
void form_write(const Form *f, Form_printf out, void *t,
                void (*write_state)(const Session *s, Form_printf out, void *t));
/* Reads one line that belongs to the form. *section is the slot whose state the following
 * plain lines fill (-1: the main session). Returns 1 when the line was the form's (read),
 * 0 when it is not a form line, -1 when it is a malformed form line. */
int form_read_line(Form *f, const char *key, const char *rest, int *section);

#endif
