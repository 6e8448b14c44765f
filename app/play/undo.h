/* undo.h - bounded snapshot undo and redo.
 *
 * Every edit first hands the state as it was to undo_push; undo gives that state back (and
 * keeps the present one for redo), redo goes forward again. A new edit after an undo drops
 * the redo history, as in any editor. Snapshots are fixed-size blobs (the caller's state
 * struct), copied whole: simple and exact. The history holds at most `capacity` snapshots;
 * the oldest fall off.
 *
 * The caller owns an Undo: undo_init allocates its two rings, undo_deinit frees them. Not
 * thread-safe: one thread (the instrument's) uses it. Never from the audio thread.
 */
#ifndef GROOVE_UNDO_H
#define GROOVE_UNDO_H

#include <stddef.h>

typedef struct {
    unsigned char *undo;   /* capacity snapshots, a ring */
    unsigned char *redo;   /* capacity snapshots, a ring */
    size_t size;           /* bytes per snapshot */
    int capacity;          /* snapshots kept per direction */
    int undo_head, undo_count;  /* next slot to write, snapshots held */
    int redo_head, redo_count;
} Undo;

/* Prepares an empty history for snapshots of `size` bytes, at most `capacity` deep.
 * Returns 0, or -1 when out of memory (or size/capacity is 0). */
int undo_init(Undo *u, size_t size, int capacity);
/* Frees the history. */
void undo_deinit(Undo *u);
/* Forgets every snapshot. */
void undo_clear(Undo *u);
/* Records `before` (the state just before an edit) and drops the redo history. */
void undo_push(Undo *u, const void *before);
/* Steps back: saves `state` for redo and overwrites it with the last snapshot. Returns 1
 * when it did, 0 when there was nothing to undo (state untouched). */
int undo_undo(Undo *u, void *state);
/* Steps forward again after undo_undo. Returns 1 when it did, 0 when nothing to redo. */
int undo_redo(Undo *u, void *state);
/* How many steps back / forward are available. */
int undo_can_undo(const Undo *u);
int undo_can_redo(const Undo *u);

#endif
