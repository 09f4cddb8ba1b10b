/* evk_faults.h - the bugs the reference peers can be told to have.
 *
 * Each fault is one realistic implementation mistake. `evack ref server
 * --fault NAME` (or `ref client`) turns exactly one on; the fault matrix test
 * (tests/fault_matrix.sh, table conformance/faults.tsv) proves that the
 * suite catches every one of them and passes the fault-free peer.
 * Columns: id, name, roles it applies to (S: server, C: client), what it does.
 * How each fault acts: reference/evk_ref_faults.c and evk_ref_faults_in.c.
 */
#ifndef EVK_FAULTS_H
#define EVK_FAULTS_H

#include <stddef.h>

#include "evk_role.h"

#define EVK_FAULT_MAP(X)                                                                       \
    /* frames */                                                                               \
    X(BINARY_AS_TEXT, "binary-as-text", EVK_ROLES_SC, "reads binary messages as if they were text") \
    X(BINARY_WRONG_CODE, "binary-wrong-code", EVK_ROLES_SC, "closes binary messages with the not-JSON code") \
    X(EMPTY_BINARY_IGNORED, "empty-binary-ignored", EVK_ROLES_SC, "ignores empty binary messages") \
    X(FRAGMENTS_REJECTED, "fragments-rejected", EVK_ROLES_SC, "closes on fragmented messages")     \
    X(INVALID_UTF8_ACCEPTED, "invalid-utf8-accepted", EVK_ROLES_SC, "replaces invalid UTF-8 and carries on") \
    X(PINGS_IGNORED, "pings-ignored", EVK_ROLES_C, "never answers pings")                          \
    /* JSON leniency */                                                                        \
    X(JSON_TRAILING, "json-trailing-accepted", EVK_ROLES_SC, "ignores what follows the JSON value") \
    X(JSON_COMMENTS, "json-comments-accepted", EVK_ROLES_SC, "strips comments")                    \
    X(JSON_SINGLE_QUOTES, "json-single-quotes-accepted", EVK_ROLES_SC, "reads single quotes as double quotes") \
    X(JSON_NAN, "json-nan-accepted", EVK_ROLES_SC, "reads NaN and Infinity as null")               \
    X(JSON_CJSON_LENIENT, "json-cjson-lenient", EVK_ROLES_SC, "accepts whatever cJSON accepts (leading zeros, raw control characters, BOM...)") \
    X(JSON_NONOBJECT_CODE, "json-nonobject-code", EVK_ROLES_SC, "closes JSON that is not an object with the missing-field code") \
    X(JSON_EMPTY_IGNORED, "json-empty-ignored", EVK_ROLES_SC, "ignores empty text messages")       \
    X(DEEP_NESTING_CRASH, "crash-on-deep-nesting", EVK_ROLES_SC, "aborts the process on nesting deeper than 1000") \
    X(DUPLICATE_KEY_CRASH, "crash-on-duplicate-key", EVK_ROLES_SC, "aborts the process on an object with a repeated key") \
    X(LONE_SURROGATE_CRASH, "crash-on-lone-surrogate", EVK_ROLES_SC, "aborts the process on a lone surrogate escape") \
    X(JSON_TRUNCATED, "json-truncated-accepted", EVK_ROLES_SC, "repairs a cut-off text: keeps the complete members, closes what is open") \
    X(JSON_TRAILING_COMMA, "json-trailing-comma-accepted", EVK_ROLES_SC, "skips a comma before } or ]") \
    X(LARGE_MESSAGE_4002, "large-message-4002", EVK_ROLES_SC, "closes messages over 256 KiB as not JSON") \
    X(UNICODE_ESCAPES_REJECTED, "unicode-escapes-rejected", EVK_ROLES_SC, "closes on \\u escapes") \
    X(WHITESPACE_REJECTED, "whitespace-rejected", EVK_ROLES_SC, "closes on whitespace between JSON tokens") \
    /* schema */                                                                               \
    X(MISSING_TYPE_AS_EVENT, "missing-type-as-event", EVK_ROLES_SC, "reads a message without type as an Event") \
    X(MISSING_SENT_AT_ACCEPTED, "missing-sent_at-accepted", EVK_ROLES_SC, "accepts messages without sent_at") \
    X(TYPE_CASE_INSENSITIVE, "type-case-insensitive", EVK_ROLES_SC, "accepts \"Event\" and \"ACK\"") \
    X(TYPE_UNKNOWN_AS_EVENT, "type-unknown-as-event", EVK_ROLES_SC, "reads a message of an unknown type as an Event") \
    X(WRONG_TYPE_CODE, "wrong-type-code", EVK_ROLES_SC, "closes wrong JSON types with the missing-field code") \
    X(MISSING_FIELD_CODE, "missing-field-code", EVK_ROLES_SC, "closes missing fields with the invalid-value code") \
    X(ID_ANY_STRING, "id-any-string", EVK_ROLES_SC, "takes any string as an id")                  \
    X(ID_BRACES_ACCEPTED, "id-braces-accepted", EVK_ROLES_SC, "accepts {braced} and urn:uuid: ids") \
    X(UPPERCASE_UUID_REJECTED, "uppercase-uuid-rejected", EVK_ROLES_SC, "closes on upper-case UUIDs in Events") \
    X(SENT_AT_UNCHECKED, "sent_at-unchecked", EVK_ROLES_SC, "never checks sent_at")               \
    X(SENT_AT_NO_RANGE, "sent_at-no-range-check", EVK_ROLES_SC, "checks the shape of sent_at but not its ranges") \
    X(SENT_AT_ONLY_HHMM, "sent_at-only-plus-hhmm", EVK_ROLES_SC, "refuses the Z and +hh:mm offsets") \
    X(EXTRA_FIELDS_REJECTED, "extra-fields-rejected", EVK_ROLES_SC, "closes on undocumented fields in Events") \
    X(STATUS_FATAL_IGNORED, "status-fatal-ignored", EVK_ROLES_SC, "acks Events with the fatal status (strict)") \
    X(STATUS_UNCHECKED, "status-unchecked", EVK_ROLES_SC, "accepts any status (strict)")          \
    X(PAYLOAD_OPTIONAL, "payload-optional", EVK_ROLES_SC, "accepts Events without payload (strict)") \
    X(STATUS_OPTIONAL, "status-optional", EVK_ROLES_SC, "accepts Events without status (strict)")  \
    X(ID_NUL_TRUNCATED, "id-nul-truncated", EVK_ROLES_SC, "reads ids as C strings: a UUID, \\u0000 and more is that UUID") \
    X(REASON_REJECTED, "reason-rejected", EVK_ROLES_SC, "closes on Events that carry a reason (strict)") \
    X(REASON_ANY_TYPE, "reason-any-type", EVK_ROLES_SC, "accepts a reason of any JSON type (strict)") \
    /* acking */                                                                               \
    X(ACK_SKIP_THIRD, "ack-skip-every-third", EVK_ROLES_SC, "never acks every third Event")       \
    X(ACK_TWICE, "ack-twice", EVK_ROLES_SC, "acks every Event twice")                             \
    X(ACK_WRONG_ID, "ack-wrong-id", EVK_ROLES_S, "acks with a fresh random id")                  \
    X(ACK_LATE, "ack-late", EVK_ROLES_S, "acks after 1.5 times the limit")                        \
    X(ACK_MALFORMED, "ack-malformed", EVK_ROLES_S, "sends Acks without sent_at")                  \
    X(REUSE_REJECTED, "reuse-after-ack-rejected", EVK_ROLES_SC, "closes when an id comes back after its Ack") \
    X(ACK_STOPS_AFTER_200, "ack-stops-after-200", EVK_ROLES_SC, "stops acking after 200 Events")   \
    X(DUPLICATE_ACKED_ONCE, "duplicate-acked-once", EVK_ROLES_SC, "silently drops an Event that repeats the previous id") \
    /* the flow rules, as a receiver of Acks */                                               \
    X(UNKNOWN_ACK_IGNORED, "unknown-ack-ignored", EVK_ROLES_SC, "ignores Acks for unknown ids")  \
    X(DUPLICATE_ACK_IGNORED, "duplicate-ack-ignored", EVK_ROLES_SC, "ignores a second Ack of an Event") \
    X(OUT_OF_ORDER_ACK_REJECTED, "out-of-order-ack-rejected", EVK_ROLES_SC, "closes when Acks do not come in send order") \
    X(ACK_EXTRA_FIELDS_REJECTED, "ack-extra-fields-rejected", EVK_ROLES_SC, "closes on undocumented fields in Acks") \
    X(ACK_UPPERCASE_REJECTED, "ack-uppercase-rejected", EVK_ROLES_SC, "does not match an Ack whose id is in upper case") \
    X(ACK_ID_UNCHECKED, "ack-id-unchecked", EVK_ROLES_SC, "ignores Acks whose id is not a UUID")              \
    /* deadlines */                                                                            \
    X(DEADLINE_NEVER, "deadline-never", EVK_ROLES_SC, "never enforces the ack time limit")       \
    X(DEADLINE_EARLY, "deadline-early", EVK_ROLES_SC, "enforces half the declared limit")        \
    X(DEADLINE_LATE, "deadline-late", EVK_ROLES_S, "enforces twice the declared limit")          \
    X(DEADLINE_WRONG_CODE, "deadline-wrong-code", EVK_ROLES_S, "closes expired deadlines with the unknown-Ack code") \
    /* the handshake */                                                                        \
    X(HANDSHAKE_NO_POLICY, "handshake-no-policy", EVK_ROLES_S, "declares no ack time limit")     \
    X(HANDSHAKE_POLICY_STRING, "handshake-policy-string", EVK_ROLES_S, "declares the limit as a string") \
    X(HANDSHAKE_POLICY_ZERO, "handshake-policy-zero", EVK_ROLES_S, "declares a limit of 0")      \
    X(HANDSHAKE_ACK_FIRST, "handshake-ack-first", EVK_ROLES_S, "sends an Ack before its handshake Event") \
    X(HANDSHAKE_SILENT, "handshake-silent", EVK_ROLES_S, "never sends the handshake Event")      \
    X(EARLY_EVENT_ACCEPTED, "early-event-accepted", EVK_ROLES_S, "acks Events sent before the handshake Ack (strict)") \
    X(NO_HANDSHAKE_ACK, "no-handshake-ack", EVK_ROLES_C, "never acks the handshake Event")       \
    X(LATE_HANDSHAKE_ACK, "late-handshake-ack", EVK_ROLES_C, "acks the handshake after 1.5 times the limit") \
    X(MISSING_POLICY_IGNORED, "missing-policy-ignored", EVK_ROLES_C, "carries on with 1 s when the policy is missing") \
    X(BAD_POLICY_IGNORED, "bad-policy-ignored", EVK_ROLES_C, "carries on with 1 s when the policy is not a positive number") \
    X(EARLY_EVENT, "early-event", EVK_ROLES_C, "sends an Event before acking the handshake")      \
    /* closing */                                                                              \
    X(ACK_AFTER_VIOLATION, "ack-after-violation", EVK_ROLES_SC, "acks the offending Event before closing") \
    X(DROP_INSTEAD_OF_CLOSE, "drop-instead-of-close", EVK_ROLES_SC, "drops TCP instead of sending a close frame") \
    X(CLOSE_1000, "close-1000", EVK_ROLES_S, "closes every violation with 1000")                  \
    X(CLOSE_AFTER_50, "close-after-50-messages", EVK_ROLES_SC, "closes after 50 valid messages")   \
    X(CLOSE_LATE_600, "close-late-600", EVK_ROLES_SC, "closes 600 ms after a violation (with the right code)") \
    /* its own Events */                                                                      \
    X(EMIT_DUPLICATE_IDS, "emit-duplicate-ids", EVK_ROLES_S, "gives all the Events a trigger asks for one id") \
    X(EMIT_WITHOUT_SENT_AT, "emit-without-sent_at", EVK_ROLES_S, "sends triggered Events without sent_at") \
    /* the HTTP upgrade (with --token) */                                                      \
    X(TOKEN_UNCHECKED, "token-unchecked", EVK_ROLES_S, "accepts any bearer token")               \
    X(TOKEN_OPTIONAL, "token-optional", EVK_ROLES_S, "accepts upgrades without a token")          \
    X(SECOND_CONNECTION_ALLOWED, "second-connection-allowed", EVK_ROLES_S, "lets one token open two connections")

typedef enum evk_fault {
    EVK_FAULT_NONE = 0,
#define EVK_X(id, name, roles, what) EVK_FAULT_##id,
    EVK_FAULT_MAP(EVK_X)
#undef EVK_X
    EVK_FAULT__COUNT
} evk_fault;

typedef struct evk_fault_info {
    evk_fault id;
    const char *name;
    unsigned roles; /* EVK_ROLES_*: the roles of the faulty peer */
    const char *what;
} evk_fault_info;

/* Every fault, in table order (index 0 is EVK_FAULT_NONE, "none"). */
const evk_fault_info *evk_fault_table(size_t *count);
/* The fault called name for that role (EVK_ROLES_S or EVK_ROLES_C); -1 if none. */
int evk_fault_lookup(const char *name, unsigned role);

#endif
