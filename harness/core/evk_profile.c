#include "evk_profile.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evk_err.h"
#include "evk_json.h"

static const char *const violation_keys[] = {
    "none",
#define EVK_X(id, key, text) #key,
    EVK_VIOLATION_MAP(EVK_X)
#undef EVK_X
};
static const char *const violation_texts[] = {
    "no violation",
#define EVK_X(id, key, text) text,
    EVK_VIOLATION_MAP(EVK_X)
#undef EVK_X
};

const char *evk_violation_key(evk_violation v)
{
    return (unsigned)v < EVK_V__COUNT ? violation_keys[v] : "none";
}

const char *evk_violation_text(evk_violation v)
{
    return (unsigned)v < EVK_V__COUNT ? violation_texts[v] : "no violation";
}

/* Loader context: where errors go. */
typedef struct loader {
    const char *origin;
    char *err;
    size_t errcap;
} loader;

/* "a.b" into out (truncated if it must be: it only names a key in errors). */
static const char *join(char *out, size_t cap, const char *a, const char *b)
{
    size_t n = strlen(a);
    if (n >= cap) n = cap - 1;
    memcpy(out, a, n);
    if (n + 1 < cap) out[n++] = '.';
    size_t m = strlen(b);
    if (m > cap - 1 - n) m = cap - 1 - n;
    memcpy(out + n, b, m);
    out[n + m] = '\0';
    return out;
}

EVK_PRINTF(3, 4) static int fail(loader *l, const char *key, const char *fmt, ...)
{
    if (l->err && l->errcap) {
        int n = snprintf(l->err, l->errcap, "%s: %s: ", l->origin, key);
        if (n >= 0 && (size_t)n < l->errcap) {
            va_list ap;
            va_start(ap, fmt);
            vsnprintf(l->err + n, l->errcap - (size_t)n, fmt, ap);
            va_end(ap);
        }
        /* Keys and values from the file may hold control characters ("\n"
         * as a key): the error must stay one printable line. */
        for (char *c = l->err; *c; c++)
            if ((unsigned char)*c < 0x20 || *c == 0x7f) *c = '?';
    }
    return EVK_EPROFILE;
}

/* Does a member before it have its name? (cJSON keeps duplicates and the
 * first wins: a second "x" would be silently ignored.) */
static bool repeated_key(const cJSON *obj, const cJSON *it)
{
    for (const cJSON *o = obj->child; o && o != it; o = o->next)
        if (strcmp(o->string, it->string) == 0) return true;
    return false;
}

/* Every key of obj must be in allowed (NULL-terminated), and only once. */
static int only_keys(loader *l, const cJSON *obj, const char *where, const char *const *allowed)
{
    const cJSON *it;
    cJSON_ArrayForEach(it, obj) {
        if (repeated_key(obj, it)) {
            char key[192];
            snprintf(key, sizeof key, "%s%s%s", where, *where ? "." : "", it->string);
            return fail(l, key, "appears twice");
        }
        bool ok = false;
        for (const char *const *a = allowed; *a; a++)
            if (strcmp(it->string, *a) == 0) ok = true;
        if (!ok) {
            char key[192];
            snprintf(key, sizeof key, "%s%s%s", where, *where ? "." : "", it->string);
            return fail(l, key, "unknown key (typo?)");
        }
    }
    return 0;
}

static int copy_name(loader *l, const char *key, const char *s, char *out, size_t cap)
{
    size_t n = strlen(s);
    if (n == 0) return fail(l, key, "must not be empty");
    if (n >= cap) return fail(l, key, "longer than %zu bytes", cap - 1);
    memcpy(out, s, n + 1);
    return 0;
}

static int get_string(loader *l, const cJSON *obj, const char *name, const char *key,
                      bool required, char *out, size_t cap)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, name);
    if (!v) return required ? fail(l, key, "missing") : 0;
    if (!cJSON_IsString(v)) return fail(l, key, "must be a string");
    return copy_name(l, key, v->valuestring, out, cap);
}

