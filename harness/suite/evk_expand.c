#include "evk_expand.h"

#include <stdbool.h>
#include <stdio.h>
#include <strings.h>
#include <stdlib.h>
#include <string.h>

#include "evk_compose.h"
#include "evk_err.h"
#include "evk_json.h"
#include "evk_ts.h"

/* A growing output buffer. */
typedef struct buf {
    char *p;
    size_t len, cap;
    bool oom;
} buf;

static void put(buf *b, const char *s, size_t n)
{
    if (b->oom) return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + n + 1) cap *= 2;
        char *q = realloc(b->p, cap);
        if (!q) {
            b->oom = true;
            return;
        }
        b->p = q;
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

static void puts_(buf *b, const char *s)
{
    put(b, s, strlen(s));
}

static void put_repeat(buf *b, char c, size_t n)
{
    char chunk[256];
    memset(chunk, c, sizeof chunk);
    while (n) {
        size_t k = n < sizeof chunk ? n : sizeof chunk;
        put(b, chunk, k);
        n -= k;
    }
}

static void put_uuid(buf *b, const evk_uuid *u, bool upper)
{
    char s[EVK_UUID_STRLEN + 1];
    evk_uuid_format(u, s);
    if (upper)
        for (char *c = s; *c; c++)
            if (*c >= 'a' && *c <= 'f') *c = (char)(*c - 'a' + 'A');
    put(b, s, EVK_UUID_STRLEN);
}

/* Copy s, replacing placeholders. -1 on an unknown one. */
static int subst(buf *b, const char *s, size_t n, const evk_expand_ctx *x)
{
    for (size_t i = 0; i < n;) {
        if (s[i] != '$' || i + 1 >= n || s[i + 1] != '{') {
            size_t j = i;
            while (j < n && !(s[j] == '$' && j + 1 < n && s[j + 1] == '{')) j++;
            put(b, s + i, j - i);
            i = j;
            continue;
        }
        const char *name = s + i + 2, *end = memchr(name, '}', n - (size_t)(name - s));
        if (!end) return -1;
        size_t nl = (size_t)(end - name);
        char ts[EVK_TS_BUFSZ];
#define IS(lit) (nl == sizeof(lit) - 1 && memcmp(name, lit, nl) == 0)
        if (IS("id")) put_uuid(b, &x->fresh, false);
        else if (IS("a")) put_uuid(b, &x->a, false);
        else if (IS("A")) put_uuid(b, &x->a, true);
        else if (IS("b")) put_uuid(b, &x->b, false);
        else if (IS("hs")) put_uuid(b, &x->hs, false);
        else if (IS("held")) put_uuid(b, &x->held, false);
        else if (IS("now")) {
            if (evk_ts_format(x->wall_us, ts) < 0) evk_ts_format(0, ts);
            puts_(b, ts);
        } else if (nl > 4 && memcmp(name, "pad:", 4) == 0) {
            put_repeat(b, 'x', strtoul(name + 4, NULL, 10));
        } else if (nl > 5 && memcmp(name, "deep:", 5) == 0) {
            size_t d = strtoul(name + 5, NULL, 10);
            put_repeat(b, '[', d);
            put_repeat(b, ']', d);
        } else {
            return -1;
        }
#undef IS
        i = (size_t)(end - s) + 1;
    }
    return 0;
}

const evk_uuid *evk_expand_id(const evk_msg_tpl *t, const evk_expand_ctx *x)
{
    const char *id = t->id;
    if (!id) return &x->fresh;
    if (strcasecmp(id, "a") == 0) return &x->a;
    if (strcasecmp(id, "b") == 0) return &x->b;
    if (strcasecmp(id, "hs") == 0) return &x->hs;
    if (strcasecmp(id, "held") == 0) return &x->held;
    return &x->fresh;
}

/* "A", "HS", "HELD": the id is written in upper case. */
static bool id_upper(const evk_msg_tpl *t)
{
    return t->id && t->id[0] >= 'A' && t->id[0] <= 'Z';
}

/* A JSON string literal of s, every letter \u-escaped when asked. */
static void put_string(buf *b, const char *s, size_t n, bool escaped)
{
    put(b, "\"", 1);
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (escaped && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))) {
            char e[8];
            snprintf(e, sizeof e, "\\u%04x", (unsigned)c);
            put(b, e, 6);
        } else {
            put(b, &c, 1);
        }
    }
    put(b, "\"", 1);
}

