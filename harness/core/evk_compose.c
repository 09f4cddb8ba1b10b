#include "evk_compose.h"

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "evk_err.h"
#include "evk_json.h"
#include "evk_ts.h"

int evk_neutral_value(const evk_profile *p, const evk_field *f, char *out, size_t cap)
{
    /* The first type allowed, in this order. */
    static const struct { unsigned type; const char *text; } order[] = {
        {EVK_JT_STRING, "\"\""}, {EVK_JT_OBJECT, "{}"}, {EVK_JT_NUMBER, "0"},
        {EVK_JT_BOOL, "false"},  {EVK_JT_NULL, "null"}, {EVK_JT_ARRAY, "[]"},
    };
    const char *word = NULL;
    int n;
    if (f->types & EVK_JT_STRING)
        for (size_t i = 0; i < f->n_enum && !word; i++)
            if (!evk_profile_is_fatal(p, f->name, f->enums[i])) word = f->enums[i];
    if (word) {
        size_t q = evk_json_quote(word, out, cap);
        n = q ? (int)q : -1;
    } else {
        const char *text = "null"; /* a field that allows no type: none is valid */
        for (size_t i = 0; i < sizeof order / sizeof order[0]; i++)
            if (f->types & order[i].type) {
                text = order[i].text;
                break;
            }
        n = snprintf(out, cap, "%s", text);
    }
    if (n < 0 || (size_t)n >= cap) {
        if (cap) out[0] = '\0';
        return EVK_ETOOBIG;
    }
    return n;
}

