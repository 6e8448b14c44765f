/* undo.c - bounded snapshot undo and redo (see undo.h). */
#include "undo.h"

#include <stdlib.h>
#include <string.h>

int undo_init(Undo *u, size_t size, int capacity)
{
    memset(u, 0, sizeof *u);
    if (size == 0 || capacity <= 0)
        return -1;
    u->undo = malloc(size * (size_t)capacity);
    u->redo = malloc(size * (size_t)capacity);
    if (!u->undo || !u->redo) {
        undo_deinit(u);
        return -1;
    }
    /* Touch every page now: the history's memory is resident from the start, so a long run's
     * RSS stays flat instead of creeping up one snapshot per edit until the ring is full. */
    memset(u->undo, 0, size * (size_t)capacity);
    memset(u->redo, 0, size * (size_t)capacity);
    u->size = size;
    u->capacity = capacity;
    return 0;
}

void undo_deinit(Undo *u)
{
    free(u->undo);
    free(u->redo);
    memset(u, 0, sizeof *u);
}

void undo_clear(Undo *u)
{
    u->undo_head = u->undo_count = 0;
    u->redo_head = u->redo_count = 0;
}

/* Pushes a snapshot onto a ring, dropping the oldest when full. */
static void ring_push(unsigned char *ring, size_t size, int capacity, int *head, int *count,
                      const void *snapshot)
{
    memcpy(ring + (size_t)*head * size, snapshot, size);
    *head = (*head + 1) % capacity;
    if (*count < capacity)
        (*count)++;
}

/* Pops the newest snapshot of a ring into out. */
static void ring_pop(unsigned char *ring, size_t size, int capacity, int *head, int *count, void *out)
{
    *head = (*head + capacity - 1) % capacity;
    (*count)--;
    memcpy(out, ring + (size_t)*head * size, size);
}

void undo_push(Undo *u, const void *before)
{
    if (!u->capacity)
        return;
    ring_push(u->undo, u->size, u->capacity, &u->undo_head, &u->undo_count, before);
    u->redo_head = u->redo_count = 0;
}

int undo_undo(Undo *u, void *state)
{
    if (u->undo_count == 0)
        return 0;
    ring_push(u->redo, u->size, u->capacity, &u->redo_head, &u->redo_count, state);
    ring_pop(u->undo, u->size, u->capacity, &u->undo_head, &u->undo_count, state);
    return 1;
}

int undo_redo(Undo *u, void *state)
{
    if (u->redo_count == 0)
        return 0;
    ring_push(u->undo, u->size, u->capacity, &u->undo_head, &u->undo_count, state);
    ring_pop(u->redo, u->size, u->capacity, &u->redo_head, &u->redo_count, state);
    return 1;
}

int undo_can_undo(const Undo *u) { return u->undo_count; }
int undo_can_redo(const Undo *u) { return u->redo_count; }
