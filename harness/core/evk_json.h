/* evk_json.h - a strict RFC 8259 scanner that builds no tree.
 *
 * Why not cJSON here: cJSON accepts texts RFC 8259 rejects (leading zeros,
 * "1.", raw control characters and invalid UTF-8 inside strings, a BOM,
 * trailing garbage, ...; docs/json-leniency.md lists every one we found), and
 * the validator must reject exactly what the RFC rejects. This scanner reads
 * the text once, checks the full grammar and UTF-8, and reports the members
 * of the top-level object the caller asked for, without allocating.
 *
 * Limits (RFC 8259 §9 lets a parser set them): nesting deeper than
 * EVK_JSON_MAX_DEPTH is refused as "not JSON".
 * Ownership: spans point into the caller's text; nothing is kept.
 */
#ifndef EVK_JSON_H
#define EVK_JSON_H

#include <stdbool.h>
#include <stddef.h>

#define EVK_JSON_MAX_DEPTH 16384

/* JSON value types, as bits so that a schema can allow several. */
typedef enum evk_jtype {
    EVK_JT_NONE = 0,
    EVK_JT_OBJECT = 1 << 0,
    EVK_JT_ARRAY = 1 << 1,
    EVK_JT_STRING = 1 << 2,
    EVK_JT_NUMBER = 1 << 3,
    EVK_JT_BOOL = 1 << 4,
    EVK_JT_NULL = 1 << 5,
} evk_jtype;

/* "object", "array", "string", "number", "boolean", "null" or "none". */
const char *evk_jtype_name(evk_jtype t);

/* A wanted top-level member. The caller fills key/key_len; the scanner fills
 * the rest for the FIRST member with that (unescaped) name (the LAST one with
 * EVK_JSCAN_LAST_WINS) and counts them all. For strings, off/len cover the
 * characters between the quotes (still escaped); for other values, the whole
 * value. */
typedef struct evk_jmember {
    const char *key;
    size_t key_len;
    evk_jtype type; /* EVK_JT_NONE when absent */
    size_t off, len;
    unsigned count; /* how many members had this name */
    bool escaped;   /* strings: a backslash occurs (else the bytes are the value) */
} evk_jmember;

/* Notes on a valid text that a judge may want to report. */
enum {
    EVK_JNOTE_LONE_SURROGATE = 1 << 0, /* "\ud800" without its pair */
    EVK_JNOTE_DUP_KEY = 1 << 1,        /* a wanted key appeared twice */
};

typedef struct evk_jscan {
    evk_jtype top;      /* type of the top-level value (valid texts) */
    unsigned notes;     /* EVK_JNOTE_* */
    const char *error;  /* static text when the text is not JSON */
    size_t error_off;   /* byte offset of the problem */
} evk_jscan;

/* Scan len bytes. Returns 0 when they are exactly one JSON value surrounded
 * by optional whitespace, -1 when not (res->error says why). Members are
 * filled only when the top-level value is an object. want may be NULL when
 * nwant is 0. */
int evk_json_scan(const char *text, size_t len, evk_jmember *want, size_t nwant,
                  evk_jscan *res);

/* Flags of evk_json_scan_opts / evk_json_lookup_opts. */
enum {
    EVK_JSCAN_LAST_WINS = 1 << 0, /* a repeated wanted key: report its last member */
};

/* evk_json_scan with flags (evk_json_scan is flags 0: the first member wins). */
int evk_json_scan_opts(const char *text, size_t len, evk_jmember *want, size_t nwant,
                       unsigned flags, evk_jscan *res);

/* Does a valid JSON text hold an object with two members of the same
 * (unescaped) name, at any depth? 1 yes, 0 no, -1 when it cannot tell
 * (more than EVK_JSON_DUP_KEYS_MAX keys, out of memory, or not JSON).
 * RFC 8259 §4 leaves such objects to the parser: some keep the first,
 * most keep the last, some refuse the text (PROTOCOL.md §2). Allocates
 * O(keys) and frees it; O(keys log keys). */
#define EVK_JSON_DUP_KEYS_MAX 65536
int evk_json_has_dup_key(const char *text, size_t len);

/* Where one top-level member of an object text stands (byte offsets). */
typedef struct evk_jspan {
    size_t key_off, key_end;     /* the key's opening quote; just past its closing one */
    size_t value_off, value_end; /* the whole value, a string's quotes included */
} evk_jspan;

/* The top-level members of a text, in order: the first max into spans
 * (NULL when max is 0) and how many there are, all of them, into *count.
 * Returns 0 when the text is JSON whose top-level value is an object; -1
 * otherwise (*count 0; res, when not NULL, says why for a text that is not
 * JSON). Members with the same key are each listed. */
int evk_json_members(const char *text, size_t len, evk_jspan *spans, size_t max, size_t *count,
                     evk_jscan *res);

/* Unescape the inside of a string that evk_json_scan accepted (between the
 * quotes) into out. Lone surrogates become U+FFFD; "\u0000" becomes a NUL
 * byte (the value keeps it: use *out_len, not strlen). Writes a terminating
 * NUL. Returns 0, or -1 when the result needs more than cap-1 bytes. */
int evk_json_unescape(const char *s, size_t len, char *out, size_t cap, size_t *out_len);

/* s as a JSON string literal into out: quotes added; '"', '\\' and control
 * bytes escaped, every other byte as it is. Returns its length (>= 2), or
 * 0 when it needs more than cap-1 bytes (out is then ""). */
size_t evk_json_quote(const char *s, char *out, size_t cap);

/* Is lit[0..len) a JSON string literal (quotes included, as RFC 8259
 * writes it) whose value is name? Escapes count as what they stand for:
 * "\u0069d" is "id". */
bool evk_json_literal_is(const char *lit, size_t len, const char *name);

/* Is s[0..len) valid UTF-8 (RFC 3629: no overlong forms, no UTF-16
 * surrogates, nothing above U+10FFFF, no sequence cut off)? The check the
 * scanner makes inside strings, for whole texts (e.g. a WebSocket text
 * message, which RFC 6455 requires to be UTF-8). */
bool evk_utf8_valid(const char *s, size_t len);

/* Resolve a JSON pointer (RFC 6901, object members only, "~0"/"~1" escapes)
 * inside a valid JSON text. On success fills *found (key fields unused) and
 * returns 0; -1 when some step is missing or not an object. A step that
 * exists but whose parent is not an object also returns -1 with
 * *not_object set (so callers can tell "missing" from "wrong type"). */
int evk_json_lookup(const char *text, size_t len, const char *pointer, evk_jmember *found,
                    bool *not_object);
/* The same with EVK_JSCAN_* flags applied at every step. */
int evk_json_lookup_opts(const char *text, size_t len, const char *pointer, unsigned flags,
                         evk_jmember *found, bool *not_object);

#endif
