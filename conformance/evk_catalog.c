#include "evk_catalog.h"

#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evk_cases.h"
#include "evk_err.h"

static const evk_case *const *catalog(size_t *n)
{
    /* Built on the first call from the family tables (EVK_FAMILIES), in
     * report order; later calls return the same list. */
    static const evk_case *all[256];
    static size_t count;
    if (!count) {
#define EVK_FAMILY_ROW(name) {#name, evk_cases_##name, evk_ncases_##name},
        const evk_family fam[] = {EVK_FAMILIES(EVK_FAMILY_ROW)};
#undef EVK_FAMILY_ROW
        for (size_t f = 0; f < sizeof fam / sizeof fam[0]; f++)
            for (size_t i = 0; i < fam[f].n && count < sizeof all / sizeof all[0]; i++)
                all[count++] = &fam[f].cases[i];
    }
    *n = count;
    return all;
}

const evk_case *const *evk_catalog_all(size_t *n)
{
    return catalog(n);
}

/* Does id match one of the comma-separated globs? Records which globs matched. */
static bool match_any(const char *globs, const char *id, bool *used, size_t nused)
{
    bool hit = false;
    size_t k = 0;
    for (const char *g = globs; *g && k < nused; k++) {
        const char *end = strchr(g, ',');
        size_t n = end ? (size_t)(end - g) : strlen(g);
        char pat[128];
        if (n >= sizeof pat) n = sizeof pat - 1;
        memcpy(pat, g, n);
        pat[n] = '\0';
        char *p = pat; /* trim spaces */
        while (*p == ' ') p++;
        for (char *e = p + strlen(p); e > p && e[-1] == ' ';) *--e = '\0';
        if (*p && fnmatch(p, id, 0) == 0) {
            hit = true;
            used[k] = true;
        }
        if (!end) break;
        g = end + 1;
    }
    return hit;
}

static size_t count_globs(const char *globs)
{
    size_t n = 1;
    for (const char *s = globs; *s; s++) n += *s == ',';
    return n;
}

static int unmatched(const char *what, const char *globs, const bool *used, char *err, size_t cap)
{
    size_t k = 0;
    for (const char *g = globs; *g; k++) {
        const char *end = strchr(g, ',');
        size_t n = end ? (size_t)(end - g) : strlen(g);
        if (!used[k] && n) {
            snprintf(err, cap, "%s='%.*s' matches no case (see `evack --list`)", what, (int)n, g);
            return EVK_EINVAL;
        }
        if (!end) break;
        g = end + 1;
    }
    return 0;
}

int evk_catalog_select(unsigned target_roles, const char *include, const char *exclude,
                       const evk_case ***out, size_t *n, char *err, size_t errcap)
{
    size_t total;
    const evk_case *const *all = catalog(&total);
    const evk_case **sel = calloc(total ? total : 1, sizeof *sel);
    size_t ni = include && *include ? count_globs(include) : 0;
    size_t ne = exclude && *exclude ? count_globs(exclude) : 0;
    bool *iu = calloc(ni + 1, 1), *eu = calloc(ne + 1, 1);
    if (!sel || !iu || !eu) {
        free(sel), free(iu), free(eu);
        snprintf(err, errcap, "out of memory");
        return EVK_ENOMEM;
    }
    size_t k = 0;
    for (size_t i = 0; i < total; i++) {
        const evk_case *c = all[i];
        bool in = ni ? match_any(include, c->id, iu, ni) : true;
        bool ex = ne ? match_any(exclude, c->id, eu, ne) : false;
        if (in && !ex && (c->roles & target_roles)) sel[k++] = c;
    }
    int rc = 0;
    if (ni) rc = unmatched("CASES", include, iu, err, errcap);
    if (!rc && ne) rc = unmatched("EXCLUDE", exclude, eu, err, errcap);
    free(iu);
    free(eu);
    if (rc) {
        free(sel);
        return rc;
    }
    *out = sel;
    *n = k;
    return 0;
}

bool evk_catalog_skip_reason(const evk_case *c, const evk_profile *p, bool has_token, char *why, size_t cap)
{
    if ((c->flags & EVK_CF_STRICT_ONLY) && !p->has_fatal) {
        snprintf(why, cap, "runs only under a profile with a fatal status");
        return true;
    }
    if (c->needs_field) {
        bool has = false;
        for (size_t i = 0; i < p->event.n_fields; i++)
            if (strcmp(p->event.fields[i].name, c->needs_field) == 0) has = true;
        if (!has) {
            snprintf(why, cap, "runs only under a profile whose Events have a \"%s\" field", c->needs_field);
            return true;
        }
    }
    if ((c->flags & EVK_CF_HANDSHAKE) && !p->has_handshake) {
        snprintf(why, cap, "the profile declares no handshake phase (\"handshake\": null): nothing to check here");
        return true;
    }
    if ((c->flags & EVK_CF_NEEDS_TOKEN) && !has_token) {
        snprintf(why, cap, "runs only when HEADERS carries an Authorization: Bearer token");
        return true;
    }
    return false;
}
