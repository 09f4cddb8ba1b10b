/* evk_validate.h - judge one received message on its own, against a profile.
 *
 * Checks run in the order of PROTOCOL.md §2 and the first failure decides:
 * not a text frame -> not JSON / not an object -> the discriminator (missing
 * -> wrong JSON type -> not one of the kinds) -> the other fields of that
 * kind's schema: any missing -> any of the wrong JSON type -> any value
 * outside its enumeration or structurally invalid (UUID, ISO 8601) -> the
 * profile's fatal status. Flow rules (duplicate unacked id, unknown Ack) need
 * the connection's state: evk_session applies them, before the fatal status.
 *
 * A violation is a result, not an error: evk_validate returns 0 and fills
 * the evk_message. It reads only its arguments and allocates nothing.
 */
#ifndef EVK_VALIDATE_H
#define EVK_VALIDATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "evk_profile.h"
#include "evk_ts.h"
#include "evk_uuid.h"

typedef enum evk_msg_kind { EVK_MSG_NONE = 0, EVK_MSG_EVENT, EVK_MSG_ACK } evk_msg_kind;

/* Things a valid message may carry that a judge reports but never fails. */
enum {
    EVK_NOTE_LENIENT_TS = 1 << 0,     /* sent_at is ISO 8601 but not canonical */
    EVK_NOTE_DUP_KEY = 1 << 1,        /* a schema key appears twice (the reading decides which counts) */
    EVK_NOTE_LONE_SURROGATE = 1 << 2, /* a string holds "\ud800" alone */
};

typedef struct evk_message {
    evk_msg_kind kind;       /* known once the discriminator was valid */
    evk_violation violation; /* EVK_V_NONE: a valid message of that kind */
    int close_code;          /* the profile's code for the violation, else 0 */
    char field[EVK_NAME_MAX];/* the field the violation is about, or "" */
    char reason[256];        /* one line naming the problem, "" when valid */
    bool has_id;             /* the id field held a UUID (even if a later check failed) */
    evk_uuid id;
    evk_ts_tier sent_at_tier;
    unsigned notes;          /* EVK_NOTE_* */
} evk_message;

/* How a member name that appears twice in one object is read. RFC 8259 §4
 * leaves it to the parser and real ones differ (PROTOCOL.md §2): a judge
 * accepts what any of these readings makes correct. */
typedef enum evk_dupkeys {
    EVK_DUPKEYS_FIRST = 0, /* the first member wins (cJSON; evack's default) */
    EVK_DUPKEYS_LAST,      /* the last member wins (Python, JavaScript, Go, Jackson) */
    EVK_DUPKEYS_REJECT,    /* a duplicate name anywhere makes the text "not JSON" (4002) */
    EVK_DUPKEYS__COUNT
} evk_dupkeys;

/* "first", "last", "reject"; and back (-1 for an unknown name). */
const char *evk_dupkeys_name(evk_dupkeys d);
int evk_dupkeys_lookup(const char *name);

/* "event", "ack" or "unknown". */
const char *evk_msg_kind_name(evk_msg_kind k);

/* Judge len bytes received in one complete message (is_text: a text message
 * rather than binary). Returns 0, or EVK_EINVAL for NULL arguments. */
int evk_validate(const evk_profile *p, const void *data, size_t len, bool is_text,
                 evk_message *out);

/* evk_validate under another reading of duplicate keys (evk_validate is
 * EVK_DUPKEYS_FIRST). Under REJECT a duplicate name at any depth is a
 * not-JSON violation; a text with more keys than EVK_JSON_DUP_KEYS_MAX is
 * then read as FIRST. */
int evk_validate_ex(const evk_profile *p, const void *data, size_t len, bool is_text,
                    evk_dupkeys dup, evk_message *out);

/* Read the ack time-limit policy of a handshake Event that evk_validate
 * found valid. On success *limit_ms is the limit rounded up to whole
 * milliseconds (at least 1). When the policy is missing (or its parent is not
 * an object), of the wrong type, or not a finite number > 0, out gets that
 * violation (missing_field, wrong_type, invalid_value) and *limit_ms is 0;
 * otherwise out's verdict is "valid" (violation none, no field, no reason).
 * Either way the rest of out (kind, id, ...) is left as it was.
 * Returns 0, or EVK_EINVAL. */
int evk_validate_policy(const evk_profile *p, const void *data, size_t len, uint64_t *limit_ms,
                        evk_message *out);
/* The same under a reading of duplicate keys (LAST: the last member at each
 * step of the pointer; FIRST and REJECT read the first, REJECT having refused
 * such texts already). */
int evk_validate_policy_ex(const evk_profile *p, const void *data, size_t len, evk_dupkeys dup,
                           uint64_t *limit_ms, evk_message *out);

/* The non-negative integer at JSON pointer ptr of a valid JSON text, e.g. the
 * trigger's K. 0 when there is one (*value set), -1 when not. */
int evk_json_uint_at(const char *text, size_t len, const char *ptr, uint64_t *value);

#endif
