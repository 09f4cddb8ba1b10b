#include "evk_tracker.h"

#include <stdlib.h>
#include <string.h>

#include "evk_err.h"

#define NIL UINT32_MAX

/* 32 bytes: the id, its deadline and its neighbours in send order (a free
 * entry uses `next` for the free list). */
typedef struct entry {
    evk_uuid id;
    uint64_t deadline;
    uint32_t prev, next;
} entry;

/* Open addressing; the low hash bits ride along, so probing and shifting
 * rarely touch the entries (which are where the cache misses are). */
typedef struct slot {
    uint32_t idx1; /* entry index + 1; 0: empty */
    uint32_t hash;
} slot;

struct evk_tracker {
    entry *ent;
    uint32_t cap, used, n; /* used: entries ever handed out (the rest is untouched) */
    uint32_t free_head;
    slot *slots;
    uint32_t nslots; /* power of two, or 0 */
    uint32_t head, tail; /* oldest and newest in send order */
    uint64_t limit, last_now, k0, k1;
    size_t max;
};

static uint64_t load64(const uint8_t *b)
{
    uint64_t v;
    memcpy(&v, b, 8);
    return v;
}

/* Keyed 128-bit multiply mix (in the style of wyhash's "mum"). */
static uint32_t hash_id(const evk_tracker *t, const evk_uuid *id)
{
    unsigned __int128 m = (unsigned __int128)(load64(id->b) ^ t->k0) * (load64(id->b + 8) ^ t->k1);
    uint64_t h = (uint64_t)m ^ (uint64_t)(m >> 64);
    return (uint32_t)(h ^ (h >> 32));
}

evk_tracker *evk_tracker_new(uint64_t limit_ms, size_t max_unacked, uint64_t seed)
{
    evk_tracker *t = calloc(1, sizeof *t);
    if (!t) return NULL;
    t->limit = limit_ms;
    t->max = max_unacked;
    t->head = t->tail = t->free_head = NIL;
    /* Two keys from the seed (splitmix64 steps); never zero. */
    uint64_t z = seed;
    for (int i = 0; i < 2; i++) {
        z += 0x9e3779b97f4a7c15ull;
        uint64_t x = z;
        x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
        x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
        x ^= x >> 31;
        if (i == 0) t->k0 = x | 1;
        else t->k1 = x | 1;
    }
    return t;
}

void evk_tracker_free(evk_tracker *t)
{
    if (!t) return;
    free(t->ent);
    free(t->slots);
    free(t);
}

evk_tracker *evk_tracker_clone(const evk_tracker *t)
{
    evk_tracker *c = malloc(sizeof *c);
    if (!c) return NULL;
    *c = *t;
    c->ent = NULL;
    c->slots = NULL;
    if (t->ent && t->cap) {
        c->ent = malloc((size_t)t->cap * sizeof *c->ent);
        if (!c->ent) goto oom;
        memcpy(c->ent, t->ent, (size_t)t->used * sizeof *c->ent); /* the rest is never read */
    }
    if (t->slots && t->nslots) {
        c->slots = malloc((size_t)t->nslots * sizeof *c->slots);
        if (!c->slots) goto oom;
        memcpy(c->slots, t->slots, (size_t)t->nslots * sizeof *c->slots);
    }
    return c;
oom:
    evk_tracker_free(c);
    return NULL;
}

int evk_tracker_set_limit(evk_tracker *t, uint64_t limit_ms)
{
    if (t->n) return EVK_ESTATE;
    t->limit = limit_ms;
    return 0;
}

uint64_t evk_tracker_limit(const evk_tracker *t)
{
    return t->limit;
}

size_t evk_tracker_count(const evk_tracker *t)
{
    return t->n;
}

size_t evk_tracker_memory(const evk_tracker *t)
{
    return (size_t)t->cap * sizeof(entry) + (size_t)t->nslots * sizeof(slot);
}

/* The slot holding id, or the empty slot where it would go. */
static uint32_t find_slot(const evk_tracker *t, const evk_uuid *id, uint32_t h)
{
    uint32_t mask = t->nslots - 1, s = h & mask;
    for (;; s = (s + 1) & mask) {
        const slot *sl = &t->slots[s];
        if (!sl->idx1) return s;
        if (sl->hash == h && evk_uuid_equal(&t->ent[sl->idx1 - 1].id, id)) return s;
    }
}

/* A fresh table of nslots (0: none) holding every live entry. */
static int rehash(evk_tracker *t, uint32_t nslots)
{
    slot *fresh = NULL;
    if (nslots && !(fresh = calloc(nslots, sizeof *fresh))) return EVK_ENOMEM;
    uint32_t mask = nslots - 1;
    for (uint32_t i = 0; i < t->nslots; i++) {
        if (!t->slots[i].idx1) continue;
        uint32_t s = t->slots[i].hash & mask;
        while (fresh[s].idx1) s = (s + 1) & mask;
        fresh[s] = t->slots[i];
    }
    free(t->slots);
    t->slots = fresh;
    t->nslots = nslots;
    return 0;
}

