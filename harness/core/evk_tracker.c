#include "evk_tracker.h"

#include <stdlib.h>
#include <string.h>

#include "evk_err.h"

#define NIL UINT32_MAX

/* 32 bytes: the id, its deadline and its neighbours in send order. */
typedef struct entry {
    evk_uuid id;
    uint64_t deadline;
    uint32_t prev, next;
} entry;

struct evk_tracker {
    entry *ent;       /* dense: ent[0..n) are the unacked Events */
    uint32_t n, cap;
    uint32_t *slots;  /* open addressing: index+1 into ent, 0 = empty */
    uint32_t nslots;  /* power of two, or 0 */
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
static uint64_t hash_id(const evk_tracker *t, const evk_uuid *id)
{
    unsigned __int128 m = (unsigned __int128)(load64(id->b) ^ t->k0) * (load64(id->b + 8) ^ t->k1);
    return (uint64_t)m ^ (uint64_t)(m >> 64);
}

evk_tracker *evk_tracker_new(uint64_t limit_ms, size_t max_unacked, uint64_t seed)
{
    evk_tracker *t = calloc(1, sizeof *t);
    if (!t) return NULL;
    t->limit = limit_ms;
    t->max = max_unacked;
    t->head = t->tail = NIL;
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
    return (size_t)t->cap * sizeof(entry) + (size_t)t->nslots * sizeof(uint32_t);
}

/* Slot holding id, or the empty slot where it would go. */
static uint32_t find_slot(const evk_tracker *t, const evk_uuid *id)
{
    uint32_t mask = t->nslots - 1, s = (uint32_t)hash_id(t, id) & mask;
    while (t->slots[s] && !evk_uuid_equal(&t->ent[t->slots[s] - 1].id, id)) s = (s + 1) & mask;
    return s;
}

static int rehash(evk_tracker *t, uint32_t nslots)
{
    uint32_t *old = t->slots, oldn = t->nslots;
    if (nslots == 0) {
        free(old);
        t->slots = NULL;
        t->nslots = 0;
        return 0;
    }
    uint32_t *fresh = calloc(nslots, sizeof *fresh);
    if (!fresh) return EVK_ENOMEM;
    t->slots = fresh;
    t->nslots = nslots;
    for (uint32_t i = 0; i < oldn; i++)
        if (old[i]) t->slots[find_slot(t, &t->ent[old[i] - 1].id)] = old[i];
    free(old);
    return 0;
}

static int resize_entries(evk_tracker *t, uint32_t cap)
{
    if (cap == 0) {
        free(t->ent);
        t->ent = NULL;
        t->cap = 0;
        return 0;
    }
    entry *e = realloc(t->ent, (size_t)cap * sizeof *e);
    if (!e) return EVK_ENOMEM;
    t->ent = e;
    t->cap = cap;
    return 0;
}

bool evk_tracker_contains(const evk_tracker *t, const evk_uuid *id)
{
    return t->n && t->slots[find_slot(t, id)] != 0;
}

int evk_tracker_sent(evk_tracker *t, const evk_uuid *id, uint64_t now_ms)
{
    if (!t || !id) return EVK_EINVAL;
    if (evk_tracker_contains(t, id)) return EVK_EDUPID;
    if ((t->max && t->n >= t->max) || t->n >= UINT32_MAX / 4) return EVK_EFULL;
    if (t->n == t->cap && resize_entries(t, t->cap ? t->cap * 2 : 16)) return EVK_ENOMEM;
    if ((t->n + 1) * 2 > t->nslots && rehash(t, t->nslots ? t->nslots * 2 : 32)) return EVK_ENOMEM;

    if (now_ms < t->last_now) now_ms = t->last_now;
    t->last_now = now_ms;
    uint32_t i = t->n++;
    entry *e = &t->ent[i];
    e->id = *id;
    e->deadline = now_ms + t->limit < now_ms ? UINT64_MAX : now_ms + t->limit;
    e->prev = t->tail;
    e->next = NIL;
    if (t->tail != NIL) t->ent[t->tail].next = i;
    else t->head = i;
    t->tail = i;
    t->slots[find_slot(t, id)] = i + 1;
    return 0;
}

/* Empty slot s, shifting later members of its probe run back (no tombstones). */
static void clear_slot(evk_tracker *t, uint32_t s)
{
    uint32_t mask = t->nslots - 1, hole = s, j = s;
    t->slots[hole] = 0;
    for (;;) {
        j = (j + 1) & mask;
        if (!t->slots[j]) return;
        uint32_t home = (uint32_t)hash_id(t, &t->ent[t->slots[j] - 1].id) & mask;
        /* Move j into the hole unless its home lies cyclically in (hole, j]. */
        bool stays = hole <= j ? (home > hole && home <= j) : (home > hole || home <= j);
        if (!stays) {
            t->slots[hole] = t->slots[j];
            t->slots[j] = 0;
            hole = j;
        }
    }
}

static void remove_entry(evk_tracker *t, uint32_t i)
{
    entry *e = &t->ent[i];
    if (e->prev != NIL) t->ent[e->prev].next = e->next;
    else t->head = e->next;
    if (e->next != NIL) t->ent[e->next].prev = e->prev;
    else t->tail = e->prev;
    clear_slot(t, find_slot(t, &e->id));

    uint32_t last = --t->n;
    if (i != last) { /* keep storage dense: the last entry fills the hole */
        t->ent[i] = t->ent[last];
        entry *m = &t->ent[i];
        if (m->prev != NIL) t->ent[m->prev].next = i;
        else t->head = i;
        if (m->next != NIL) t->ent[m->next].prev = i;
        else t->tail = i;
        t->slots[find_slot(t, &m->id)] = i + 1;
    }
    /* Shrinking can only fail for lack of memory; the larger arrays stay valid. */
    if (t->n == 0) {
        resize_entries(t, 0);
        rehash(t, 0);
    } else {
        if (t->cap > 16 && t->n * 4 < t->cap) (void)resize_entries(t, t->cap / 2);
        if (t->nslots > 32 && t->n * 8 < t->nslots) (void)rehash(t, t->nslots / 2);
    }
}

int evk_tracker_acked(evk_tracker *t, const evk_uuid *id)
{
    if (!t || !id) return EVK_EINVAL;
    if (!t->n) return EVK_ENOTFOUND;
    uint32_t s = find_slot(t, id);
    if (!t->slots[s]) return EVK_ENOTFOUND;
    remove_entry(t, t->slots[s] - 1);
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
    if (id) *id = t->ent[t->head].id;
    if (deadline_ms) *deadline_ms = t->ent[t->head].deadline;
    remove_entry(t, t->head);
    return 1;
}