static int parse_type(loader *l, const char *key, const char *s, unsigned *types)
{
    static const struct { const char *name; evk_jtype t; } names[] = {
        {"string", EVK_JT_STRING}, {"number", EVK_JT_NUMBER}, {"object", EVK_JT_OBJECT},
        {"array", EVK_JT_ARRAY},   {"boolean", EVK_JT_BOOL},  {"null", EVK_JT_NULL},
    };
    for (size_t i = 0; i < EVK_COUNTOF(names); i++)
        if (strcmp(s, names[i].name) == 0) {
            *types |= names[i].t;
            return 0;
        }
    return fail(l, key, "unknown JSON type \"%s\" (string, number, object, array, boolean, null)", s);
}

static int load_field(loader *l, const cJSON *spec, const char *key, evk_field *f)
{
    static const char *const allowed[] = {"type", "required", "format", "enum", "description", NULL};
    char sub[256];
    if (!cJSON_IsObject(spec)) return fail(l, key, "a field must be an object");
    if (only_keys(l, spec, key, allowed)) return EVK_EPROFILE;

    const cJSON *t = cJSON_GetObjectItemCaseSensitive(spec, "type");
    join(sub, sizeof sub, key, "type");
    f->types = 0;
    if (!t) return fail(l, sub, "missing");
    if (cJSON_IsString(t)) {
        if (parse_type(l, sub, t->valuestring, &f->types)) return EVK_EPROFILE;
    } else if (cJSON_IsArray(t) && cJSON_GetArraySize(t) > 0) {
        const cJSON *it;
        cJSON_ArrayForEach(it, t) {
            if (!cJSON_IsString(it)) return fail(l, sub, "must list type names as strings");
            if (parse_type(l, sub, it->valuestring, &f->types)) return EVK_EPROFILE;
        }
    } else {
        return fail(l, sub, "must be a type name or a non-empty array of them");
    }

    const cJSON *r = cJSON_GetObjectItemCaseSensitive(spec, "required");
    join(sub, sizeof sub, key, "required");
    if (r && !cJSON_IsBool(r)) return fail(l, sub, "must be true or false");
    f->required = r ? cJSON_IsTrue(r) : false;

    const cJSON *fm = cJSON_GetObjectItemCaseSensitive(spec, "format");
    join(sub, sizeof sub, key, "format");
    f->format = EVK_FMT_NONE;
    if (fm) {
        if (!cJSON_IsString(fm)) return fail(l, sub, "must be a string");
        if (strcmp(fm->valuestring, "uuid") == 0) f->format = EVK_FMT_UUID;
        else if (strcmp(fm->valuestring, "iso8601") == 0) f->format = EVK_FMT_ISO8601;
        else return fail(l, sub, "unknown format \"%s\" (uuid, iso8601)", fm->valuestring);
        if (!(f->types & EVK_JT_STRING)) return fail(l, sub, "a format needs the type string");
    }

    const cJSON *e = cJSON_GetObjectItemCaseSensitive(spec, "enum");
    join(sub, sizeof sub, key, "enum");
    f->n_enum = 0;
    if (e) {
        if (!cJSON_IsArray(e) || cJSON_GetArraySize(e) == 0)
            return fail(l, sub, "must be a non-empty array of strings");
        if (f->types != EVK_JT_STRING) return fail(l, sub, "an enumeration needs the type string alone");
        if (f->format != EVK_FMT_NONE) return fail(l, sub, "cannot be combined with a format");
        const cJSON *it;
        cJSON_ArrayForEach(it, e) {
            if (!cJSON_IsString(it)) return fail(l, sub, "must be a non-empty array of strings");
            if (f->n_enum == EVK_PROFILE_MAX_ENUM)
                return fail(l, sub, "more than %d values", EVK_PROFILE_MAX_ENUM);
            if (copy_name(l, sub, it->valuestring, f->enums[f->n_enum], EVK_NAME_MAX))
                return EVK_EPROFILE;
            f->n_enum++;
        }
    }
    return 0;
}

