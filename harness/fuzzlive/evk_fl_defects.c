#include "evk_fl_defects.h"

#include <stdio.h>
#include <string.h>

#include "evk_err.h"
#include "evk_fl_msg.h"
#include "evk_json.h"
#include "evk_validate.h"

#define BIT(v) (1u << (unsigned)(v))

/* Validate a clean message of `kind` whose field `name` is value (NULL: absent). */
static evk_violation one_field(const evk_profile *p, evk_msg_kind kind, const char *name, const char *value)
{
    evk_fl_rng r;
    evk_fl_rng_init(&r, 1, 1); /* the same clean message every time */
    evk_fl_msg m;
    evk_fl_msg_base(&m, p, kind, "6f1c7c1e-2f3a-4b5c-9d8e-7f6a5b4c3d2e", &r);
    if (value) {
        if (evk_fl_msg_set(&m, name, value) < 0) return EVK_V_NONE;
    } else {
        evk_fl_msg_drop(&m, name);
    }
    char buf[8192];
    size_t n = evk_fl_msg_write(&m, NULL, buf, sizeof buf);
    if (!n) return EVK_V_NONE;
    evk_message v;
    evk_validate(p, buf, n, true, &v);
    return v.violation;
}

static unsigned schema_defects(const evk_profile *p, evk_msg_kind kind, const char *text, size_t len)
{
    const evk_schema *s = kind == EVK_MSG_EVENT ? &p->event : &p->ack;
    evk_jmember want[EVK_PROFILE_MAX_FIELDS];
    size_t nw = 0;
    for (size_t i = 0; i < s->n_fields && nw < EVK_PROFILE_MAX_FIELDS; i++)
        want[nw++] = (evk_jmember){.key = s->fields[i].name, .key_len = strlen(s->fields[i].name)};
    evk_jscan res;
    if (evk_json_scan(text, len, want, nw, &res) < 0) return 0;
    unsigned bits = 0;
    for (size_t i = 0; i < nw; i++) {
        char v[EVK_FL_VAL_MAX];
        const evk_jmember *w = &want[i];
        if (w->count > 1) continue; /* duplicate keys: informational, not a defect */
        const char *value = NULL;
        if (w->type != EVK_JT_NONE) {
            if (w->type == EVK_JT_STRING) {
                if (w->len + 3 > sizeof v) continue;
                snprintf(v, sizeof v, "\"%.*s\"", (int)w->len, text + w->off);
            } else {
                if (w->len + 1 > sizeof v) continue;
                snprintf(v, sizeof v, "%.*s", (int)w->len, text + w->off);
            }
            value = v;
        }
        evk_violation c = one_field(p, kind, w->key, value);
        if (c != EVK_V_NONE) bits |= BIT(c);
    }
    return bits;
}

unsigned evk_fl_defects(const evk_profile *p, const char *text, size_t len, bool is_text,
                        evk_violation *first)
{
    evk_message m;
    *first = EVK_V_NONE;
    if (!is_text) {
        *first = EVK_V_NOT_TEXT;
        return BIT(EVK_V_NOT_TEXT);
    }
    evk_validate(p, text, len, true, &m);
    *first = m.violation;
    if (m.violation == EVK_V_NONE) return 0;
    unsigned bits = BIT(m.violation);
    if (m.violation == EVK_V_NOT_JSON) return bits;
    if (m.kind != EVK_MSG_NONE) return bits | schema_defects(p, m.kind, text, len);
    /* The kind is unknown (its discriminator is the defect): a peer may
     * still look at the fields every message has first. */
    return bits | schema_defects(p, EVK_MSG_ACK, text, len);
}

bool evk_fl_add_alternatives(evk_case *c, const evk_profile *p, unsigned extra, const int *codes)
{
    bool fit = true;
    size_t nc = 0;
    while (nc < EVK_COUNTOF(c->also_codes) && c->also_codes[nc]) nc++;
    for (int v = 1; v < EVK_V__COUNT; v++) {
        if (!(extra & BIT(v))) continue;
        if (c->also == EVK_V_NONE || c->also == (evk_violation)v) {
            c->also = (evk_violation)v;
            continue;
        }
        int code = evk_profile_send_code(p, (evk_violation)v);
        if (evk_profile_accepts(p, c->also, code)) continue; /* already accepted */
        bool have = false;
        for (size_t k = 0; k < nc; k++) have |= c->also_codes[k] == code;
        if (have) continue;
        if (nc < EVK_COUNTOF(c->also_codes)) c->also_codes[nc++] = code;
        else fit = false;
    }
    for (; codes && *codes; codes++) {
        bool have = c->also != EVK_V_NONE && evk_profile_accepts(p, c->also, *codes);
        for (size_t k = 0; k < nc; k++) have |= c->also_codes[k] == *codes;
        if (have) continue;
        if (nc < EVK_COUNTOF(c->also_codes)) c->also_codes[nc++] = *codes;
        else fit = false;
    }
    return fit;
}
