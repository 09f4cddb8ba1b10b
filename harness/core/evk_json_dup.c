/* Duplicate member names at any depth (evk_json_has_dup_key, evk_json.h):
 * one pass over a text the scanner accepted collects every key with the
 * object it belongs to, then a sort by (object, hash of the unescaped name)
 * puts any repeated name side by side. Bounded: EVK_JSON_DUP_KEYS_MAX keys. */
#include "evk_json.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct keyref {
    size_t obj;  /* which object (numbered in text order) */
    uint64_t h;  /* FNV-1a of the unescaped name */
    size_t off, len;
    bool esc;
} keyref;

/* The unescaped name of k: the bytes themselves, or decoded into *heap. */
static const char *key_name(const char *t, const keyref *k, char **heap, size_t *len)
{
    *heap = NULL;
    *len = k->len;
    if (!k->esc) return t + k->off;
    /* Unescaping never makes a string longer. */
    *heap = malloc(k->len + 1);
    if (!*heap || evk_json_unescape(t + k->off, k->len, *heap, k->len + 1, len) < 0) return NULL;
    return *heap;
}

static int keyref_cmp(const void *a, const void *b)
{
    const keyref *x = a, *y = b;
    if (x->obj != y->obj) return x->obj < y->obj ? -1 : 1;
    return x->h < y->h ? -1 : x->h > y->h;
}

/* 1 when a and b are the same name, 0 when not, -1 out of memory. */
static int same_name(const char *t, const keyref *a, const keyref *b)
{
    char *ha, *hb;
    size_t la, lb;
    const char *na = key_name(t, a, &ha, &la), *nb = key_name(t, b, &hb, &lb);
    int r = !na || !nb ? -1 : la == lb && memcmp(na, nb, la) == 0;
    free(ha);
    free(hb);
    return r;
}

int evk_json_has_dup_key(const char *t, size_t n)
{
    evk_jscan sc;
    if (evk_json_scan(t, n, NULL, 0, &sc) < 0) return -1;
    if (sc.top != EVK_JT_OBJECT && sc.top != EVK_JT_ARRAY) return 0;
    /* One pass over the valid text: every key with the object it belongs to. */
    size_t cap = 16, nk = 0, objs = 0, depth = 0, scap = 64;
    keyref *k = malloc(cap * sizeof *k);
    size_t *stack = malloc(scap * sizeof *stack); /* per level: object id, or SIZE_MAX for arrays */
    bool expect_key = false;
    int rc = 0;
    if (!k || !stack) {
        rc = -1;
        goto out;
    }
    for (size_t p = 0; p < n; p++) {
        char c = t[p];
        if ((c == '{' || c == '[') && depth == scap) {
            size_t *g = realloc(stack, scap * 2 * sizeof *stack);
            if (!g) {
                rc = -1;
                goto out;
            }
            stack = g;
            scap *= 2;
        }
        if (c == '{') {
            stack[depth++] = objs++;
            expect_key = true;
        } else if (c == '[') {
            stack[depth++] = SIZE_MAX;
            expect_key = false;
        } else if (c == '}' || c == ']') {
            depth--;
            expect_key = false;
        } else if (c == ',') {
            expect_key = depth && stack[depth - 1] != SIZE_MAX;
        } else if (c == '"') {
            size_t start = ++p;
            bool esc = false;
            while (t[p] != '"') {
                if (t[p] == '\\') esc = true, p++;
                p++;
            }
            if (!expect_key) continue;
            expect_key = false;
            if (nk == EVK_JSON_DUP_KEYS_MAX) {
                rc = -1;
                goto out;
            }
            if (nk == cap) {
                keyref *g = realloc(k, cap * 2 * sizeof *k);
                if (!g) {
                    rc = -1;
                    goto out;
                }
                k = g;
                cap *= 2;
            }
            keyref *r = &k[nk++];
            *r = (keyref){.obj = stack[depth - 1], .off = start, .len = p - start, .esc = esc};
            char *heap;
            size_t len;
            const char *name = key_name(t, r, &heap, &len);
            if (!name) {
                free(heap);
                rc = -1;
                goto out;
            }
            uint64_t h = 0xcbf29ce484222325ull;
            for (size_t i = 0; i < len; i++) h = (h ^ (unsigned char)name[i]) * 0x100000001b3ull;
            r->h = h;
            free(heap);
        }
    }
    qsort(k, nk, sizeof *k, keyref_cmp);
    for (size_t i = 0; i < nk && rc == 0; i++)
        for (size_t j = i + 1; j < nk && k[j].obj == k[i].obj && k[j].h == k[i].h; j++) {
            int same = same_name(t, &k[i], &k[j]);
            if (same != 0) {
                rc = same;
                break;
            }
        }
out:
    free(k);
    free(stack);
    return rc;
}