static int load_schema(loader *l, const cJSON *messages, const char *kind, const char *discr,
                       evk_schema *s)
{
    static const char *const allowed[] = {"type_value", "fields", "description", NULL};
    char key[128], sub[256];
    snprintf(key, sizeof key, "messages.%s", kind);
    const cJSON *m = cJSON_GetObjectItemCaseSensitive(messages, kind);
    if (!m) return fail(l, key, "missing (both \"event\" and \"ack\" are needed)");
    if (!cJSON_IsObject(m)) return fail(l, key, "must be an object");
    if (only_keys(l, m, key, allowed)) return EVK_EPROFILE;

    join(sub, sizeof sub, key, "type_value");
    memset(s, 0, sizeof *s);
    strcpy(s->type_value, kind);
    if (get_string(l, m, "type_value", sub, false, s->type_value, sizeof s->type_value))
        return EVK_EPROFILE;

    const cJSON *fields = cJSON_GetObjectItemCaseSensitive(m, "fields");
    join(sub, sizeof sub, key, "fields");
    if (!fields) return fail(l, sub, "missing");
    if (!cJSON_IsObject(fields)) return fail(l, sub, "must be an object of field specs");
    const cJSON *it;
    cJSON_ArrayForEach(it, fields) {
        snprintf(sub, sizeof sub, "%s.fields.%s", key, it->string);
        if (strcmp(it->string, discr) == 0)
            return fail(l, sub, "the discriminator is checked by itself; do not list it");
        if (repeated_key(fields, it)) return fail(l, sub, "appears twice");
        if (s->n_fields == EVK_PROFILE_MAX_FIELDS)
            return fail(l, sub, "more than %d fields", EVK_PROFILE_MAX_FIELDS);
        evk_field *f = &s->fields[s->n_fields];
        if (copy_name(l, sub, it->string, f->name, sizeof f->name)) return EVK_EPROFILE;
        f->name_len = strlen(f->name);
        if (load_field(l, it, sub, f)) return EVK_EPROFILE;
        s->n_fields++;
    }
    return 0;
}

/* A close code that a peer may send: 1000-4999 without the reserved ones. */
static bool sendable(int c)
{
    return c >= 1000 && c <= 4999 && c != 1004 && c != 1005 && c != 1006 && c != 1015 &&
           !(c >= 1016 && c <= 2999);
}

static int parse_code_item(loader *l, const char *key, const cJSON *it, evk_codes *c)
{
    int lo, hi;
    if (cJSON_IsNumber(it)) {
        double d = it->valuedouble;
        if (d != floor(d) || d < 1000 || d > 4999) return fail(l, key, "a close code must be an integer 1000-4999");
        lo = hi = (int)d;
    } else if (cJSON_IsString(it)) {
        char tail;
        if (sscanf(it->valuestring, "%d-%d%c", &lo, &hi, &tail) != 2 || lo > hi || lo < 1000 ||
            hi > 4999)
            return fail(l, key, "\"%s\" is not a range \"lo-hi\" within 1000-4999", it->valuestring);
    } else {
        return fail(l, key, "expected a code, a \"lo-hi\" range or an array of them");
    }
    if (c->n == EVK_PROFILE_MAX_RANGES) return fail(l, key, "more than %d codes or ranges", EVK_PROFILE_MAX_RANGES);
    c->r[c->n].lo = lo;
    c->r[c->n].hi = hi;
    c->n++;
    return 0;
}

