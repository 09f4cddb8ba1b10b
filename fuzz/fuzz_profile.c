/* fuzz_profile: evk_profile_load_json on arbitrary bytes.
 *
 * The input is the profile text. Either the loader refuses it (EVK_EPROFILE,
 * one non-empty line "fuzz.json: <key>: <problem>", the profile untouched,
 * and no write past a small error buffer), or the profile is usable: every
 * violation class has a sendable code among its accepted ones, and an Event
 * and an Ack composed for it (evk_compose_*) are judged valid by evk_validate
 * under it, with the id they were composed with. A handshake composed for
 * it carries the limit it was given, unless the policy pointer runs through
 * a field the schema gives its own value (then the two requirements clash,
 * and the profile, not the composer, is at fault). Loading is deterministic.
 */
#include <string.h>

#include "evk_compose.h"
#include "evk_err.h"
#include "evk_validate.h"
#include "fuzz_util.h"

#define ORIGIN "fuzz.json"

static const evk_uuid the_id = {{0x0b, 0x8f, 0x3e, 0x52, 0x6a, 0x1d, 0x4c, 0x7e, 0x9f, 0x2a, 0x3d,
                                 0x5e, 0x7c, 0x9b, 0x1a, 0x20}};
static const int64_t the_time = 1767627242123456LL;

static void check_valid(const evk_profile *p, const char *text, size_t len, evk_msg_kind kind,
                        const char *what)
{
    evk_message m;
    FZ_CHECK(evk_validate(p, text, len, true, &m) == 0, "evk_validate failed");
    FZ_CHECK(m.violation == EVK_V_NONE && m.kind == kind && evk_uuid_equal(&m.id, &the_id),
             "the composed %s is not valid under its own profile: %s: %s\n  %s", what,
             evk_violation_key(m.violation), m.reason, text);
}

/* Does the policy pointer's first step name the discriminator or a field? */
static bool pointer_hits_schema(const evk_profile *p)
{
    const char *ptr = p->policy_pointer + 1, *end = strchr(ptr, '/');
    size_t n = end ? (size_t)(end - ptr) : strlen(ptr);
    if (memchr(ptr, '~', n)) return true; /* escaped names: stay on the safe side */
    if (strlen(p->discriminator) == n && memcmp(p->discriminator, ptr, n) == 0) return true;
    if (n == 2 && memcmp(ptr, "id", 2) == 0) return true;
    for (size_t i = 0; i < p->event.n_fields; i++)
        if (p->event.fields[i].name_len == n && memcmp(p->event.fields[i].name, ptr, n) == 0) return true;
    return false;
}

static void check_usable(const evk_profile *p)
{
    FZ_CHECK(p->name[0] && p->discriminator[0], "a profile without name or discriminator");
    FZ_CHECK(p->policy_pointer[0] == '/' && (p->policy_unit_ms == 1 || p->policy_unit_ms == 1000),
             "policy pointer or unit");
    for (int v = 1; v < EVK_V__COUNT; v++) {
        if (v == EVK_V_FATAL_STATUS && !p->has_fatal) continue;
        int code = evk_profile_send_code(p, (evk_violation)v);
        FZ_CHECK(code >= 1000 && code <= 4999 && evk_profile_accepts(p, (evk_violation)v, code),
                 "%s: sends %d, which it does not accept", evk_violation_key((evk_violation)v), code);
        char tiny[8];
        evk_profile_codes_text(p, (evk_violation)v, tiny, sizeof tiny);
        FZ_CHECK(memchr(tiny, '\0', sizeof tiny) != NULL, "codes_text overflows");
    }

    char buf[8192];
    size_t len = 0;
    int rc = evk_compose_event(p, &the_id, the_time, NULL, buf, sizeof buf, &len);
    FZ_CHECK(rc == 0, "compose_event: %s", evk_strerror(rc));
    FZ_CHECK(len == strlen(buf), "compose_event length");
    check_valid(p, buf, len, EVK_MSG_EVENT, "Event");

    rc = evk_compose_ack(p, &the_id, the_time, buf, sizeof buf, &len);
    FZ_CHECK(rc == 0, "compose_ack: %s", evk_strerror(rc));
    check_valid(p, buf, len, EVK_MSG_ACK, "Ack");

    if (pointer_hits_schema(p)) return;
    rc = evk_compose_handshake(p, &the_id, the_time, 1500, buf, sizeof buf, &len);
    FZ_CHECK(rc == 0, "compose_handshake: %s", evk_strerror(rc));
    check_valid(p, buf, len, EVK_MSG_EVENT, "handshake Event");
    evk_message pm;
    uint64_t limit = 0;
    memset(&pm, 0, sizeof pm);
    evk_validate_policy(p, buf, len, &limit, &pm);
    FZ_CHECK(pm.violation == EVK_V_NONE && limit == 1500,
             "the composed handshake declares %llu ms, not 1500: %s\n  %s", (unsigned long long)limit,
             pm.reason, buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    evk_profile p, p2, before;
    char err[512];
    memset(&p, 0xA5, sizeof p);
    before = p;
    err[0] = '\0';
    int rc = evk_profile_load_json(&p, text, size, ORIGIN, err, sizeof err);
    FZ_CHECK(rc == 0 || rc == EVK_EPROFILE, "load returned %d", rc);

    /* Determinism, and a tight error buffer (ASan sees any write past it). */
    size_t cap = 1 + size % 48;
    char *small = malloc(cap);
    FZ_CHECK(small != NULL, "out of memory");
    memset(&p2, 0, sizeof p2);
    int rc2 = evk_profile_load_json(&p2, text, size, ORIGIN, small, cap);
    FZ_CHECK(rc2 == rc, "two loads, two results");
    if (rc != 0) FZ_CHECK(memchr(small, '\0', cap) != NULL, "the error is not terminated in %zu bytes", cap);
    free(small);

    if (rc != 0) {
        FZ_CHECK(memcmp(&p, &before, sizeof p) == 0, "a failed load changed the profile");
        FZ_CHECK(strncmp(err, ORIGIN ": ", strlen(ORIGIN) + 2) == 0 && strlen(err) > strlen(ORIGIN) + 2,
                 "the error does not start with the origin: %s", err);
        FZ_CHECK(!strchr(err, '\n') && !strchr(err, '\r'), "the error is not one line: %s", err);
        return 0;
    }
    FZ_CHECK(memcmp(&p, &p2, sizeof p) == 0, "two loads, two profiles");
    check_usable(&p);
    return 0;
}
