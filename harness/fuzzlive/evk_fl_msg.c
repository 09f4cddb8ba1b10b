#include "evk_fl_msg.h"

#include <stdio.h>
#include <string.h>

#include "evk_err.h"
#include "evk_json.h"
#include "evk_ts.h"
#include "evk_uuid.h"

#define PICK(r, a) evk_fl_pick(r, a)

/* ---- members -------------------------------------------------------- */

/* Members are found by key value, as the validator and evk_jobj read them
 * ("\u0069d" is "id"): the core compares. */
int evk_fl_msg_find(const evk_fl_msg *m, const char *name)
{
    for (size_t i = 0; i < m->n; i++)
        if (evk_json_literal_is(m->m[i].key, strlen(m->m[i].key), name)) return (int)i;
    return -1;
}

int evk_fl_msg_add(evk_fl_msg *m, const char *key_json, const char *value)
{
    if (m->n == EVK_FL_MSG_MAX || strlen(key_json) >= EVK_FL_KEY_MAX || strlen(value) >= EVK_FL_VAL_MAX)
        return -1;
    snprintf(m->m[m->n].key, EVK_FL_KEY_MAX, "%s", key_json);
    snprintf(m->m[m->n].val, EVK_FL_VAL_MAX, "%s", value);
    m->n++;
    return 0;
}

int evk_fl_msg_set(evk_fl_msg *m, const char *name, const char *value)
{
    int i = evk_fl_msg_find(m, name);
    if (i < 0) {
        char k[EVK_FL_KEY_MAX];
        return evk_json_quote(name, k, sizeof k) ? evk_fl_msg_add(m, k, value) : -1;
    }
    if (strlen(value) >= EVK_FL_VAL_MAX) return -1;
    snprintf(m->m[i].val, EVK_FL_VAL_MAX, "%s", value);
    return 0;
}

void evk_fl_msg_drop(evk_fl_msg *m, const char *name)
{
    int i = evk_fl_msg_find(m, name);
    if (i < 0) return;
    memmove(&m->m[i], &m->m[i + 1], (m->n - (size_t)i - 1) * sizeof m->m[0]);
    m->n--;
}

typedef struct out {
    char *p;
    size_t len, cap;
    bool full;
} out;

static void put(out *o, const char *s, size_t n)
{
    if (o->full || o->len + n + 1 > o->cap) {
        o->full = true;
        return;
    }
    memcpy(o->p + o->len, s, n);
    o->len += n;
    o->p[o->len] = '\0';
}

static void puts_(out *o, const char *s)
{
    put(o, s, strlen(s));
}

static void ws(out *o, const evk_fl_msg *m, evk_fl_rng *r)
{
    static const char *const spaces[] = {" ", "\t", "\n", "\r\n", "  ", " \t ", ""};
    if (m->ws && r) puts_(o, PICK(r, spaces));
}

size_t evk_fl_msg_write(const evk_fl_msg *m, evk_fl_rng *r, char *buf, size_t cap)
{
    out o = {buf, 0, cap, false};
    if (cap) buf[0] = '\0';
    ws(&o, m, r);
    puts_(&o, "{");
    for (size_t i = 0; i < m->n; i++) {
        if (i) puts_(&o, ",");
        ws(&o, m, r);
        puts_(&o, m->m[i].key);
        ws(&o, m, r);
        puts_(&o, ":");
        ws(&o, m, r);
        puts_(&o, m->m[i].val);
        ws(&o, m, r);
    }
    puts_(&o, "}");
    ws(&o, m, r);
    return o.full ? 0 : o.len;
}

/* ---- values --------------------------------------------------------- */

