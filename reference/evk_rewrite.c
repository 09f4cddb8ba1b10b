#include "evk_rewrite.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "evk_jobj.h"
#include "evk_json.h"

static char *dup_n(const char *s, size_t n)
{
    char *o = malloc(n + 1);
    if (!o) return NULL;
    memcpy(o, s, n);
    o[n] = '\0';
    return o;
}

/* Walk s calling back for bytes outside "strings"; the callback returns how
 * many bytes it consumed (0: copy one). A tiny shared scanner for the fakes. */
typedef size_t (*outside_fn)(const char *s, size_t len, size_t i, char *out, size_t *o);

static char *transform(const char *s, size_t len, outside_fn fn)
{
    char *out = malloc(len * 4 + 8);
    if (!out) return NULL;
    size_t o = 0;
    bool in_str = false;
    for (size_t i = 0; i < len;) {
        char c = s[i];
        if (in_str) {
            out[o++] = c;
            if (c == '\\' && i + 1 < len) out[o++] = s[++i];
            else if (c == '"') in_str = false;
            i++;
            continue;
        }
        if (c == '"') {
            in_str = true;
            out[o++] = c;
            i++;
            continue;
        }
        size_t used = fn(s, len, i, out, &o);
        if (!used) {
            out[o++] = c;
            used = 1;
        }
        i += used;
    }
    out[o] = '\0';
    return out;
}

size_t evk_rw_depth(const char *s, size_t len)
{
    size_t d = 0, max = 0;
    bool in_str = false;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (in_str) {
            if (c == '\\') i++;
            else if (c == '"') in_str = false;
        } else if (c == '"') {
            in_str = true;
        } else if (c == '{' || c == '[') {
            if (++d > max) max = d;
        } else if ((c == '}' || c == ']') && d) {
            d--;
        }
    }
    return max;
}

bool evk_rw_has_whitespace(const char *s, size_t len)
{
    bool in_str = false;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (in_str) {
            if (c == '\\') i++;
            else if (c == '"') in_str = false;
        } else if (c == '"') {
            in_str = true;
        } else if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
            return true;
        }
    }
    return false;
}

static size_t comments(const char *s, size_t len, size_t i, char *out, size_t *o)
{
    (void)out;
    (void)o;
    if (s[i] != '/' || i + 1 >= len) return 0;
    size_t j = i + 2;
    if (s[i + 1] == '/') {
        while (j < len && s[j] != '\n') j++;
        return j - i;
    }
    if (s[i + 1] == '*') {
        while (j + 1 < len && !(s[j] == '*' && s[j + 1] == '/')) j++;
        return (j + 2 <= len ? j + 2 : len) - i;
    }
    return 0;
}

char *evk_rw_strip_comments(const char *s, size_t len)
{
    return transform(s, len, comments);
}

char *evk_rw_single_quotes(const char *s, size_t len)
{
    char *o = dup_n(s, len);
    if (!o) return NULL;
    bool in_dq = false;
    for (size_t i = 0; i < len; i++) {
        if (o[i] == '\\') i++;
        else if (o[i] == '"') in_dq = !in_dq;
        else if (o[i] == '\'' && !in_dq) o[i] = '"';
    }
    return o;
}

static size_t nan_token(const char *s, size_t len, size_t i, char *out, size_t *o)
{
    static const char *const words[] = {"-Infinity", "Infinity", "NaN"};
    for (size_t w = 0; w < 3; w++) {
        size_t n = strlen(words[w]);
        if (len - i >= n && memcmp(s + i, words[w], n) == 0) {
            memcpy(out + *o, "null", 4);
            *o += 4;
            return n;
        }
    }
    return 0;
}

char *evk_rw_nan_to_null(const char *s, size_t len)
{
    return transform(s, len, nan_token);
}

char *evk_rw_replace_invalid_utf8(const char *s, size_t len)
{
    char *o = dup_n(s, len);
    if (!o) return NULL;
    for (size_t i = 0; i < len; i++) {
        /* Crude, like many hand-written "sanitisers": drop anything non-ASCII. */
        if ((unsigned char)o[i] >= 0x80) o[i] = '?';
    }
    return o;
}

char *evk_rw_cjson_roundtrip(const char *s, size_t len)
{
    cJSON *j = cJSON_ParseWithLength(s, len);
    if (!j) return NULL;
    char *o = cJSON_PrintUnformatted(j);
    cJSON_Delete(j);
    return o;
}

char *evk_rw_first_value(const char *s, size_t len)
{
    const char *end = NULL;
    cJSON *j = cJSON_ParseWithLengthOpts(s, len, &end, 0);
    if (!j) return NULL;
    cJSON_Delete(j);
    return dup_n(s, (size_t)(end - s));
}

/* The member edits are the core's (evk_jobj.h): strict JSON objects only,
 * every other byte kept. */
char *evk_rw_set(const char *s, size_t len, const char *key, const char *json_value)
{
    return json_value ? evk_jobj_set(s, len, key, json_value, NULL) : NULL;
}

char *evk_rw_del(const char *s, size_t len, const char *key)
{
    return evk_jobj_drop(s, len, key, NULL);
}

bool evk_rw_get_string(const char *s, size_t len, const char *key, char *out, size_t cap)
{
    return evk_jobj_get_string(s, len, key, out, cap, NULL);
}

bool evk_rw_has_key(const char *s, size_t len, const char *key)
{
    return evk_jobj_find(s, len, key, NULL) >= 0;
}

bool evk_rw_has_other_keys(const char *s, size_t len, const char *const *known)
{
    return evk_jobj_has_other_keys(s, len, known);
}
