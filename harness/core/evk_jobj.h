/* evk_jobj.h - surgery on the top-level members of a JSON object text:
 * find one, read a string, replace, remove or add one, every other byte of
 * the text staying as it was (whitespace, escapes, number spellings).
 *
 * Built on the strict scanner (evk_json.h): a text that is not an RFC 8259
 * JSON object is refused, never guessed at. Keys are compared by value
 * ("\u0069d" is "id"); where a key occurs twice the first member is the
 * one found, read, replaced or removed (the validator reads the first).
 *
 * Ownership: edits return a new NUL-terminated text (malloc'd, the caller
 * frees it) and its length in *out_len when out_len is not NULL; nothing
 * passed in is kept.
 * Errors: edits return NULL when the text is not a JSON object, the member
 * is not there (drops), value_json is not one JSON value (set), or out of
 * memory; lookups return -1 / false.
 */
#ifndef EVK_JOBJ_H
#define EVK_JOBJ_H

#include <stdbool.h>
#include <stddef.h>

#include "evk_json.h"

/* The index (in evk_json_members order) of the first member called key,
 * its place into *span when span is not NULL; -1 when there is none. */
int evk_jobj_find(const char *text, size_t len, const char *key, evk_jspan *span);

/* The string value of the first member called key, unescaped into out
 * (NUL-terminated; a "\u0000" inside stays a NUL byte: see *out_len).
 * false when there is none, it is not a string, or it needs more than
 * cap-1 bytes. */
bool evk_jobj_get_string(const char *text, size_t len, const char *key, char *out, size_t cap,
                         size_t *out_len);

/* Does a member have a key other than those of known (NULL-terminated)?
 * false for a text that is not a JSON object. */
bool evk_jobj_has_other_keys(const char *text, size_t len, const char *const *known);

/* The text with the first member called key set to value_json: its value
 * replaced where it stands, or the member added after the last one. */
char *evk_jobj_set(const char *text, size_t len, const char *key, const char *value_json, size_t *out_len);

/* The text without member i (in evk_json_members order), or without the
 * first member called key, and without one comma next to it. */
char *evk_jobj_drop_at(const char *text, size_t len, size_t i, size_t *out_len);
char *evk_jobj_drop(const char *text, size_t len, const char *key, size_t *out_len);

#endif