void evk_fl_uuid_text(evk_fl_rng *r, char out36[37])
{
    uint8_t b[16];
    for (int i = 0; i < 16; i += 8) {
        uint64_t v = evk_fl_rng_next(r);
        memcpy(b + i, &v, 8);
    }
    evk_uuid u;
    if (evk_fl_rng_pct(r, 80)) evk_uuid_v4_from_bytes(b, &u);
    else memcpy(u.b, b, 16); /* any version or variant is a UUID */
    evk_uuid_format(&u, out36);
}

static int days_in(int y, int mo)
{
    return evk_ts_days_in_month(y, mo);
}

void evk_fl_ts_valid(evk_fl_rng *r, char *buf, size_t cap)
{
    int y = (int)evk_fl_rng_range(r, 1970, 2099), mo = (int)evk_fl_rng_range(r, 1, 12);
    if (evk_fl_rng_pct(r, 5)) y = (int)PICK(r, ((const int[]){2000, 2024, 2028, 1999, 9999, 0}));
    if (evk_fl_rng_pct(r, 5)) mo = 2;
    int d = (int)evk_fl_rng_range(r, 1, (uint64_t)days_in(y, mo));
    if (evk_fl_rng_pct(r, 10)) d = days_in(y, mo); /* last day: 29 Feb in leap years */
    int h = (int)evk_fl_rng_below(r, 24), mi = (int)evk_fl_rng_below(r, 60);
    int s = evk_fl_rng_pct(r, 3) ? 60 : (int)evk_fl_rng_below(r, 60); /* a leap second is in range */
    int digits = evk_fl_rng_pct(r, 70) ? 6 : (int)evk_fl_rng_range(r, 1, 9);
    char frac[16];
    for (int i = 0; i < digits; i++) frac[i] = (char)('0' + evk_fl_rng_below(r, 10));
    frac[digits] = '\0';
    char off[16];
    unsigned form = (unsigned)evk_fl_rng_below(r, 10);
    int oh = (int)evk_fl_rng_below(r, 24), om = (int)PICK(r, ((const int[]){0, 0, 30, 45, 59}));
    char sign = evk_fl_rng_pct(r, 50) ? '+' : '-';
    if (form < 6) snprintf(off, sizeof off, "+0000");
    else if (form < 8) snprintf(off, sizeof off, "%c%02d%02d", sign, oh, om);
    else if (form < 9) snprintf(off, sizeof off, "%c%02d:%02d", sign, oh, om);
    else snprintf(off, sizeof off, "Z");
    snprintf(buf, cap, "\"%04d-%02d-%02dT%02d:%02d:%02d.%s%s\"", y, mo, d, h, mi, s, frac, off);
}