static int load_codes(loader *l, const cJSON *spec, const char *key, evk_codes *c)
{
    memset(c, 0, sizeof *c);
    char sub[160];
    if (cJSON_IsNumber(spec)) {
        if (parse_code_item(l, key, spec, c)) return EVK_EPROFILE;
        c->send = c->r[0].lo;
    } else if (cJSON_IsObject(spec)) {
        static const char *const allowed[] = {"accept", "send", NULL};
        if (only_keys(l, spec, key, allowed)) return EVK_EPROFILE;
        const cJSON *acc = cJSON_GetObjectItemCaseSensitive(spec, "accept");
        join(sub, sizeof sub, key, "accept");
        if (!acc) return fail(l, sub, "missing");
        if (cJSON_IsArray(acc)) {
            const cJSON *it;
            if (cJSON_GetArraySize(acc) == 0) return fail(l, sub, "must not be empty");
            cJSON_ArrayForEach(it, acc) if (parse_code_item(l, sub, it, c)) return EVK_EPROFILE;
        } else if (parse_code_item(l, sub, acc, c)) {
            return EVK_EPROFILE;
        }
        const cJSON *snd = cJSON_GetObjectItemCaseSensitive(spec, "send");
        join(sub, sizeof sub, key, "send");
        if (snd) {
            /* Range first: casting 1e300 (or inf) to int is undefined. */
            if (!cJSON_IsNumber(snd) || snd->valuedouble != floor(snd->valuedouble) ||
                snd->valuedouble < 0 || snd->valuedouble > 65535)
                return fail(l, sub, "must be an integer close code");
            c->send = (int)snd->valuedouble;
        } else if (c->r[0].lo == c->r[0].hi) {
            c->send = c->r[0].lo;
        } else {
            return fail(l, sub, "missing (needed when the first accepted entry is a range)");
        }
    } else {
        return fail(l, key, "expected a close code or {\"accept\": ..., \"send\": code}");
    }
    if (!sendable(c->send)) return fail(l, key, "%d cannot be sent in a close frame", c->send);
    bool in = false;
    for (size_t i = 0; i < c->n; i++)
        if (c->send >= c->r[i].lo && c->send <= c->r[i].hi) in = true;
    if (!in) return fail(l, key, "the sent code %d is not among the accepted ones", c->send);
    return 0;
}

static int load_pointer(loader *l, const cJSON *obj, const char *key, char *out)
{
    const cJSON *p = cJSON_GetObjectItemCaseSensitive(obj, "pointer");
    char sub[160];
    join(sub, sizeof sub, key, "pointer");
    if (!p) return fail(l, sub, "missing");
    if (!cJSON_IsString(p) || p->valuestring[0] != '/')
        return fail(l, sub, "must be a JSON pointer such as \"/payload/ack_timeout\"");
    return copy_name(l, sub, p->valuestring, out, EVK_POINTER_MAX);
}

static int load_choice(loader *l, const cJSON *root, const char *key, const char *yes,
                       const char *no, bool *out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, key);
    if (!v) return fail(l, key, "missing (\"%s\" or \"%s\")", yes, no);
    if (cJSON_IsString(v) && strcmp(v->valuestring, yes) == 0) *out = true;
    else if (cJSON_IsString(v) && strcmp(v->valuestring, no) == 0) *out = false;
    else return fail(l, key, "must be \"%s\" or \"%s\"", yes, no);
    return 0;
}

/* The handshake phase (PROTOCOL.md §1, §6): where its Event carries the ack
 * time-limit policy and whether early messages are violations; or, with
 * "handshake": null, no such phase and a fixed "ack_limit_ms". */
