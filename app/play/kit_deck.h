/* kit_deck.h - switching kits while the instrument plays: steps through the kits `groove kits`
 * lists (kit_list), without a restart.
 *
 * Two kit slots: the one the engine plays and a spare. A step loads the next kit that loads into
 * the spare, hands it to the engine (engine_set_kit: it takes over at the next audio block) and
 * keeps the old one allocated as the new spare until the audio thread has let go of it
 * (engine_kit_in_use): a kit is never freed while it may sound. Kits that fail to load are
 * skipped (the message says which). Slot 0 is the caller's kit (the one the engine started
 * with; the caller still deinits it); slot 1 is the deck's own.
 *
 * Caller-owned struct: kit_deck_init / kit_deck_deinit (after the audio has stopped). Control
 * thread only (it reads files and allocates).
 */
#ifndef GROOVE_KIT_DECK_H
#define GROOVE_KIT_DECK_H

#include <stddef.h>

#include "engine.h"
#include "kit.h"

typedef struct {
    Engine *engine;
    Kit *slot[2];        /* slot[0]: the caller's kit; slot[1]: the deck's (allocated) */
    int current;         /* the slot the engine plays */
    int rate;
    int spare_loaded;    /* slot[1 - current] holds samples (to free once the audio lets go) */
} Kit_deck;

/* Starts a deck on the kit the engine plays now (owned by the caller). 0, or -1 (memory). */
int kit_deck_init(Kit_deck *deck, Engine *engine, Kit *playing, int rate);
/* Frees the deck's own slot. Call when no thread renders any more. */
void kit_deck_deinit(Kit_deck *deck);
/* The kit the engine plays (what to render exports with). */
const Kit *kit_deck_kit(const Kit_deck *deck);
/* Steps to the next (direction +1) or previous (-1) kit of kit_list that loads, wrapping around.
 * Returns 0 and says what plays now in msg ("kit 3 of 15: BJA_Pacific, 8 of 9 voices"), or -1
 * with the reason in msg (the old kit still busy in the audio thread, or no other kit loads);
 * the kit that played keeps playing then. */
int kit_deck_step(Kit_deck *deck, int direction, char *msg, size_t msglen);

#endif