void evk_fl_ts_invalid(evk_fl_rng *r, char *buf, size_t cap)
{
    static const char *const fixed[] = {
        "2026-13-05T15:34:02.123456+0000", "2026-00-05T15:34:02.123456+0000",
        "2026-01-32T15:34:02.123456+0000", "2026-01-00T15:34:02.123456+0000",
        "2025-02-29T15:34:02.123456+0000", "2100-02-29T00:00:00.000000+0000",
        "2026-04-31T15:34:02.123456+0000", "2026-01-05T24:00:00.000000+0000",
        "2026-01-05T15:60:02.123456+0000", "2026-01-05T15:34:61.123456+0000",
        "2026-01-05T15:34:02.123456+2400", "2026-01-05T15:34:02.123456+0060",
        "2026-01-05t15:34:02.123456+0000", "2026-01-05T15:34:02.123456z",
        "2026-01-05", "15:34:02", "2026-01-05 15:34:02.123456+0000", "",
        "2026-01-05T15:34:02.1234567890+0000", "2026-01-05T15:34:02.+0000",
        "2026-1-5T15:34:02.123456+0000", " 2026-01-05T15:34:02.123456+0000",
        "2026-01-05T15:34:02.123456+0000 ", "2026-01-05T15:34:02.123456+00000",
        "2026-01-05T15:34:02.123456+00:000", "now", "1767627242",
        "2026-01-05T15:34:02.123456+0000\\u0000", "\\uff12026-01-05T15:34:02.123456+0000",
        "2026-01-05T15:34:02.12a456+0000", "2026-01-05T15:34:02.123456++0000",
        "+2026-01-05T15:34:02.123456+0000", "2026-01-05TT15:34:02.123456+0000",
        "2026-W02-1T15:34:02.123456+0000", "2026-005T15:34:02.123456+0000",
    };
    for (int tries = 0; tries < 8; tries++) {
        char t[96];
        if (evk_fl_rng_pct(r, 70)) {
            snprintf(t, sizeof t, "%s", PICK(r, fixed));
        } else {
            /* A valid one with one character changed or removed. */
            char v[64];
            evk_fl_ts_valid(r, v, sizeof v);
            size_t n = strlen(v) - 2;
            memmove(v, v + 1, n);
            v[n] = '\0';
            size_t at = (size_t)evk_fl_rng_below(r, n);
            if (evk_fl_rng_pct(r, 50)) memmove(v + at, v + at + 1, n - at);
            else v[at] = PICK(r, ((const char[]){'x', '9', ':', '-', 'T', '.', ' ', '/', '7'}));
            snprintf(t, sizeof t, "%s", v);
        }
        /* Only what the validator calls invalid: lenient forms are the peer's choice. */
        char raw[96];
        size_t rl = 0;
        if (evk_json_unescape(t, strlen(t), raw, sizeof raw, &rl) < 0) rl = 0;
        if (evk_ts_classify(raw, rl) == EVK_TS_INVALID || tries == 7) {
            snprintf(buf, cap, "\"%s\"", t);
            if (evk_ts_classify(raw, rl) == EVK_TS_INVALID) return;
        }
    }
    snprintf(buf, cap, "\"not a timestamp\"");
}

void evk_fl_uuid_invalid(evk_fl_rng *r, const char *uuid, char *buf, size_t cap)
{
    char v[128];
    snprintf(v, sizeof v, "%s", uuid);
    size_t n = strlen(v);
    switch (evk_fl_rng_below(r, 14)) {
    case 0: snprintf(buf, cap, "\"{%s}\"", v); return;
    case 1: snprintf(buf, cap, "\"urn:uuid:%s\"", v); return;
    case 2: { /* no hyphens */
        char c[64];
        size_t k = 0;
        for (size_t i = 0; i < n && k + 1 < sizeof c; i++)
            if (v[i] != '-') c[k++] = v[i];
        c[k] = '\0';
        snprintf(buf, cap, "\"%s\"", c);
        return;
    }
    case 3: v[evk_fl_rng_below(r, n)] = PICK(r, ((const char[]){'g', 'G', 'z', ' ', '_', '.'})); break;
    case 4: v[n - 1] = '\0'; break;                      /* 35 characters */
    case 5: snprintf(buf, cap, "\"%s0\"", v); return;    /* 37 */
    case 6: snprintf(buf, cap, "\"%s\\u0000x\"", v); return; /* a NUL inside */
    case 7: snprintf(buf, cap, "\" %s\"", v); return;
    case 8: { /* a hyphen moved */
        char t = v[8];
        v[8] = v[9];
        v[9] = t;
        break;
    }
    case 9: snprintf(buf, cap, "\"\""); return;
    case 10: snprintf(buf, cap, "\"00000000-0000-0000-0000-00000000000\""); return;
    case 11: snprintf(buf, cap, "\"%s\\n\"", v); return;
    case 12: v[8] = v[13] = v[18] = v[23] = ':'; break;
    default: snprintf(buf, cap, "\"%.*s\"", (int)(n / 2), v); return;
    }
    snprintf(buf, cap, "\"%s\"", v);
}