static int load_handshake(loader *l, const cJSON *root, evk_profile *p)
{
    const cJSON *hs = cJSON_GetObjectItemCaseSensitive(root, "handshake");
    const cJSON *fixed = cJSON_GetObjectItemCaseSensitive(root, "ack_limit_ms");
    if (hs && !cJSON_IsNull(hs))
        return fail(l, "handshake", "must be null (a peer without a handshake phase) or left out");
    p->has_handshake = hs == NULL;
    if (!p->has_handshake) {
        static const char *const excluded[] = {"ack_timeout_policy", "early_message"};
        for (size_t i = 0; i < 2; i++)
            if (cJSON_GetObjectItemCaseSensitive(root, excluded[i]))
                return fail(l, excluded[i], "not allowed with \"handshake\": null (it describes a handshake phase)");
        if (!fixed)
            return fail(l, "ack_limit_ms", "missing (\"handshake\": null needs the fixed ack limit, an integer > 0 in ms)");
        if (!cJSON_IsNumber(fixed) || fixed->valuedouble != floor(fixed->valuedouble) ||
            !(fixed->valuedouble >= 1 && fixed->valuedouble <= 1e12))
            return fail(l, "ack_limit_ms", "must be an integer > 0 (milliseconds)");
        p->ack_limit_ms = (uint64_t)fixed->valuedouble;
        p->early_message_is_violation = false;
        return 0;
    }
    if (fixed) return fail(l, "ack_limit_ms", "only with \"handshake\": null (otherwise the handshake Event declares the limit)");

    const cJSON *pol = cJSON_GetObjectItemCaseSensitive(root, "ack_timeout_policy");
    if (!pol) return fail(l, "ack_timeout_policy", "missing");
    if (!cJSON_IsObject(pol)) return fail(l, "ack_timeout_policy", "must be an object");
    static const char *const pol_keys[] = {"pointer", "unit", NULL};
    if (only_keys(l, pol, "ack_timeout_policy", pol_keys)) return EVK_EPROFILE;
    if (load_pointer(l, pol, "ack_timeout_policy", p->policy_pointer)) return EVK_EPROFILE;
    const cJSON *unit = cJSON_GetObjectItemCaseSensitive(pol, "unit");
    if (!unit) return fail(l, "ack_timeout_policy.unit", "missing (\"s\" or \"ms\")");
    if (cJSON_IsString(unit) && strcmp(unit->valuestring, "s") == 0) p->policy_unit_ms = 1000;
    else if (cJSON_IsString(unit) && strcmp(unit->valuestring, "ms") == 0) p->policy_unit_ms = 1;
    else return fail(l, "ack_timeout_policy.unit", "must be \"s\" or \"ms\"");
    return load_choice(l, root, "early_message", "violation", "informational", &p->early_message_is_violation);
}

