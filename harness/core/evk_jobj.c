#include "evk_jobj.h"

#include <stdlib.h>
#include <string.h>

enum { FEW = 32 };

/* The members of text: into few when they fit, else malloc'd (*heap set). */
static evk_jspan *members(const char *text, size_t len, evk_jspan *few, size_t *count, evk_jspan **heap)
{
    *heap = NULL;
    if (evk_json_members(text, len, few, FEW, count, NULL) < 0) return NULL;
    if (*count <= FEW) return few;
    size_t n = *count;
    *heap = malloc(n * sizeof **heap);
    if (!*heap || evk_json_members(text, len, *heap, n, count, NULL) < 0) {
        free(*heap);
        *heap = NULL;
        return NULL;
    }
    return *heap;
}

static bool key_is(const char *text, const evk_jspan *s, const char *key)
{
    return evk_json_literal_is(text + s->key_off, s->key_end - s->key_off, key);
}

int evk_jobj_find(const char *text, size_t len, const char *key, evk_jspan *span)
{
    evk_jspan few[FEW], *heap;
    size_t n;
    const evk_jspan *m = members(text, len, few, &n, &heap);
    int found = -1;
    for (size_t i = 0; m && i < n && found < 0; i++)
        if (key_is(text, &m[i], key)) {
            found = (int)i;
            if (span) *span = m[i];
        }
    free(heap);
    return found;
}

bool evk_jobj_get_string(const char *text, size_t len, const char *key, char *out, size_t cap, size_t *out_len)
{
    evk_jspan s;
    if (evk_jobj_find(text, len, key, &s) < 0 || text[s.value_off] != '"') return false;
    return evk_json_unescape(text + s.value_off + 1, s.value_end - s.value_off - 2, out, cap, out_len) == 0;
}

bool evk_jobj_has_other_keys(const char *text, size_t len, const char *const *known)
{
    evk_jspan few[FEW], *heap;
    size_t n;
    const evk_jspan *m = members(text, len, few, &n, &heap);
    bool other = false;
    for (size_t i = 0; m && i < n && !other; i++) {
        bool k = false;
        for (const char *const *name = known; *name && !k; name++) k = key_is(text, &m[i], *name);
        other = !k;
    }
    free(heap);
    return other;
}

/* text[0..from) + the pieces + text[to..len), NUL-terminated. */
static char *splice(const char *text, size_t len, size_t from, size_t to, const char *const *pieces,
                    size_t *out_len)
{
    size_t n = from + (len - to);
    for (const char *const *p = pieces; *p; p++) n += strlen(*p);
    char *o = malloc(n + 1);
    if (!o) return NULL;
    memcpy(o, text, from);
    size_t at = from;
    for (const char *const *p = pieces; *p; p++) {
        size_t k = strlen(*p);
        memcpy(o + at, *p, k);
        at += k;
    }
    memcpy(o + at, text + to, len - to);
    o[n] = '\0';
    if (out_len) *out_len = n;
    return o;
}

char *evk_jobj_set(const char *text, size_t len, const char *key, const char *value_json, size_t *out_len)
{
    evk_jscan sc;
    if (evk_json_scan(value_json, strlen(value_json), NULL, 0, &sc) < 0) return NULL;
    evk_jspan few[FEW], *heap;
    size_t n;
    const evk_jspan *m = members(text, len, few, &n, &heap);
    if (!m) return NULL;
    char *o = NULL;
    size_t i = 0;
    while (i < n && !key_is(text, &m[i], key)) i++;
    if (i < n) {
        const char *const pieces[] = {value_json, NULL};
        o = splice(text, len, m[i].value_off, m[i].value_end, pieces, out_len);
    } else {
        size_t kl = strlen(key) * 6 + 3;
        char *lit = malloc(kl);
        if (lit && evk_json_quote(key, lit, kl)) {
            /* After the last member, or just inside the braces of an empty object. */
            size_t at = n ? m[n - 1].value_end : (size_t)((const char *)memchr(text, '{', len) - text) + 1;
            const char *const pieces[] = {n ? "," : "", lit, ":", value_json, NULL};
            o = splice(text, len, at, at, pieces, out_len);
        }
        free(lit);
    }
    free(heap);
    return o;
}

char *evk_jobj_drop_at(const char *text, size_t len, size_t i, size_t *out_len)
{
    evk_jspan few[FEW], *heap;
    size_t n;
    const evk_jspan *m = members(text, len, few, &n, &heap);
    char *o = NULL;
    if (m && i < n) {
        /* The member goes with the comma before it; the first one with the
         * comma after it (up to the next key). */
        size_t from = i > 0 ? m[i - 1].value_end : m[0].key_off;
        size_t to = i > 0 ? m[i].value_end : n > 1 ? m[1].key_off : m[0].value_end;
        const char *const none[] = {NULL};
        o = splice(text, len, from, to, none, out_len);
    }
    free(heap);
    return o;
}

char *evk_jobj_drop(const char *text, size_t len, const char *key, size_t *out_len)
{
    int i = evk_jobj_find(text, len, key, NULL);
    return i < 0 ? NULL : evk_jobj_drop_at(text, len, (size_t)i, out_len);
}
