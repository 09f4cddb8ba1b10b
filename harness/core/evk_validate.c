#include "evk_validate.h"

#include <float.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evk_err.h"
#include "evk_json.h"

static const char *const dupkeys_names[EVK_DUPKEYS__COUNT] = {"first", "last", "reject"};

const char *evk_dupkeys_name(evk_dupkeys d)
{
    return (unsigned)d < EVK_DUPKEYS__COUNT ? dupkeys_names[d] : "unknown";
}

int evk_dupkeys_lookup(const char *name)
{
    for (int d = 0; d < EVK_DUPKEYS__COUNT; d++)
        if (strcmp(dupkeys_names[d], name) == 0) return d;
    return -1;
}

const char *evk_msg_kind_name(evk_msg_kind k)
{
    return k == EVK_MSG_EVENT ? "event" : k == EVK_MSG_ACK ? "ack" : "unknown";
}

/* Longest string value worth decoding: UUIDs, timestamps, enum values. */
#define VALUE_MAX 256

EVK_PRINTF(5, 6)
static int set_violation(evk_message *m, const evk_profile *p, evk_violation v, const char *field,
                         const char *fmt, ...)
{
    m->violation = v;
    m->close_code = evk_profile_send_code(p, v);
    snprintf(m->field, sizeof m->field, "%s", field ? field : "");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(m->reason, sizeof m->reason, fmt, ap);
    va_end(ap);
    return 0;
}

/* A short printable rendering of a decoded value, for reasons. */
static void quote(const char *s, size_t len, char *out, size_t cap)
{
    size_t o = 0;
    const size_t shown = 48;
    out[o++] = '"';
    for (size_t i = 0; i < len && i < shown && o + 6 < cap; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') out[o++] = (char)c;
        else o += (size_t)snprintf(out + o, cap - o, "\\x%02x", c);
    }
    if (len > shown && o + 4 < cap) {
        memcpy(out + o, "...", 3);
        o += 3;
    }
    out[o++] = '"';
    out[o] = '\0';
}

static const char *a_type(evk_jtype t)
{
    switch (t) {
    case EVK_JT_OBJECT: return "an object";
    case EVK_JT_ARRAY: return "an array";
    case EVK_JT_STRING: return "a string";
    case EVK_JT_NUMBER: return "a number";
    case EVK_JT_BOOL: return "a boolean";
    case EVK_JT_NULL: return "null";
    default: return "nothing";
    }
}

static void types_text(unsigned types, char *out, size_t cap)
{
    size_t o = 0;
    out[0] = '\0';
    for (unsigned bit = 1; bit <= EVK_JT_NULL; bit <<= 1) {
        if (!(types & bit)) continue;
        int n = snprintf(out + o, cap - o, "%s%s", o ? " or " : "", a_type((evk_jtype)bit));
        if (n < 0 || (size_t)n >= cap - o) break;
        o += (size_t)n;
    }
}

/* The decoded value of a string member. Without escapes the bytes are the
 * value: no copy (the common case) and no length limit (a lenient timestamp
 * may have any number of fraction digits). With escapes it is decoded into
 * buf: -1 when longer than VALUE_MAX-1. */
static int value_of(const char *text, const evk_jmember *m, char *buf, const char **v, size_t *len)
{
    if (!m->escaped) {
        *v = text + m->off;
        *len = m->len;
        return 0;
    }
    *v = buf;
    return evk_json_unescape(text + m->off, m->len, buf, VALUE_MAX, len);
}