void evk_fl_escape_string(evk_fl_rng *r, const char *s, char *buf, size_t cap)
{
    out o = {buf, 0, cap, false};
    bool all = evk_fl_rng_pct(r, 30);
    puts_(&o, "\"");
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
        if ((all || letter) && c >= 0x20 && c < 0x7f && c != '"' && c != '\\' && evk_fl_rng_pct(r, 60)) {
            char e[8];
            snprintf(e, sizeof e, evk_fl_rng_pct(r, 50) ? "\\u%04x" : "\\u%04X", c);
            puts_(&o, e);
        } else {
            put(&o, (const char *)&c, 1);
        }
    }
    puts_(&o, "\"");
}

void evk_fl_uuid_valid_variant(evk_fl_rng *r, const char *uuid, char *buf, size_t cap)
{
    char v[40];
    snprintf(v, sizeof v, "%s", uuid);
    unsigned how = (unsigned)evk_fl_rng_below(r, 3);
    for (char *c = v; *c; c++)
        if (*c >= 'a' && *c <= 'f' && (how == 0 || (how == 1 && evk_fl_rng_pct(r, 50)))) *c = (char)(*c - 'a' + 'A');
    if (how == 2) evk_fl_escape_string(r, v, buf, cap);
    else snprintf(buf, cap, "\"%s\"", v);
}

void evk_fl_value_not_of(evk_fl_rng *r, unsigned allowed, char *buf, size_t cap)
{
    static const struct { unsigned type; const char *text; } values[] = {
        {EVK_JT_NULL, "null"},        {EVK_JT_BOOL, "true"},       {EVK_JT_BOOL, "false"},
        {EVK_JT_NUMBER, "0"},         {EVK_JT_NUMBER, "-1.5e3"},   {EVK_JT_NUMBER, "42"},
        {EVK_JT_STRING, "\"\""},      {EVK_JT_STRING, "\"event\""}, {EVK_JT_STRING, "\"x\""},
        {EVK_JT_ARRAY, "[]"},         {EVK_JT_ARRAY, "[\"event\"]"}, {EVK_JT_OBJECT, "{}"},
        {EVK_JT_OBJECT, "{\"id\":1}"},
    };
    size_t n = EVK_COUNTOF(values), start = (size_t)evk_fl_rng_below(r, n);
    for (size_t k = 0; k < n; k++) {
        size_t i = (start + k) % n;
        if (!(values[i].type & allowed)) {
            snprintf(buf, cap, "%s", values[i].text);
            return;
        }
    }
    snprintf(buf, cap, "null");
}

void evk_fl_value_any(evk_fl_rng *r, int depth, char *buf, size_t cap)
{
    static const char *const leaves[] = {
        "null", "true", "false", "0", "-0", "1e308", "-2.5E-3", "123456789012345678901234567890",
        "\"\"", "\"hi\"", "\"caf\\u00e9 \\ud83d\\ude00\"", "\"\\\"quoted\\\" \\\\ \\/\"", "\"\xc3\xa9t\xc3\xa9\"",
        "\"\\b\\f\\n\\r\\t\"", "\"\xf0\x9f\x98\x80\"", "[]", "{}",
    };
    if (depth <= 0 || cap < 64 || evk_fl_rng_pct(r, 60)) {
        snprintf(buf, cap, "%s", PICK(r, leaves));
        return;
    }
    out o = {buf, 0, cap, false};
    bool obj = evk_fl_rng_pct(r, 50);
    int n = (int)evk_fl_rng_below(r, 4);
    puts_(&o, obj ? "{" : "[");
    for (int i = 0; i < n; i++) {
        char v[256];
        if (i) puts_(&o, ",");
        if (obj) {
            char k[48];
            snprintf(k, sizeof k, "\"k%d\":", (int)evk_fl_rng_below(r, 1000) * 10 + i);
            puts_(&o, k);
        }
        evk_fl_value_any(r, depth - 1, v, sizeof v);
        if (o.len + strlen(v) + 4 < cap) puts_(&o, v);
        else puts_(&o, "0");
    }
    puts_(&o, obj ? "}" : "]");
    if (o.full) snprintf(buf, cap, "null");
}

