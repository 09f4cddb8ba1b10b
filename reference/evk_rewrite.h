/* evk_rewrite.h - small text surgery on JSON messages, used only to give the
 * reference peers realistic bugs (a lenient parser, a sloppy schema check).
 * Every function returns a new NUL-terminated string owned by the caller
 * (free()), or NULL when it does not apply / out of memory. */
#ifndef EVK_REWRITE_H
#define EVK_REWRITE_H

#include <stdbool.h>
#include <stddef.h>

/* Deepest nesting of objects/arrays outside strings. */
size_t evk_rw_depth(const char *s, size_t len);
/* Is there JSON whitespace outside strings? */
bool evk_rw_has_whitespace(const char *s, size_t len);

char *evk_rw_strip_comments(const char *s, size_t len);
char *evk_rw_single_quotes(const char *s, size_t len);   /* ' -> " outside "strings" */
char *evk_rw_nan_to_null(const char *s, size_t len);     /* NaN, Infinity, -Infinity -> null */
char *evk_rw_replace_invalid_utf8(const char *s, size_t len);
/* What cJSON makes of the text (lenient parse, then printed back). */
char *evk_rw_cjson_roundtrip(const char *s, size_t len);
/* The first JSON value only (drops trailing garbage); cJSON's reading. */
char *evk_rw_first_value(const char *s, size_t len);

/* On a JSON object text (strict: harness/core/evk_jobj.h does the work,
 * the rest of the text stays as it was): set key to a JSON value, or
 * delete it. */
char *evk_rw_set(const char *s, size_t len, const char *key, const char *json_value);
char *evk_rw_del(const char *s, size_t len, const char *key);
/* The string value of a top-level key, unescaped into out (a "\u0000"
 * ends it for strlen, as in a C implementation reading it). */
bool evk_rw_get_string(const char *s, size_t len, const char *key, char *out, size_t cap);
/* Does the object have this top-level key (any value)? */
bool evk_rw_has_key(const char *s, size_t len, const char *key);
/* Does the object have a key other than those listed (NULL-terminated)? */
bool evk_rw_has_other_keys(const char *s, size_t len, const char *const *known);

#endif