/* Move the live entries, in send order, into a new array of cap entries. */
static int compact(evk_tracker *t, uint32_t cap)
{
    if (cap == 0) {
        free(t->ent);
        t->ent = NULL;
        t->cap = t->used = 0;
        t->head = t->tail = t->free_head = NIL;
        return rehash(t, 0);
    }
    entry *e = malloc((size_t)cap * sizeof *e);
    if (!e) return EVK_ENOMEM;
    uint32_t k = 0;
    for (uint32_t i = t->head; i != NIL; i = t->ent[i].next, k++) {
        e[k] = t->ent[i];
        e[k].prev = k ? k - 1 : NIL;
        e[k].next = NIL;
        if (k) e[k - 1].next = k;
    }
    /* Point the slots at the new places. */
    for (uint32_t s = 0; s < t->nslots; s++) t->slots[s].idx1 = 0;
    uint32_t mask = t->nslots - 1;
    for (uint32_t i = 0; i < k; i++) {
        uint32_t h = hash_id(t, &e[i].id), s = h & mask;
        while (t->slots[s].idx1) s = (s + 1) & mask;
        t->slots[s] = (slot){i + 1, h};
    }
    free(t->ent);
    t->ent = e;
    t->cap = cap;
    t->used = k;
    t->head = k ? 0 : NIL;
    t->tail = k ? k - 1 : NIL;
    t->free_head = NIL;
    return 0;
}

bool evk_tracker_contains(const evk_tracker *t, const evk_uuid *id)
{
    return t->n && t->slots[find_slot(t, id, hash_id(t, id))].idx1 != 0;
}

int evk_tracker_sent(evk_tracker *t, const evk_uuid *id, uint64_t now_ms)
{
    if (!t || !id) return EVK_EINVAL;
    uint32_t h = hash_id(t, id);
    if (t->n && t->slots[find_slot(t, id, h)].idx1) return EVK_EDUPID;
    if ((t->max && t->n >= t->max) || t->n >= UINT32_MAX / 4) return EVK_EFULL;
    if (t->free_head == NIL && t->used == t->cap) {
        uint32_t cap = t->cap ? t->cap * 2 : 16;
        entry *e = realloc(t->ent, (size_t)cap * sizeof *e);
        if (!e) return EVK_ENOMEM;
        t->ent = e;
        t->cap = cap;
    }
    if ((t->n + 1) * 2 > t->nslots && rehash(t, t->nslots ? t->nslots * 2 : 32)) return EVK_ENOMEM;

    if (now_ms < t->last_now) now_ms = t->last_now;
    t->last_now = now_ms;
    uint32_t i;
    if (t->free_head != NIL) { /* reuse the entry acked last: it is still in cache */
        i = t->free_head;
        t->free_head = t->ent[i].next;
    } else {
        i = t->used++;
    }
    entry *e = &t->ent[i];
    e->id = *id;
    e->deadline = now_ms + t->limit < now_ms ? UINT64_MAX : now_ms + t->limit;
    e->prev = t->tail;
    e->next = NIL;
    if (t->tail != NIL) t->ent[t->tail].next = i;
    else t->head = i;
    t->tail = i;
    t->n++;
    t->slots[find_slot(t, id, h)] = (slot){i + 1, h};
    return 0;
}

/* Empty slot s, shifting later members of its probe run back (no tombstones). */
static void clear_slot(evk_tracker *t, uint32_t s)
{
    uint32_t mask = t->nslots - 1, hole = s, j = s;
    t->slots[hole].idx1 = 0;
    for (;;) {
        j = (j + 1) & mask;
        if (!t->slots[j].idx1) return;
        uint32_t home = t->slots[j].hash & mask;
        /* Move j into the hole unless its home lies cyclically in (hole, j]. */
        bool stays = hole <= j ? (home > hole && home <= j) : (home > hole || home <= j);
        if (!stays) {
            t->slots[hole] = t->slots[j];
            t->slots[j].idx1 = 0;
            hole = j;
        }
    }
}

static void remove_entry(evk_tracker *t, uint32_t i, uint32_t s)
{
    entry *e = &t->ent[i];
    if (e->prev != NIL) t->ent[e->prev].next = e->next;
    else t->head = e->next;
    if (e->next != NIL) t->ent[e->next].prev = e->prev;
    else t->tail = e->prev;
    clear_slot(t, s);
    e->next = t->free_head;
    t->free_head = i;
    t->n--;
    /* Follow the unacked set down: compacting can only fail for lack of
     * memory, and then the larger arrays simply stay. */
    if (t->n == 0) {
        (void)compact(t, 0);
    } else if (t->cap > 16 && t->n * 4 < t->cap) {
        if (compact(t, t->cap / 2) == 0 && t->nslots > 32 && t->n * 8 < t->nslots)
            (void)rehash(t, t->nslots / 2);
    }
}

int evk_tracker_acked(evk_tracker *t, const evk_uuid *id)
{
    if (!t || !id) return EVK_EINVAL;
    if (!t->n) return EVK_ENOTFOUND;
    uint32_t s = find_slot(t, id, hash_id(t, id));
    if (!t->slots[s].idx1) return EVK_ENOTFOUND;
    remove_entry(t, t->slots[s].idx1 - 1, s);
    return 0;
}

bool evk_tracker_next_deadline(const evk_tracker *t, uint64_t *deadline_ms, evk_uuid *id)
{
    if (!t->n) return false;
    if (deadline_ms) *deadline_ms = t->ent[t->head].deadline;
    if (id) *id = t->ent[t->head].id;
    return true;
}

int evk_tracker_expire(evk_tracker *t, uint64_t now_ms, evk_uuid *id, uint64_t *deadline_ms)
{
    if (!t->n || t->ent[t->head].deadline > now_ms) return 0;
    evk_uuid oldest = t->ent[t->head].id;
    if (id) *id = oldest;
    if (deadline_ms) *deadline_ms = t->ent[t->head].deadline;
    remove_entry(t, t->head, find_slot(t, &oldest, hash_id(t, &oldest)));
    return 1;
}