void evk_fl_extra_key(evk_fl_rng *r, char *buf, size_t cap)
{
    static const char *const keys[] = {
        "x", "extra", "Type", "ID", "Sent_At", "payload2", "meta", "", "\\u0074ype2", "trace_id",
        "ack", "event", "emitx", "caf\xc3\xa9", "__proto__", "$schema", "n", "reason2", "status_",
    };
    char k[64];
    if (evk_fl_rng_pct(r, 80)) snprintf(k, sizeof k, "%s", PICK(r, keys));
    else snprintf(k, sizeof k, "f%u", (unsigned)evk_fl_rng_below(r, 100000));
    snprintf(buf, cap, "\"%s\"", k);
}

/* ---- the base message ----------------------------------------------- */

static const char *non_fatal_enum(const evk_profile *p, const evk_field *f, evk_fl_rng *r)
{
    const char *pick[EVK_PROFILE_MAX_ENUM];
    size_t n = 0;
    for (size_t k = 0; k < f->n_enum; k++)
        if (!evk_profile_is_fatal(p, f->name, f->enums[k])) pick[n++] = f->enums[k];
    return n ? pick[evk_fl_rng_below(r, n)] : NULL;
}

/* A valid value of field f (not the id or timestamp). */
static void field_value(const evk_profile *p, const evk_field *f, evk_fl_rng *r, char *buf, size_t cap)
{
    unsigned t = f->types;
    if ((t & EVK_JT_STRING) && f->n_enum) {
        const char *e = non_fatal_enum(p, f, r);
        if (e) {
            snprintf(buf, cap, "\"%s\"", e);
            return;
        }
    }
    if ((t & EVK_JT_OBJECT) && strcmp(f->name, "payload") == 0) {
        static const char *const payloads[] = {
            "{}", "{\"seq\":1}", "{\"text\":\"hello\"}", "{\"nested\":{\"a\":[1,2,{\"b\":null}]}}",
            "{\"n\":-0.5e-7,\"ok\":true}", "{\"emoji\":\"\\ud83d\\ude00\"}", "{\"list\":[]}",
        };
        snprintf(buf, cap, "%s", PICK(r, payloads));
        return;
    }
    unsigned order[] = {EVK_JT_STRING, EVK_JT_NULL, EVK_JT_OBJECT, EVK_JT_NUMBER, EVK_JT_BOOL, EVK_JT_ARRAY};
    unsigned start = (unsigned)evk_fl_rng_below(r, 6);
    for (unsigned k = 0; k < 6; k++) {
        unsigned want = order[(start + k) % 6];
        if (!(t & want)) continue;
        switch (want) {
        case EVK_JT_STRING: snprintf(buf, cap, "%s", evk_fl_rng_pct(r, 50) ? "\"\"" : "\"something went fine\""); return;
        case EVK_JT_NULL: snprintf(buf, cap, "null"); return;
        case EVK_JT_OBJECT: snprintf(buf, cap, "{}"); return;
        case EVK_JT_NUMBER: snprintf(buf, cap, "%d", (int)evk_fl_rng_below(r, 100)); return;
        case EVK_JT_BOOL: snprintf(buf, cap, "false"); return;
        default: snprintf(buf, cap, "[]"); return;
        }
    }
    snprintf(buf, cap, "null");
}

