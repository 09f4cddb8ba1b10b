/* fuzz_message: bytes -> evk_validate under both shipped profiles.
 *
 * data[0] holds options (bit 0: the message arrived as a binary frame); the
 * rest is the message. Invariants, all checked on every input:
 *  - the strict scanner (evk_json_scan) and the independent recursive-descent
 *    checker in ref_json.c agree: valid or not, the top-level type, the
 *    first occurrence (type, span) and count of every field name the
 *    profiles use, and the lone-surrogate note;
 *  - the validator is a function of its input: the same verdict twice;
 *  - "not JSON" exactly when the text is not RFC 8259 JSON or not an object;
 *  - a verdict is coherent: the profile's code, a one-line reason, an id on
 *    every valid message;
 *  - a valid message parsed by cJSON and printed again is still valid, the
 *    same kind, id and timestamp tier (skipped where cJSON is known to
 *    change the text: it refuses lone surrogates and nesting over 1000, and
 *    cuts strings at \u0000; docs/json-leniency.md);
 *  - the handshake-policy reader and the trigger reader keep their contracts.
 */
#include <cjson/cJSON.h>
#include <stdbool.h>
#include <string.h>

#include "evk_err.h"
#include "evk_json.h"
#include "evk_validate.h"
#include "fuzz_util.h"
#include "ref_json.h"

/* The names the two profiles look up, and a few tricky ones. */
static const struct {
    const char *name;
    size_t len;
} names[] = {
    {"type", 4},    {"id", 2},     {"sent_at", 7}, {"status", 6},      {"payload", 7},
    {"reason", 6},  {"", 0},       {"a\0b", 3},    {"\xc3\xa9", 2},    {"\xf0\x9f\x98\x80", 4},
    {"\xef\xbf\xbd", 3}, /* U+FFFD: what a lone surrogate in a key decodes to */
};
#define NNAMES (sizeof names / sizeof names[0])

static evk_jtype from_ref(ref_jtype t)
{
    switch (t) {
    case REF_OBJECT: return EVK_JT_OBJECT;
    case REF_ARRAY: return EVK_JT_ARRAY;
    case REF_STRING: return EVK_JT_STRING;
    case REF_NUMBER: return EVK_JT_NUMBER;
    case REF_BOOL: return EVK_JT_BOOL;
    case REF_NULL: return EVK_JT_NULL;
    default: return EVK_JT_NONE;
    }
}

/* The differential check of the scanner. Returns the reference's verdict. */
static ref_result check_scanner(const char *text, size_t len)
{
    evk_jmember want[NNAMES];
    ref_key keys[NNAMES];
    for (size_t i = 0; i < NNAMES; i++) {
        want[i] = (evk_jmember){.key = names[i].name, .key_len = names[i].len};
        keys[i] = (ref_key){.key = names[i].name, .key_len = names[i].len};
    }
    evk_jscan sc;
    ref_result ref;
    int rc = evk_json_scan(text, len, want, NNAMES, &sc);
    ref_json_check(text, len, EVK_JSON_MAX_DEPTH, keys, NNAMES, &ref);
    FZ_CHECK((rc == 0) == ref.valid, "evk_json_scan says %s (%s at byte %zu), the RFC 8259 reference says %s",
             rc == 0 ? "valid" : "invalid", sc.error ? sc.error : "-", sc.error_off,
             ref.valid ? "valid" : "invalid");
    if (rc != 0) {
        FZ_CHECK(sc.error && *sc.error && sc.error_off <= len, "a refusal without a reason or a position");
        return ref;
    }
    FZ_CHECK(sc.top == from_ref(ref.top), "top-level type %s, reference %s", evk_jtype_name(sc.top),
             evk_jtype_name(from_ref(ref.top)));
    FZ_CHECK(!!(sc.notes & EVK_JNOTE_LONE_SURROGATE) == ref.lone_surrogate,
             "lone-surrogate note %d, reference %d", !!(sc.notes & EVK_JNOTE_LONE_SURROGATE),
             ref.lone_surrogate);
    if (sc.top != EVK_JT_OBJECT) return ref;
    bool dup = false;
    for (size_t i = 0; i < NNAMES; i++) {
        const char *n = names[i].name;
        FZ_CHECK(want[i].count == keys[i].count, "member \"%s\": count %u, reference %u", n,
                 want[i].count, keys[i].count);
        FZ_CHECK(want[i].type == from_ref(keys[i].type), "member \"%s\": type %s, reference %s", n,
                 evk_jtype_name(want[i].type), evk_jtype_name(from_ref(keys[i].type)));
        if (keys[i].count)
            FZ_CHECK(want[i].off == keys[i].off && want[i].len == keys[i].len,
                     "member \"%s\": span %zu+%zu, reference %zu+%zu", n, want[i].off, want[i].len,
                     keys[i].off, keys[i].len);
        if (keys[i].count > 1) dup = true;
    }
    FZ_CHECK(!!(sc.notes & EVK_JNOTE_DUP_KEY) == dup, "duplicate-key note %d, reference %d",
             !!(sc.notes & EVK_JNOTE_DUP_KEY), dup);
    return ref;
}

static bool same_verdict(const evk_message *a, const evk_message *b)
{
    return a->kind == b->kind && a->violation == b->violation && a->close_code == b->close_code &&
           strcmp(a->field, b->field) == 0 && strcmp(a->reason, b->reason) == 0 &&
           a->has_id == b->has_id && (!a->has_id || evk_uuid_equal(&a->id, &b->id)) &&
           a->sent_at_tier == b->sent_at_tier && a->notes == b->notes;
}