static int load_root(loader *l, const cJSON *root, evk_profile *p)
{
    static const char *const allowed[] = {
        "name", "description", "discriminator", "messages", "close_codes", "ack_timeout_policy",
        "early_message", "silence_after_violation", "fatal_status", "trigger", "handshake",
        "ack_limit_ms", "$comment", NULL};
    if (!cJSON_IsObject(root)) return fail(l, "(top level)", "a profile must be a JSON object");
    if (only_keys(l, root, "", allowed)) return EVK_EPROFILE;

    if (get_string(l, root, "name", "name", true, p->name, sizeof p->name)) return EVK_EPROFILE;
    const cJSON *d = cJSON_GetObjectItemCaseSensitive(root, "description");
    if (d && !cJSON_IsString(d)) return fail(l, "description", "must be a string");
    if (d && strlen(d->valuestring) >= sizeof p->description)
        return fail(l, "description", "longer than %zu bytes", sizeof p->description - 1);
    if (d) snprintf(p->description, sizeof p->description, "%s", d->valuestring);
    if (get_string(l, root, "discriminator", "discriminator", true, p->discriminator,
                   sizeof p->discriminator))
        return EVK_EPROFILE;

    const cJSON *msgs = cJSON_GetObjectItemCaseSensitive(root, "messages");
    if (!msgs) return fail(l, "messages", "missing");
    if (!cJSON_IsObject(msgs)) return fail(l, "messages", "must be an object");
    static const char *const kinds[] = {"event", "ack", NULL};
    if (only_keys(l, msgs, "messages", kinds)) return EVK_EPROFILE;
    if (load_schema(l, msgs, "event", p->discriminator, &p->event) ||
        load_schema(l, msgs, "ack", p->discriminator, &p->ack))
        return EVK_EPROFILE;
    if (strcmp(p->event.type_value, p->ack.type_value) == 0)
        return fail(l, "messages.ack.type_value", "must differ from the Event's");
    for (int k = 0; k < 2; k++) {
        const evk_schema *s = k ? &p->ack : &p->event;
        bool has_id = false;
        for (size_t i = 0; i < s->n_fields; i++)
            if (strcmp(s->fields[i].name, "id") == 0 && s->fields[i].required &&
                s->fields[i].format == EVK_FMT_UUID)
                has_id = true;
        if (!has_id)
            return fail(l, k ? "messages.ack.fields.id" : "messages.event.fields.id",
                        "a required \"id\" field with format \"uuid\" is needed");
    }

    const cJSON *codes = cJSON_GetObjectItemCaseSensitive(root, "close_codes");
    if (!codes) return fail(l, "close_codes", "missing");
    if (!cJSON_IsObject(codes)) return fail(l, "close_codes", "must be an object");
    const char *ckeys[EVK_V__COUNT + 1];
    for (int v = 1; v < EVK_V__COUNT; v++) ckeys[v - 1] = evk_violation_key((evk_violation)v);
    ckeys[EVK_V__COUNT - 1] = NULL;
    if (only_keys(l, codes, "close_codes", ckeys)) return EVK_EPROFILE;

    if (load_handshake(l, root, p)) return EVK_EPROFILE;
    if (load_choice(l, root, "silence_after_violation", "required", "recommended", &p->silence_required))
        return EVK_EPROFILE;

    const cJSON *fatal = cJSON_GetObjectItemCaseSensitive(root, "fatal_status");
    p->has_fatal = fatal && !cJSON_IsNull(fatal);
    if (p->has_fatal) {
        static const char *const fk[] = {"field", "value", NULL};
        if (!cJSON_IsObject(fatal))
            return fail(l, "fatal_status", "must be null or {\"field\": ..., \"value\": ...}");
        if (only_keys(l, fatal, "fatal_status", fk) ||
            get_string(l, fatal, "field", "fatal_status.field", true, p->fatal_field,
                       sizeof p->fatal_field) ||
            get_string(l, fatal, "value", "fatal_status.value", true, p->fatal_value,
                       sizeof p->fatal_value))
            return EVK_EPROFILE;
        bool known = false, other_value = false;
        for (size_t i = 0; i < p->event.n_fields; i++) {
            const evk_field *f = &p->event.fields[i];
            if (strcmp(f->name, p->fatal_field) != 0) continue;
            known = true;
            other_value = f->n_enum == 0 || !f->required;
            for (size_t e = 0; e < f->n_enum; e++)
                if (strcmp(f->enums[e], p->fatal_value) != 0) other_value = true;
        }
        if (!known) return fail(l, "fatal_status.field", "\"%s\" is not a field of the Event", p->fatal_field);
        if (!other_value) /* then no Event could ever be valid */
            return fail(l, "fatal_status.value", "\"%s\" is the only value the required field allows",
                        p->fatal_value);
    }

    for (int v = 1; v < EVK_V__COUNT; v++) {
        const char *k = evk_violation_key((evk_violation)v);
        char key[64];
        snprintf(key, sizeof key, "close_codes.%s", k);
        const cJSON *spec = cJSON_GetObjectItemCaseSensitive(codes, k);
        if (!spec) {
            if (v == EVK_V_FATAL_STATUS && !p->has_fatal) continue;
            if (v == EVK_V_EARLY_MESSAGE && !p->has_handshake) continue; /* no handshake, no early message */
            return fail(l, key, "missing");
        }
        if (load_codes(l, spec, key, &p->codes[v])) return EVK_EPROFILE;
    }

    const cJSON *trig = cJSON_GetObjectItemCaseSensitive(root, "trigger");
    p->has_trigger = trig && !cJSON_IsNull(trig);
    if (p->has_trigger) {
        static const char *const tk[] = {"pointer", NULL};
        if (!cJSON_IsObject(trig)) return fail(l, "trigger", "must be null or {\"pointer\": ...}");
        if (only_keys(l, trig, "trigger", tk) || load_pointer(l, trig, "trigger", p->trigger_pointer))
            return EVK_EPROFILE;
    }
    return 0;
}

