/* kit_deck.c - switching kits while playing (see kit_deck.h). */
#include "kit_deck.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KIT_DECK_MAX_KITS 256

int kit_deck_init(Kit_deck *deck, Engine *engine, Kit *playing, int rate)
{
    memset(deck, 0, sizeof *deck);
    deck->engine = engine;
    deck->slot[0] = playing;
    deck->slot[1] = calloc(1, sizeof(Kit));
    deck->rate = rate;
    return deck->slot[1] ? 0 : -1;
}

void kit_deck_deinit(Kit_deck *deck)
{
    if (deck->slot[1]) {
        kit_deinit(deck->slot[1]);
        free(deck->slot[1]);
    }
    memset(deck, 0, sizeof *deck);
}

const Kit *kit_deck_kit(const Kit_deck *deck) { return deck->slot[deck->current]; }

/* Index of the kit playing now in the list (by folder), or -1. */
static int playing_index(const Kit_deck *deck, const Kit_info *infos, int n)
{
    const Kit *k = kit_deck_kit(deck);
    for (int i = 0; i < n; i++)
        if (!strcmp(infos[i].path, k->path) || (i == 0 && !strcmp(infos[i].name, "default") && !strcmp(k->name, "default")))
            return i;
    return -1;
}

int kit_deck_step(Kit_deck *deck, int direction, char *msg, size_t msglen)
{
    int spare = 1 - deck->current;
    Kit *into = deck->slot[spare];
    if (engine_kit_in_use(deck->engine) == into) {
        snprintf(msg, msglen, "kit: the last switch is still under way, try again");
        return -1;
    }
    Kit_info *infos = malloc(sizeof *infos * KIT_DECK_MAX_KITS);
    if (!infos) {
        snprintf(msg, msglen, "kit: out of memory");
        return -1;
    }
    int n = kit_list(infos, KIT_DECK_MAX_KITS);
    if (n > KIT_DECK_MAX_KITS)
        n = KIT_DECK_MAX_KITS;
    int at = playing_index(deck, infos, n);
    int step = direction < 0 ? -1 : 1;
    char err[600] = "";
    int failed = 0;
    for (int tries = 1; tries < n || (at < 0 && tries <= n); tries++) {
        int i = ((at < 0 ? (step > 0 ? -1 : 0) : at) + step * tries % n + n) % n;
        if (deck->spare_loaded) {
            kit_deinit(into); /* the audio thread no longer plays it (checked above) */
            deck->spare_loaded = 0;
        }
        char why[600];
        int rc = !strcmp(infos[i].name, "default") && i == 0 ? kit_load_default(into, deck->rate, why, sizeof why)
                                                              : kit_load(into, infos[i].path, deck->rate, why, sizeof why);
        if (rc != 0) {
            if (!failed++)
                snprintf(err, sizeof err, "%s", why);
            continue;
        }
        deck->spare_loaded = 1;
        engine_set_kit(deck->engine, into);
        deck->current = spare; /* the old kit is now the spare: freed on the next step */
        char missing[300] = "";
        if (into->n_missing)
            snprintf(missing, sizeof missing, "; %d instrument%s left out (missing samples)", into->n_missing,
                     into->n_missing == 1 ? "" : "s");
        snprintf(msg, msglen, "kit %d of %d: %s, %d of 9 voices%s%s", i + 1, n, into->name, kit_voice_count(into),
                 missing, failed ? " (skipped a kit that does not load)" : "");
        free(infos);
        return 0;
    }
    free(infos);
    if (failed)
        snprintf(msg, msglen, "kit: no other kit loads (%s)", err);
    else
        snprintf(msg, msglen, "kit: no other kit found (groove kits lists the places)");
    return -1;
}