void evk_fl_msg_base(evk_fl_msg *m, const evk_profile *p, evk_msg_kind kind, const char *id,
                     evk_fl_rng *r)
{
    const evk_schema *s = kind == EVK_MSG_EVENT ? &p->event : &p->ack;
    char v[EVK_FL_VAL_MAX];
    m->n = 0;
    m->ws = 0;
    snprintf(v, sizeof v, "\"%s\"", s->type_value);
    evk_fl_msg_set(m, p->discriminator, v);
    snprintf(v, sizeof v, "\"%s\"", id);
    evk_fl_msg_set(m, "id", v);
    for (size_t i = 0; i < s->n_fields; i++) {
        const evk_field *f = &s->fields[i];
        if (strcmp(f->name, "id") == 0) continue;
        if (!f->required && evk_fl_rng_pct(r, 60)) continue;
        if (f->format == EVK_FMT_ISO8601) evk_fl_ts_valid(r, v, sizeof v);
        else if (f->format == EVK_FMT_UUID) snprintf(v, sizeof v, "\"%s\"", id);
        else field_value(p, f, r, v, sizeof v);
        evk_fl_msg_set(m, f->name, v);
    }
}

/* ---- bytes ---------------------------------------------------------- */

void evk_fl_mutate_bytes(evk_fl_rng *r, char *t, size_t *lenp, size_t cap)
{
    static const char *const tokens[] = {
        "\"", "\\", "{", "}", "[", "]", ",", ":", " ", "\n", "\x00", "\x7f", "\xff", "\xc0\xaf",
        "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xef\xbb\xbf", "\x80", "\xc3", "NaN", "/*x*/", "'",
        "\\u", "\\ud800", "\\u0000", "null", "-", "0", "1e999", "\t", "\f", "true",
    };
    size_t len = *lenp;
    int ops = (int)evk_fl_rng_range(r, 1, 3);
    for (int k = 0; k < ops; k++) {
        size_t at = len ? (size_t)evk_fl_rng_below(r, len) : 0;
        switch (evk_fl_rng_below(r, 10)) {
        case 0: /* flip a bit */
            if (len) t[at] ^= (char)(1u << evk_fl_rng_below(r, 8));
            break;
        case 1: /* a special byte in place */
            if (len) t[at] = PICK(r, ((const char[]){'"', '\\', '{', '}', ',', ':', 0, '\x7f', '\xff', '\x80', 'A', '0', ' '}));
            break;
        case 2:
        case 3: { /* insert a token */
            const char *tok = PICK(r, tokens);
            size_t tl = tok[0] ? strlen(tok) : 1;
            if (len + tl >= cap) break;
            memmove(t + at + tl, t + at, len - at);
            memcpy(t + at, tok, tl);
            len += tl;
            break;
        }
        case 4: { /* delete a few bytes */
            size_t n = (size_t)evk_fl_rng_range(r, 1, 8);
            if (at + n > len) n = len - at;
            memmove(t + at, t + at + n, len - at - n);
            len -= n;
            break;
        }
        case 5: { /* duplicate a chunk */
            size_t n = (size_t)evk_fl_rng_range(r, 1, 24);
            if (at + n > len) n = len - at;
            if (len + n >= cap) break;
            memmove(t + at + n, t + at, len - at);
            len += n;
            break;
        }
        case 6: /* truncate */
            len = at;
            break;
        case 7: { /* swap two bytes */
            if (!len) break;
            size_t b = (size_t)evk_fl_rng_below(r, len);
            char c = t[at];
            t[at] = t[b];
            t[b] = c;
            break;
        }
        case 8: /* change a digit: often still JSON, values out of range */
            for (size_t i = 0; i < len; i++) {
                size_t j = (at + i) % len;
                if (t[j] >= '0' && t[j] <= '9') {
                    t[j] = (char)('0' + evk_fl_rng_below(r, 10));
                    break;
                }
            }
            break;
        default: /* flip the case of a letter */
            for (size_t i = 0; i < len; i++) {
                size_t j = (at + i) % len;
                char c = t[j];
                if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
                    t[j] = (char)(c ^ 0x20);
                    break;
                }
            }
        }
    }
    for (size_t i = 0; i + 1 < len; i++)
        if (t[i] == '$' && t[i + 1] == '{') t[i + 1] = '(';
    t[len] = '\0';
    *lenp = len;
}