/* id_state: the id field was already parsed (1: a UUID, -1: not), 0: parse it. */
static int check_value(const evk_profile *p, const char *text, const evk_field *f,
                       const evk_jmember *jm, int id_state, evk_message *m)
{
    char buf[VALUE_MAX], q[VALUE_MAX];
    const char *v;
    size_t len;
    if (jm->type != EVK_JT_STRING || (f->format == EVK_FMT_NONE && f->n_enum == 0)) return 0;
    if (value_of(text, jm, buf, &v, &len) < 0)
        return set_violation(m, p, EVK_V_INVALID_VALUE, f->name, "field `%s` is too long (%zu bytes)",
                             f->name, jm->len), 1;
    if (f->format == EVK_FMT_UUID) {
        bool ok = id_state ? id_state > 0 : evk_uuid_parse(v, len, &(evk_uuid){{0}}) == 0;
        if (!ok) {
            quote(v, len, q, sizeof q);
            return set_violation(m, p, EVK_V_INVALID_VALUE, f->name,
                                 "field `%s` is not a canonical UUID: %s", f->name, q), 1;
        }
    }
    if (f->format == EVK_FMT_ISO8601) {
        evk_ts_tier tier = evk_ts_classify(v, len);
        if (strcmp(f->name, "sent_at") == 0) m->sent_at_tier = tier;
        if (tier == EVK_TS_INVALID) {
            quote(v, len, q, sizeof q);
            return set_violation(m, p, EVK_V_INVALID_VALUE, f->name,
                                 "field `%s` is not an ISO 8601 date-time: %s", f->name, q), 1;
        }
        if (tier == EVK_TS_LENIENT) m->notes |= EVK_NOTE_LENIENT_TS;
    }
    if (f->n_enum) {
        for (size_t i = 0; i < f->n_enum; i++)
            if (strlen(f->enums[i]) == len && memcmp(f->enums[i], v, len) == 0) return 0;
        quote(v, len, q, sizeof q);
        return set_violation(m, p, EVK_V_INVALID_VALUE, f->name,
                             "field `%s` is %s, not one of its allowed values", f->name, q), 1;
    }
    return 0;
}

/* Index of name in the want list, adding it when new. */
static size_t want_index(evk_jmember *w, size_t *n, const char *name, size_t len)
{
    for (size_t i = 0; i < *n; i++)
        if (w[i].key_len == len && memcmp(w[i].key, name, len) == 0) return i;
    w[*n].key = name;
    w[*n].key_len = len;
    return (*n)++;
}

int evk_validate(const evk_profile *p, const void *data, size_t len, bool is_text, evk_message *m)
{
    return evk_validate_ex(p, data, len, is_text, EVK_DUPKEYS_FIRST, m);
}