/* One "key":value member, unless the template drops or replaces it. */
/* Writes one member; *first is true until the first one is written, and
 * *set_done records that the template's `set` key has been written. */
static int member(buf *b, bool *first, bool *set_done, const evk_msg_tpl *t, const evk_expand_ctx *x,
                  const char *key, const char *value_json)
{
    if (t->drop && strcmp(t->drop, key) == 0) return 0;
    if (!*first) puts_(b, t->spaced ? " ,\n\t" : ",");
    *first = false;
    puts_(b, "\"");
    puts_(b, key);
    puts_(b, t->spaced ? "\" :\r " : "\":");
    if (t->set && strcmp(t->set, key) == 0) {
        *set_done = true;
        return subst(b, t->to, strlen(t->to), x);
    }
    puts_(b, value_json);
    return 0;
}

static int message(buf *b, const evk_msg_tpl *t, const evk_expand_ctx *x)
{
    const evk_profile *p = x->profile;
    const evk_schema *s = t->kind == EVK_MSG_EVENT ? &p->event : &p->ack;
    char v[EVK_NAME_MAX * 6 + 8], ids[(EVK_UUID_STRLEN + 3) * 6], ts[(EVK_TS_BUFSZ + 2) * 6];
    bool first = true, set_done = false;
    int rc = 0;

    /* Values of the three common members, as JSON literals. */
    buf idb = {0}, tsb = {0}, tvb = {0};
    char raw_id[EVK_UUID_STRLEN + 1], raw_ts[EVK_TS_BUFSZ];
    evk_uuid_format(evk_expand_id(t, x), raw_id);
    if (id_upper(t))
        for (char *c = raw_id; *c; c++)
            if (*c >= 'a' && *c <= 'f') *c = (char)(*c - 'a' + 'A');
    if (evk_ts_format(x->wall_us, raw_ts) < 0) evk_ts_format(0, raw_ts);
    put_string(&idb, raw_id, strlen(raw_id), t->escaped);
    put_string(&tsb, raw_ts, strlen(raw_ts), t->escaped);
    put_string(&tvb, s->type_value, strlen(s->type_value), t->escaped);
    if (idb.oom || tsb.oom || tvb.oom || idb.len >= sizeof ids || tsb.len >= sizeof ts || tvb.len >= sizeof v) {
        free(idb.p), free(tsb.p), free(tvb.p);
        return -1;
    }
    memcpy(ids, idb.p, idb.len + 1);
    memcpy(ts, tsb.p, tsb.len + 1);
    memcpy(v, tvb.p, tvb.len + 1);
    free(idb.p), free(tsb.p), free(tvb.p);

    puts_(b, t->spaced ? " \n\t{ " : "{");
    rc |= member(b, &first, &set_done, t, x, p->discriminator, v);
    rc |= member(b, &first, &set_done, t, x, "id", ids);
    for (size_t i = 0; i < s->n_fields && rc == 0; i++) {
        const evk_field *f = &s->fields[i];
        if (strcmp(f->name, "id") == 0) continue;
        if (f->format == EVK_FMT_ISO8601) rc |= member(b, &first, &set_done, t, x, f->name, ts);
        else if (f->format == EVK_FMT_UUID) rc |= member(b, &first, &set_done, t, x, f->name, ids);
        else if (strcmp(f->name, "payload") == 0 && t->payload) rc |= member(b, &first, &set_done, t, x, f->name, t->payload);
        else if (f->required) {
            char neutral[EVK_NEUTRAL_MAX];
            if (evk_neutral_value(p, f, neutral, sizeof neutral) < 0) return -1;
            rc |= member(b, &first, &set_done, t, x, f->name, neutral);
        }
    }
    /* A payload the schema does not list (seed) still travels as an extra field. */
    bool listed = false;
    for (size_t i = 0; i < s->n_fields; i++)
        if (strcmp(s->fields[i].name, "payload") == 0) listed = true;
    if (t->payload && !listed) rc |= member(b, &first, &set_done, t, x, "payload", t->payload);
    /* `set` on a field the message does not have (an extra one, or an
     * optional one the skeleton leaves out) adds it. */
    if (t->set && !set_done && rc == 0) rc |= member(b, &first, &set_done, t, x, t->set, "null");
    if (t->extra && rc == 0) rc |= subst(b, t->extra, strlen(t->extra), x);
    puts_(b, t->spaced ? " }\r\n " : "}");
    return rc;
}

