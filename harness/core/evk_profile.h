/* evk_profile.h - one reading of the protocol, loaded from JSON.
 *
 * A profile states what PROTOCOL.md §6 lets a reading change: the message
 * schemas, the close code(s) of each violation class, where the handshake's
 * ack time-limit policy lives and its unit, whether early messages during
 * the handshake are violations, whether silence after a violation is
 * required, the optional "fatal status" rule and the optional trigger.
 * The format is documented in docs/profiles.md; the shipped profiles are
 * conformance/profiles/seed.json, latest.json and strict.json, compiled into
 * the binary.
 *
 * Ownership: an evk_profile is plain caller storage (no pointers to free);
 * it can be copied with '='. Loading never keeps a pointer to its input.
 * Errors: loaders return 0 or EVK_EPROFILE and write one line
 * "<origin>: <key>: <problem>" into err.
 */
#ifndef EVK_PROFILE_H
#define EVK_PROFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Violation classes: the profile key, then what it means. Order = report order. */
#define EVK_VIOLATION_MAP(X)                                                  \
    X(NOT_TEXT, not_text, "a message is not a text frame")                    \
    X(NOT_JSON, not_json, "a message is not parseable as a JSON object")      \
    X(MISSING_FIELD, missing_field, "a mandatory field is missing")           \
    X(WRONG_TYPE, wrong_type, "a field has the wrong JSON type")              \
    X(INVALID_VALUE, invalid_value, "a value is outside its enumeration or structurally invalid") \
    X(DUPLICATE_ID, duplicate_id, "two unacked Events have the same UUID")    \
    X(ACK_TIMEOUT, ack_timeout, "an Event was not acked within the limit")    \
    X(UNKNOWN_ACK, unknown_ack, "an Ack names an unknown or already-acked Event") \
    X(FATAL_STATUS, fatal_status, "an Event has the fatal status")            \
    X(EARLY_MESSAGE, early_message, "a message came before the handshake Ack")

typedef enum evk_violation {
    EVK_V_NONE = 0,
#define EVK_X(id, key, text) EVK_V_##id,
    EVK_VIOLATION_MAP(EVK_X)
#undef EVK_X
    EVK_V__COUNT
} evk_violation;

/* The profile key ("not_text", ...) and the description; "none" for NONE. */
const char *evk_violation_key(evk_violation v);
const char *evk_violation_text(evk_violation v);

#define EVK_NAME_MAX 64
#define EVK_POINTER_MAX 128
#define EVK_PROFILE_MAX_FIELDS 16
#define EVK_PROFILE_MAX_ENUM 8
#define EVK_PROFILE_MAX_RANGES 8

typedef enum evk_format { EVK_FMT_NONE = 0, EVK_FMT_UUID, EVK_FMT_ISO8601 } evk_format;

typedef struct evk_field {
    char name[EVK_NAME_MAX];
    size_t name_len;
    unsigned types; /* evk_jtype bits that are allowed */
    bool required;
    evk_format format; /* checked only for strings */
    size_t n_enum;     /* 0: any value; else a string from enums */
    char enums[EVK_PROFILE_MAX_ENUM][EVK_NAME_MAX];
} evk_field;

typedef struct evk_schema {
    char type_value[EVK_NAME_MAX]; /* the discriminator's value, e.g. "event" */
    size_t n_fields;
    evk_field fields[EVK_PROFILE_MAX_FIELDS]; /* the discriminator excluded */
} evk_schema;

/* The close codes accepted for a violation class, and the one our peers send. */
typedef struct evk_codes {
    int send;
    size_t n;
    struct { int lo, hi; } r[EVK_PROFILE_MAX_RANGES];
} evk_codes;

typedef struct evk_profile {
    char name[EVK_NAME_MAX];
    char description[512];
    char discriminator[EVK_NAME_MAX];
    evk_schema event, ack;
    evk_codes codes[EVK_V__COUNT];
    /* false: "handshake": null, a peer without a handshake phase (PROTOCOL.md
     * §6): the messaging phase starts at once, under the fixed ack_limit_ms;
     * policy_pointer and early_message_is_violation are then unused. */
    bool has_handshake;
    uint64_t ack_limit_ms;                /* the fixed limit when !has_handshake */
    char policy_pointer[EVK_POINTER_MAX]; /* JSON pointer inside the handshake Event */
    double policy_unit_ms;                /* 1000 for "s", 1 for "ms" */
    bool early_message_is_violation;
    bool silence_required;
    bool has_fatal;
    char fatal_field[EVK_NAME_MAX], fatal_value[EVK_NAME_MAX];
    bool has_trigger;
    char trigger_pointer[EVK_POINTER_MAX]; /* where an Event asks for K Events */
} evk_profile;

/* Load a profile from JSON text; origin names it in errors (a file name). */
int evk_profile_load_json(evk_profile *p, const char *text, size_t len, const char *origin,
                          char *err, size_t errcap);

/* Load "seed", "latest", "strict" (compiled in) or a path to a JSON file. */
int evk_profile_load(evk_profile *p, const char *name_or_path, char *err, size_t errcap);

/* The compiled-in text of a shipped profile, or NULL. */
const char *evk_profile_builtin_text(const char *name);
/* NULL-terminated list of the shipped profile names. */
const char *const *evk_profile_builtin_names(void);

/* Is code an accepted close for class v? */
bool evk_profile_accepts(const evk_profile *p, evk_violation v, int code);

/* Is value the profile's fatal value of the field called field (the rule
 * "status": "fatal" of a profile with a fatal status)? */
bool evk_profile_is_fatal(const evk_profile *p, const char *field, const char *value);

/* The code our peers send for v (0 for EVK_V_NONE). */
int evk_profile_send_code(const evk_profile *p, evk_violation v);

/* Human form of the accepted codes of v: "4003" or "any of 4001-4999" or
 * "4004 or 4005". Returns out. */
char *evk_profile_codes_text(const evk_profile *p, evk_violation v, char *out, size_t cap);

#endif