int evk_validate_ex(const evk_profile *p, const void *data, size_t len, bool is_text, evk_dupkeys dup,
                    evk_message *m)
{
    if (!p || !m || (!data && len)) return EVK_EINVAL;
    const char *text = data ? (const char *)data : "";
    memset(m, 0, sizeof *m);
    if (!is_text)
        return set_violation(m, p, EVK_V_NOT_TEXT, NULL,
                             "binary message (%zu bytes): every message must be a text frame", len);

    /* One scan collects the discriminator and every field of both kinds. */
    evk_jmember want[1 + 2 * EVK_PROFILE_MAX_FIELDS];
    size_t nwant = 0;
    size_t di = want_index(want, &nwant, p->discriminator, strlen(p->discriminator));
    size_t idx[2][EVK_PROFILE_MAX_FIELDS];
    const evk_schema *schemas[2] = {&p->event, &p->ack};
    for (int k = 0; k < 2; k++)
        for (size_t i = 0; i < schemas[k]->n_fields; i++)
            idx[k][i] = want_index(want, &nwant, schemas[k]->fields[i].name,
                                   schemas[k]->fields[i].name_len);

    evk_jscan sc;
    unsigned flags = dup == EVK_DUPKEYS_LAST ? EVK_JSCAN_LAST_WINS : 0;
    if (evk_json_scan_opts(text, len, want, nwant, flags, &sc) < 0)
        return set_violation(m, p, EVK_V_NOT_JSON, NULL, "not JSON: %s (byte %zu)", sc.error,
                             sc.error_off);
    if (sc.top != EVK_JT_OBJECT)
        return set_violation(m, p, EVK_V_NOT_JSON, NULL,
                             "not a JSON object: the top-level value is %s", a_type(sc.top));
    if (dup == EVK_DUPKEYS_REJECT && evk_json_has_dup_key(text, len) == 1)
        return set_violation(m, p, EVK_V_NOT_JSON, NULL,
                             "not JSON to this reader: an object has a duplicate key (RFC 8259 §4 lets a parser refuse it)");
    if (sc.notes & EVK_JNOTE_DUP_KEY) m->notes |= EVK_NOTE_DUP_KEY;
    if (sc.notes & EVK_JNOTE_LONE_SURROGATE) m->notes |= EVK_NOTE_LONE_SURROGATE;

    /* The discriminator decides which schema applies. */
    const evk_jmember *dm = &want[di];
    const char *dn = p->discriminator;
    if (dm->type == EVK_JT_NONE)
        return set_violation(m, p, EVK_V_MISSING_FIELD, dn, "field `%s` is missing", dn);
    if (dm->type != EVK_JT_STRING)
        return set_violation(m, p, EVK_V_WRONG_TYPE, dn, "field `%s` must be a string, got %s", dn,
                             a_type(dm->type));
    char buf[VALUE_MAX], q[VALUE_MAX];
    const char *dv = buf;
    size_t blen = 0;
    int k = -1;
    if (value_of(text, dm, buf, &dv, &blen) == 0) {
        for (int i = 0; i < 2; i++)
            if (strlen(schemas[i]->type_value) == blen &&
                memcmp(schemas[i]->type_value, dv, blen) == 0)
                k = i;
    } else {
        dv = "";
    }
    if (k < 0) {
        quote(dv, blen, q, sizeof q);
        return set_violation(m, p, EVK_V_INVALID_VALUE, dn, "field `%s` is %s, expected \"%s\" or \"%s\"",
                             dn, q, p->event.type_value, p->ack.type_value);
    }
    m->kind = k == 0 ? EVK_MSG_EVENT : EVK_MSG_ACK;
    const evk_schema *s = schemas[k];

    /* The id, when readable, is known even if another check fails: a judge
     * uses it to spot an Ack sent for a message that violated the protocol.
     * It is parsed once, here. */
    int id_state = 0;
    size_t id_field = s->n_fields;
    for (size_t i = 0; i < s->n_fields; i++) {
        const evk_jmember *jm = &want[idx[k][i]];
        if (s->fields[i].format != EVK_FMT_UUID || strcmp(s->fields[i].name, "id") != 0) continue;
        id_field = i;
        const char *v;
        if (jm->type == EVK_JT_STRING && value_of(text, jm, buf, &v, &blen) == 0 &&
            evk_uuid_parse(v, blen, &m->id) == 0)
            m->has_id = true;
        id_state = m->has_id ? 1 : -1;
    }

    for (size_t i = 0; i < s->n_fields; i++)
        if (s->fields[i].required && want[idx[k][i]].type == EVK_JT_NONE)
            return set_violation(m, p, EVK_V_MISSING_FIELD, s->fields[i].name,
                                 "field `%s` is missing from the %s", s->fields[i].name,
                                 k == 0 ? "Event" : "Ack");
    for (size_t i = 0; i < s->n_fields; i++) {
        const evk_jmember *jm = &want[idx[k][i]];
        if (jm->type != EVK_JT_NONE && !(jm->type & s->fields[i].types)) {
            char allowed[96];
            types_text(s->fields[i].types, allowed, sizeof allowed);
            return set_violation(m, p, EVK_V_WRONG_TYPE, s->fields[i].name,
                                 "field `%s` must be %s, got %s", s->fields[i].name, allowed,
                                 a_type(jm->type));
        }
    }
    for (size_t i = 0; i < s->n_fields; i++)
        if (check_value(p, text, &s->fields[i], &want[idx[k][i]], i == id_field ? id_state : 0, m)) return 0;

    if (k == 0 && p->has_fatal) {
        for (size_t i = 0; i < s->n_fields; i++) {
            const evk_jmember *jm = &want[idx[k][i]];
            const char *fv;
            if (strcmp(s->fields[i].name, p->fatal_field) == 0 && jm->type == EVK_JT_STRING &&
                value_of(text, jm, buf, &fv, &blen) == 0 && blen == strlen(p->fatal_value) &&
                memcmp(fv, p->fatal_value, blen) == 0)
                return set_violation(m, p, EVK_V_FATAL_STATUS, p->fatal_field,
                                     "the Event has `%s` = \"%s\"", p->fatal_field, p->fatal_value);
        }
    }
    return 0;
}