int evk_expand(const evk_msg_tpl *t, const evk_expand_ctx *x, char **out, size_t *len)
{
    buf b = {0};
    int rc;
    if (t->kind == EVK_MSG_NONE) {
        const char *raw = t->raw ? t->raw : "";
        rc = subst(&b, raw, t->raw_len ? t->raw_len : strlen(raw), x);
        if (rc == 0 && b.len == 0) put(&b, "", 0); /* an empty message is still a message */
    } else {
        rc = message(&b, t, x);
    }
    if (rc < 0) {
        free(b.p);
        return EVK_EINVAL;
    }
    if (b.oom || !b.p) {
        free(b.p);
        if (b.oom) return EVK_ENOMEM;
        b.p = calloc(1, 1);
        if (!b.p) return EVK_ENOMEM;
    }
    *out = b.p;
    *len = b.len;
    return 0;
}

/* The next step of a JSON pointer (RFC 6901: "~1" is '/', "~0" is '~')
 * into seg; *p moves past it. false at the end or when seg is too small. */
static bool pointer_step(const char **p, char *seg, size_t cap)
{
    if (**p != '/') return false;
    size_t n = 0;
    for ((*p)++; **p && **p != '/'; (*p)++) {
        char c = **p;
        if (c == '~' && ((*p)[1] == '0' || (*p)[1] == '1')) c = *++(*p) == '0' ? '~' : '/';
        if (n + 1 >= cap) return false;
        seg[n++] = c;
    }
    seg[n] = '\0';
    return true;
}

static bool event_field(const evk_profile *p, const char *name)
{
    if (strcmp(name, p->discriminator) == 0) return true;
    for (size_t i = 0; i < p->event.n_fields; i++)
        if (strcmp(p->event.fields[i].name, name) == 0) return true;
    return false;
}

int evk_trigger_tpl(const evk_profile *p, unsigned k, char *out_buf, size_t cap, evk_msg_tpl *out)
{
    memset(out, 0, sizeof *out);
    out->kind = EVK_MSG_EVENT;
    if (!p->has_trigger) return EVK_EINVAL;
    char first[EVK_POINTER_MAX], seg[EVK_POINTER_MAX], quoted[2 * EVK_POINTER_MAX + 8];
    const char *ptr = p->trigger_pointer;
    if (!pointer_step(&ptr, first, sizeof first)) return EVK_EINVAL;
    /* The value under the first step: {"s2":{"s3":...K}}, or K itself. */
    char value[4 * EVK_POINTER_MAX + 32];
    size_t o = 0, depth = 0;
    while (*ptr) {
        if (!pointer_step(&ptr, seg, sizeof seg) || !evk_json_quote(seg, quoted, sizeof quoted)) return EVK_EINVAL;
        int n = snprintf(value + o, sizeof value - o, "{%s:", quoted);
        if (n < 0 || (size_t)n >= sizeof value - o) return EVK_EINVAL;
        o += (size_t)n, depth++;
    }
    int n = snprintf(value + o, sizeof value - o, "%u%.*s", k, (int)depth, "}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}");
    if (n < 0 || (size_t)n >= sizeof value - o || depth > 32) return EVK_EINVAL;
    /* Where it goes: the payload object, a field of the Event, or a member of its own. */
    bool payload = strcmp(first, "payload") == 0 && depth > 0;
    if (!evk_json_quote(first, quoted, sizeof quoted)) return EVK_EINVAL;
    size_t need = strlen(value) + strlen(quoted) + 8;
    if (need > cap) return EVK_EINVAL;
    if (payload) { /* .payload holds the object under "payload" */
        snprintf(out_buf, cap, "%s", value);
        out->payload = out_buf;
    } else if (event_field(p, first)) {
        size_t fl = strlen(first) + 1;
        memcpy(out_buf, first, fl);
        snprintf(out_buf + fl, cap - fl, "%s", value);
        out->set = out_buf;
        out->to = out_buf + fl;
    } else {
        snprintf(out_buf, cap, ",%s:%s", quoted, value);
        out->extra = out_buf;
    }
    return 0;
}
