/* evk_fl_msg.h - the live fuzzer's messages: a JSON object kept as a list
 * of members so that fields can be dropped, retyped, corrupted, reordered
 * or added before it is written out; the values a profile's fields take
 * (valid ones and edge cases); and byte-level mutation of written text.
 *
 * Everything is drawn from an evk_fl_rng, so a message follows from the
 * generator's state alone. Members hold JSON text: a key is a JSON string
 * literal (quotes included, maybe escaped), a value any JSON text (or, when
 * fuzzing, something that is not JSON at all).
 *
 * Ownership: evk_fl_msg is caller storage (large: keep one or two at a
 * time). Written text goes to caller buffers and is NUL-terminated.
 * Errors: setters return 0 or -1 (no room; the message is unchanged);
 * writers return the length, or 0 when cap was too small.
 */
#ifndef EVK_FL_MSG_H
#define EVK_FL_MSG_H

#include <stdbool.h>
#include <stddef.h>

#include "evk_fl_rng.h"
#include "evk_profile.h"
#include "evk_validate.h"

#define EVK_FL_MSG_MAX 20
#define EVK_FL_KEY_MAX 96
#define EVK_FL_VAL_MAX 1024
#define EVK_FL_TEXT_MAX 24576 /* a written message (big ones use ${pad:N}) */

typedef struct evk_fl_member {
    char key[EVK_FL_KEY_MAX]; /* JSON string literal, e.g. "\"id\"" */
    char val[EVK_FL_VAL_MAX]; /* JSON text */
} evk_fl_member;

typedef struct evk_fl_msg {
    size_t n;
    evk_fl_member m[EVK_FL_MSG_MAX];
    int ws;        /* 0: compact, 1: JSON whitespace between tokens */
} evk_fl_msg;

/* A valid message of the profile (kind EVENT or ACK) naming id (36 chars of
 * a UUID, or a placeholder such as "${hs}"). Optional fields and the
 * payload vary with the generator; sent_at is a canonical timestamp. */
void evk_fl_msg_base(evk_fl_msg *m, const evk_profile *p, evk_msg_kind kind, const char *id,
                     evk_fl_rng *r);

/* The first member whose key's value is name (escapes read), or -1. */
int evk_fl_msg_find(const evk_fl_msg *m, const char *name);
/* Set member `name` to value (appended when absent). */
int evk_fl_msg_set(evk_fl_msg *m, const char *name, const char *value);
/* Append a member with a raw key literal (duplicates allowed). */
int evk_fl_msg_add(evk_fl_msg *m, const char *key_json, const char *value);
void evk_fl_msg_drop(evk_fl_msg *m, const char *name);
/* Write the object; with ws, JSON whitespace drawn from r goes between tokens. */
size_t evk_fl_msg_write(const evk_fl_msg *m, evk_fl_rng *r, char *out, size_t cap);

/* Values. Each writes a JSON text (quotes included for strings) into out. */
void evk_fl_uuid_text(evk_fl_rng *r, char out[37]);       /* a random UUID, lower case */
void evk_fl_ts_valid(evk_fl_rng *r, char *out, size_t cap); /* canonical, as a JSON string */
void evk_fl_ts_invalid(evk_fl_rng *r, char *out, size_t cap); /* structurally invalid */
void evk_fl_uuid_invalid(evk_fl_rng *r, const char *uuid, char *out, size_t cap);
void evk_fl_uuid_valid_variant(evk_fl_rng *r, const char *uuid, char *out, size_t cap); /* case, escapes */
/* A JSON value whose type is none of the allowed evk_jtype bits. */
void evk_fl_value_not_of(evk_fl_rng *r, unsigned allowed_types, char *out, size_t cap);
/* A random valid JSON value (nested up to depth), for extra fields. */
void evk_fl_value_any(evk_fl_rng *r, int depth, char *out, size_t cap);
/* A JSON key literal for an undocumented field. */
void evk_fl_extra_key(evk_fl_rng *r, char *out, size_t cap);
/* A JSON string literal of s with letters (or all chars) as \u escapes. */
void evk_fl_escape_string(evk_fl_rng *r, const char *s, char *out, size_t cap);

/* Change text in place with 1-3 byte-level mutations (bit flips, special
 * bytes and tokens, deletions, duplications, truncation...). *len is the
 * length before and after; cap bounds growth. Never leaves "${" behind
 * (the runner would read it as a placeholder). */
void evk_fl_mutate_bytes(evk_fl_rng *r, char *text, size_t *len, size_t cap);

#endif