/* A number span as a double; spans are short except in hostile input. */
static double number_value(const char *s, size_t len)
{
    char small[64];
    char *buf = len < sizeof small ? small : malloc(len + 1);
    if (!buf) return NAN;
    memcpy(buf, s, len);
    buf[len] = '\0';
    double d = strtod(buf, NULL);
    if (buf != small) free(buf);
    return d;
}

int evk_validate_policy(const evk_profile *p, const void *data, size_t len, uint64_t *limit_ms,
                        evk_message *m)
{
    return evk_validate_policy_ex(p, data, len, EVK_DUPKEYS_FIRST, limit_ms, m);
}

int evk_validate_policy_ex(const evk_profile *p, const void *data, size_t len, evk_dupkeys dup,
                           uint64_t *limit_ms, evk_message *m)
{
    if (!p || !data || !limit_ms || !m) return EVK_EINVAL;
    const char *text = data;
    const char *ptr = p->policy_pointer;
    evk_jmember found;
    bool not_object;
    *limit_ms = 0;
    unsigned flags = dup == EVK_DUPKEYS_LAST ? EVK_JSCAN_LAST_WINS : 0;
    if (evk_json_lookup_opts(text, len, ptr, flags, &found, &not_object) < 0)
        return set_violation(m, p, EVK_V_MISSING_FIELD, ptr,
                             "the handshake Event has no ack time-limit policy at %s", ptr);
    if (found.type != EVK_JT_NUMBER)
        return set_violation(m, p, EVK_V_WRONG_TYPE, ptr,
                             "the ack time-limit policy at %s must be a number, got %s", ptr,
                             a_type(found.type));
    double v = number_value(text + found.off, found.len);
    if (!isfinite(v) || v <= 0)
        return set_violation(m, p, EVK_V_INVALID_VALUE, ptr,
                             "the ack time-limit policy at %s must be finite and > 0, got %.*s",
                             ptr, (int)(found.len > 40 ? 40 : found.len), text + found.off);
    /* A decimal text is rarely exact in binary: 2.011 s times 1000 is
     * 2011.0000000000002, which must read as 2011 ms, not 2012. Drop a few
     * ulps of rounding error before rounding up. */
    double ms = ceil(v * p->policy_unit_ms * (1 - 4 * DBL_EPSILON));
    const double cap = 1e15; /* about 31,000 years: "never" for any real run */
    *limit_ms = ms < 1 ? 1 : ms > cap ? (uint64_t)cap : (uint64_t)ms;
    /* The verdict says "valid" whatever the caller's out held before. */
    m->violation = EVK_V_NONE;
    m->close_code = evk_profile_send_code(p, EVK_V_NONE);
    m->field[0] = m->reason[0] = '\0';
    return 0;
}

int evk_json_uint_at(const char *text, size_t len, const char *ptr, uint64_t *value)
{
    evk_jmember found;
    bool not_object;
    if (evk_json_lookup(text, len, ptr, &found, &not_object) < 0 || found.type != EVK_JT_NUMBER)
        return -1;
    double v = number_value(text + found.off, found.len);
    if (!(v >= 0) || v != floor(v) || v > 1e15) return -1;
    *value = (uint64_t)v;
    return 0;
}