int evk_profile_load_json(evk_profile *p, const char *text, size_t len, const char *origin,
                          char *err, size_t errcap)
{
    loader l = {origin ? origin : "profile", err, errcap};
    if (!p || !text) return fail(&l, "(top level)", "no text");
    /* cJSON is lenient (see evk_json.h); profiles get the same strict check. */
    evk_jscan sc;
    if (evk_json_scan(text, len, NULL, 0, &sc) < 0)
        return fail(&l, "(syntax)", "not valid JSON: %s at byte %zu", sc.error, sc.error_off);
    cJSON *root = cJSON_ParseWithLength(text, len);
    if (!root) return fail(&l, "(syntax)", "not valid JSON (or nested too deeply)");
    evk_profile tmp;
    memset(&tmp, 0, sizeof tmp);
    int rc = load_root(&l, root, &tmp);
    cJSON_Delete(root);
    if (rc == 0) *p = tmp;
    return rc;
}

int evk_profile_load(evk_profile *p, const char *name_or_path, char *err, size_t errcap)
{
    const char *builtin = evk_profile_builtin_text(name_or_path);
    if (builtin) return evk_profile_load_json(p, builtin, strlen(builtin), name_or_path, err, errcap);

    loader l = {name_or_path, err, errcap};
    FILE *f = fopen(name_or_path, "rb");
    if (!f) {
        if (!strchr(name_or_path, '/') && !strstr(name_or_path, ".json")) {
            char names[160] = "";
            size_t o = 0;
            for (const char *const *n = evk_profile_builtin_names(); *n && o < sizeof names; n++)
                o += (size_t)snprintf(names + o, sizeof names - o, "%s%s", o ? ", " : "", *n);
            return fail(&l, "(file)", "no such profile (built in: %s; or give a path)", names);
        }
        return fail(&l, "(file)", "cannot open: %s", strerror(errno));
    }
    const size_t max = 1 << 20; /* a profile is a few KiB; refuse anything huge */
    char *buf = malloc(max + 1);
    if (!buf) {
        fclose(f);
        return fail(&l, "(file)", "out of memory");
    }
    size_t n = fread(buf, 1, max + 1, f);
    int rd_err = ferror(f);
    fclose(f);
    int rc;
    if (rd_err) rc = fail(&l, "(file)", "read error");
    else if (n > max) rc = fail(&l, "(file)", "larger than 1 MiB");
    else rc = evk_profile_load_json(p, buf, n, name_or_path, err, errcap);
    free(buf);
    return rc;
}

bool evk_profile_accepts(const evk_profile *p, evk_violation v, int code)
{
    if ((unsigned)v >= EVK_V__COUNT || v == EVK_V_NONE) return false;
    const evk_codes *c = &p->codes[v];
    for (size_t i = 0; i < c->n; i++)
        if (code >= c->r[i].lo && code <= c->r[i].hi) return true;
    return false;
}

bool evk_profile_is_fatal(const evk_profile *p, const char *field, const char *value)
{
    return p->has_fatal && strcmp(field, p->fatal_field) == 0 && strcmp(value, p->fatal_value) == 0;
}

int evk_profile_send_code(const evk_profile *p, evk_violation v)
{
    if ((unsigned)v >= EVK_V__COUNT || v == EVK_V_NONE) return 0;
    return p->codes[v].send;
}

char *evk_profile_codes_text(const evk_profile *p, evk_violation v, char *out, size_t cap)
{
    size_t o = 0;
    out[0] = '\0';
    if ((unsigned)v >= EVK_V__COUNT || v == EVK_V_NONE) return out;
    const evk_codes *c = &p->codes[v];
    for (size_t i = 0; i < c->n && o < cap; i++) {
        int n;
        const char *sep = i == 0 ? "" : " or ";
        if (c->r[i].lo == c->r[i].hi) n = snprintf(out + o, cap - o, "%s%d", sep, c->r[i].lo);
        else n = snprintf(out + o, cap - o, "%sany of %d-%d", sep, c->r[i].lo, c->r[i].hi);
        if (n < 0) break;
        o += (size_t)n;
    }
    return out;
}