/* The common part of both kinds: discriminator, id, sent_at, required fields. */
static cJSON *skeleton(const evk_profile *p, const evk_schema *s, const evk_uuid *id,
                       int64_t wall_us)
{
    char ids[EVK_UUID_STRLEN + 1], ts[EVK_TS_BUFSZ];
    evk_uuid_format(id, ids);
    if (evk_ts_format(wall_us, ts) < 0) evk_ts_format(0, ts);
    cJSON *o = cJSON_CreateObject();
    if (!o) return NULL;
    bool ok = cJSON_AddStringToObject(o, p->discriminator, s->type_value) &&
              cJSON_AddStringToObject(o, "id", ids);
    for (size_t i = 0; ok && i < s->n_fields; i++) {
        const evk_field *f = &s->fields[i];
        if (strcmp(f->name, "id") == 0) continue;
        if (f->format == EVK_FMT_ISO8601) ok = cJSON_AddStringToObject(o, f->name, ts) != NULL;
        else if (f->format == EVK_FMT_UUID) ok = cJSON_AddStringToObject(o, f->name, ids) != NULL;
        else if (f->required) {
            char nv[EVK_NEUTRAL_MAX];
            cJSON *v = evk_neutral_value(p, f, nv, sizeof nv) < 0 ? NULL : cJSON_Parse(nv);
            ok = v && cJSON_AddItemToObject(o, f->name, v);
        }
    }
    if (!ok) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

static int print(cJSON *o, char *out, size_t cap, size_t *len)
{
    /* cJSON_PrintPreallocated wants 5 spare bytes for its number printing. */
    if (cap < 8 || !cJSON_PrintPreallocated(o, out, (int)(cap - 5), 0)) {
        cJSON_Delete(o);
        return EVK_ETOOBIG;
    }
    cJSON_Delete(o);
    if (len) *len = strlen(out);
    return 0;
}

int evk_compose_ack(const evk_profile *p, const evk_uuid *id, int64_t wall_us, char *out,
                    size_t cap, size_t *len)
{
    /* Fast path for the shipped Ack shape: {"type":"ack","id":...,"sent_at":...}. */
    const evk_field *f = p->ack.fields;
    if (p->ack.n_fields == 2 && strcmp(p->discriminator, "type") == 0 &&
        strcmp(p->ack.type_value, "ack") == 0 && strcmp(f[0].name, "id") == 0 &&
        strcmp(f[1].name, "sent_at") == 0 && f[1].format == EVK_FMT_ISO8601) {
        char ids[EVK_UUID_STRLEN + 1], t[EVK_TS_BUFSZ];
        evk_uuid_format(id, ids);
        if (evk_ts_format(wall_us, t) < 0) evk_ts_format(0, t);
        int n = snprintf(out, cap, "{\"type\":\"ack\",\"id\":\"%s\",\"sent_at\":\"%s\"}", ids, t);
        if (n < 0 || (size_t)n >= cap) return EVK_ETOOBIG;
        if (len) *len = (size_t)n;
        return 0;
    }
    cJSON *o = skeleton(p, &p->ack, id, wall_us);
    if (!o) return EVK_ENOMEM;
    return print(o, out, cap, len);
}

static cJSON *parse_object(const char *json)
{
    evk_jscan sc;
    size_t n = strlen(json);
    if (evk_json_scan(json, n, NULL, 0, &sc) < 0 || sc.top != EVK_JT_OBJECT) return NULL;
    return cJSON_ParseWithLength(json, n);
}

static int event_with(const evk_profile *p, const evk_uuid *id, int64_t wall_us,
                      const char *payload_json, bool policy, uint64_t limit_ms, char *out,
                      size_t cap, size_t *len)
{
    cJSON *o = skeleton(p, &p->event, id, wall_us);
    if (!o) return EVK_ENOMEM;
    if (payload_json) {
        cJSON *pl = parse_object(payload_json);
        if (!pl) {
            cJSON_Delete(o);
            return EVK_EINVAL;
        }
        if (cJSON_GetObjectItemCaseSensitive(o, "payload")) cJSON_ReplaceItemInObjectCaseSensitive(o, "payload", pl);
        else cJSON_AddItemToObject(o, "payload", pl);
    }
    if (policy) {
        /* Walk the pointer, creating objects, and put the number at its end. */
        cJSON *cur = o;
        const char *ptr = p->policy_pointer;
        while (*ptr == '/') {
            char tok[EVK_POINTER_MAX];
            size_t tl = 0;
            for (ptr++; *ptr && *ptr != '/'; ptr++) {
                char c = *ptr;
                if (c == '~' && (ptr[1] == '0' || ptr[1] == '1')) c = *++ptr == '0' ? '~' : '/';
                tok[tl++] = c;
            }
            tok[tl] = '\0';
            cJSON *next = cJSON_GetObjectItemCaseSensitive(cur, tok);
            if (*ptr == '\0') {
                cJSON *num = cJSON_CreateNumber(evk_policy_value(p, limit_ms));
                if (next) cJSON_ReplaceItemInObjectCaseSensitive(cur, tok, num);
                else cJSON_AddItemToObject(cur, tok, num);
            } else {
                if (!cJSON_IsObject(next)) {
                    if (next) cJSON_DeleteItemFromObjectCaseSensitive(cur, tok);
                    next = cJSON_AddObjectToObject(cur, tok);
                }
                if (!next) {
                    cJSON_Delete(o);
                    return EVK_ENOMEM;
                }
                cur = next;
            }
        }
    }
    return print(o, out, cap, len);
}

int evk_compose_event(const evk_profile *p, const evk_uuid *id, int64_t wall_us,
                      const char *payload_json, char *out, size_t cap, size_t *len)
{
    return event_with(p, id, wall_us, payload_json, false, 0, out, cap, len);
}

int evk_compose_handshake(const evk_profile *p, const evk_uuid *id, int64_t wall_us,
                          uint64_t limit_ms, char *out, size_t cap, size_t *len)
{
    return event_with(p, id, wall_us, NULL, true, limit_ms, out, cap, len);
}

double evk_policy_value(const evk_profile *p, uint64_t limit_ms)
{
    return (double)limit_ms / p->policy_unit_ms;
}
