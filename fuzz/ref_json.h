/* ref_json.h - a second, independent RFC 8259 checker, for differential fuzzing.
 *
 * harness/core/evk_json.c is fast: an explicit stack machine with a fast path.
 * This one is slow and plain: recursive descent written straight from the
 * ABNF of RFC 8259 and the UTF-8 table of RFC 3629, so that a reader can
 * check it rule by rule. fuzz_message.c runs both on every input and aborts
 * when they disagree. Nesting deeper than max_depth containers is refused,
 * as evk_json_scan does with EVK_JSON_MAX_DEPTH (RFC 8259 §9 allows a limit).
 *
 * Ownership: nothing is kept; the result's spans point into the caller's text.
 */
#ifndef EVK_REF_JSON_H
#define EVK_REF_JSON_H

#include <stdbool.h>
#include <stddef.h>

#define REF_VALUE_MAX 4096

typedef enum ref_jtype {
    REF_NONE = 0, REF_OBJECT, REF_ARRAY, REF_STRING, REF_NUMBER, REF_BOOL, REF_NULL
} ref_jtype;

/* A top-level member the caller asks about (key unescaped, may hold NUL). */
typedef struct ref_key {
    const char *key;
    size_t key_len;
    /* Filled for the first member with that name; count says how many. */
    ref_jtype type;
    size_t off, len; /* strings: between the quotes; other values: the whole value */
    unsigned count;
    /* Strings: the decoded value (lone surrogates as U+FFFD, \u0000 kept),
     * unless its text is longer than REF_VALUE_MAX (then value_long). */
    char value[REF_VALUE_MAX];
    size_t value_len;
    bool value_long;
} ref_key;

typedef struct ref_result {
    bool valid;          /* one JSON value with optional whitespace around it */
    ref_jtype top;       /* its type (valid texts) */
    bool lone_surrogate; /* some string holds a \uD800-\uDFFF escape without its pair */
    bool nul_escape;     /* some string holds \u0000 (cJSON cuts strings there) */
} ref_result;

/* Check len bytes; keys (may be NULL when nkeys is 0) are filled when the
 * text is a valid object. Returns res->valid. */
bool ref_json_check(const char *text, size_t len, size_t max_depth, ref_key *keys, size_t nkeys,
                    ref_result *res);

#endif
