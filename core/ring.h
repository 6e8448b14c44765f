/* ring.h - a lock-free single-producer single-consumer ring of fixed-size items.
 *
 * How threads talk to the audio callback (and back) without locks: one thread only pushes,
 * one other thread only pops. The capacity is a power of two; head and tail are free-running
 * counters, published with release stores and read with acquire loads, so an item's bytes are
 * visible to the consumer before the consumer can see the new head. Each counter sits on its
 * own cache line.
 *
 * The caller owns a Ring: ring_init allocates its storage (call it before the stream starts,
 * never on the audio thread), ring_deinit frees it once neither thread uses it. ring_push and
 * ring_pop never allocate, lock or block: they are safe on the audio thread.
 *
 * Threads: ring_push from the producer thread only, ring_pop from the consumer thread only,
 * ring_count / ring_space from either (a snapshot).
 */
#ifndef GROOVE_RING_H
#define GROOVE_RING_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    _Alignas(64) atomic_size_t head; /* items ever pushed; written by the producer */
    _Alignas(64) atomic_size_t tail; /* items ever popped; written by the consumer */
    _Alignas(64) unsigned char *data; /* capacity * item_size bytes */
    size_t item_size;                 /* bytes per item */
    size_t capacity;                  /* a power of two */
    size_t mask;                      /* capacity - 1 */
} Ring;

/* Allocates a ring of at least min_capacity items of item_size bytes (rounded up to a power
 * of two). Returns 0, or -1 when out of memory or the sizes are zero. */
static inline int ring_init(Ring *r, size_t item_size, size_t min_capacity)
{
    memset(r, 0, sizeof *r);
    if (item_size == 0 || min_capacity == 0 || min_capacity > ((size_t)1 << 30))
        return -1;
    size_t cap = 1;
    while (cap < min_capacity)
        cap <<= 1;
    r->data = calloc(cap, item_size);
    if (!r->data)
        return -1;
    r->item_size = item_size;
    r->capacity = cap;
    r->mask = cap - 1;
    atomic_init(&r->head, 0);
    atomic_init(&r->tail, 0);
    return 0;
}

/* Frees the ring's storage. Neither thread may use it afterwards. */
static inline void ring_deinit(Ring *r)
{
    free(r->data);
    memset(r, 0, sizeof *r);
}

/* Producer: copies one item in. Returns 1, or 0 when the ring is full (the item is dropped). */
static inline int ring_push(Ring *r, const void *item)
{
    size_t head = atomic_load_explicit(&r->head, memory_order_relaxed);
    size_t tail = atomic_load_explicit(&r->tail, memory_order_acquire);
    if (head - tail >= r->capacity)
        return 0;
    memcpy(r->data + (head & r->mask) * r->item_size, item, r->item_size);
    atomic_store_explicit(&r->head, head + 1, memory_order_release);
    return 1;
}

/* Consumer: copies the oldest item out. Returns 1, or 0 when the ring is empty. */
static inline int ring_pop(Ring *r, void *item)
{
    size_t tail = atomic_load_explicit(&r->tail, memory_order_relaxed);
    size_t head = atomic_load_explicit(&r->head, memory_order_acquire);
    if (head == tail)
        return 0;
    memcpy(item, r->data + (tail & r->mask) * r->item_size, r->item_size);
    atomic_store_explicit(&r->tail, tail + 1, memory_order_release);
    return 1;
}

/* Either thread: items waiting (a snapshot). */
static inline size_t ring_count(Ring *r)
{
    size_t head = atomic_load_explicit(&r->head, memory_order_acquire);
    size_t tail = atomic_load_explicit(&r->tail, memory_order_acquire);
    return head - tail;
}

/* Either thread: free slots (a snapshot). */
static inline size_t ring_space(Ring *r)
{
    return r->capacity - ring_count(r);
}

#endif