static void check_coherent(const evk_profile *p, const evk_message *m, bool is_text)
{
    FZ_CHECK(m->close_code == evk_profile_send_code(p, m->violation), "%s: %s closes with %d",
             p->name, evk_violation_key(m->violation), m->close_code);
    FZ_CHECK(memchr(m->reason, '\0', sizeof m->reason) && !strchr(m->reason, '\n'),
             "reason is not one line: %s", m->reason);
    FZ_CHECK(is_text || m->violation == EVK_V_NOT_TEXT, "a binary frame judged %s",
             evk_violation_key(m->violation));
    if (m->violation == EVK_V_NONE) {
        FZ_CHECK(m->reason[0] == '\0' && m->field[0] == '\0', "a valid message with a reason: %s", m->reason);
        FZ_CHECK(m->kind != EVK_MSG_NONE && m->has_id, "%s: a valid message without kind or id", p->name);
        FZ_CHECK(m->sent_at_tier != EVK_TS_INVALID, "a valid message with an invalid sent_at");
    } else {
        FZ_CHECK(m->reason[0] != '\0', "%s: %s without a reason", p->name, evk_violation_key(m->violation));
        FZ_CHECK(m->violation != EVK_V_DUPLICATE_ID && m->violation != EVK_V_UNKNOWN_ACK &&
                     m->violation != EVK_V_ACK_TIMEOUT && m->violation != EVK_V_EARLY_MESSAGE,
                 "the validator judged a flow rule (%s) without the connection's state",
                 evk_violation_key(m->violation));
        FZ_CHECK(m->violation != EVK_V_FATAL_STATUS || p->has_fatal, "fatal status under %s", p->name);
    }
}

/* A valid message, printed again by cJSON, must stay valid and the same. */
static void check_round_trip(const evk_profile *p, const char *text, size_t len, const evk_message *m)
{
    cJSON *root = cJSON_ParseWithLength(text, len);
    if (!root) return; /* cJSON refuses it: lone surrogate, nesting over 1000 */
    char *again = cJSON_PrintUnformatted(root);
    cJSON_Delete(root);
    FZ_CHECK(again != NULL, "cJSON could not print what it parsed");
    evk_message m2;
    FZ_CHECK(evk_validate(p, again, strlen(again), true, &m2) == 0, "evk_validate failed");
    FZ_CHECK(m2.violation == EVK_V_NONE, "%s: valid, but after cJSON's round trip %s: %s\n  now: %s",
             p->name, evk_violation_key(m2.violation), m2.reason, again);
    FZ_CHECK(m2.kind == m->kind && evk_uuid_equal(&m2.id, &m->id) && m2.sent_at_tier == m->sent_at_tier,
             "%s: the round trip changed kind, id or timestamp tier: %s", p->name, again);
    cJSON_free(again);
}

static void check_policy(const evk_profile *p, const char *text, size_t len)
{
    evk_message pm;
    uint64_t ms = 12345;
    memset(&pm, 0, sizeof pm);
    FZ_CHECK(evk_validate_policy(p, text, len, &ms, &pm) == 0, "evk_validate_policy failed");
    evk_violation v = pm.violation;
    FZ_CHECK(v == EVK_V_NONE || v == EVK_V_MISSING_FIELD || v == EVK_V_WRONG_TYPE ||
                 v == EVK_V_INVALID_VALUE,
             "policy verdict %s", evk_violation_key(v));
    FZ_CHECK(v == EVK_V_NONE ? ms >= 1 : ms == 0, "policy %s with limit %llu", evk_violation_key(v),
             (unsigned long long)ms);
    if (v != EVK_V_NONE)
        FZ_CHECK(pm.close_code == evk_profile_send_code(p, v) && pm.reason[0] && !strchr(pm.reason, '\n'),
                 "policy verdict without its code or reason");
    uint64_t k = 777;
    if (p->has_trigger && evk_json_uint_at(text, len, p->trigger_pointer, &k) == 0)
        FZ_CHECK(k <= 1000000000000000ull, "trigger count %llu", (unsigned long long)k);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    bool is_text = !(data[0] & 1);
    const char *text = (const char *)data + 1;
    size_t len = size - 1;

    ref_result ref = check_scanner(text, len);
    for (int which = FZ_SEED; which <= FZ_STRICT; which++) {
        const evk_profile *p = fz_profile(which);
        evk_message a, b;
        FZ_CHECK(evk_validate(p, text, len, is_text, &a) == 0, "evk_validate failed");
        FZ_CHECK(evk_validate(p, text, len, is_text, &b) == 0, "evk_validate failed");
        FZ_CHECK(same_verdict(&a, &b), "%s: two verdicts for one input: %s / %s", p->name, a.reason, b.reason);
        check_coherent(p, &a, is_text);
        if (!is_text) continue;
        bool not_json = !ref.valid || ref.top != REF_OBJECT;
        FZ_CHECK((a.violation == EVK_V_NOT_JSON) == not_json,
                 "%s: verdict %s (%s), but the reference says %s", p->name,
                 evk_violation_key(a.violation), a.reason,
                 !ref.valid ? "not JSON" : ref.top != REF_OBJECT ? "not an object" : "a JSON object");
        if (a.violation != EVK_V_NONE) continue;
        if (!ref.nul_escape) check_round_trip(p, text, len, &a);
        if (a.kind == EVK_MSG_EVENT) check_policy(p, text, len);
    }
    return 0;
}
