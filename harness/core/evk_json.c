#include "evk_json.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *evk_jtype_name(evk_jtype t)
{
    switch (t) {
    case EVK_JT_OBJECT: return "object";
    case EVK_JT_ARRAY: return "array";
    case EVK_JT_STRING: return "string";
    case EVK_JT_NUMBER: return "number";
    case EVK_JT_BOOL: return "boolean";
    case EVK_JT_NULL: return "null";
    default: return "none";
    }
}

static size_t skip_ws(const char *t, size_t n, size_t p)
{
    while (p < n && (t[p] == ' ' || t[p] == '\t' || t[p] == '\n' || t[p] == '\r')) p++;
    return p;
}

static int hex4(const char *t, size_t n, size_t p, unsigned *out)
{
    if (p + 4 > n) return -1;
    unsigned v = 0;
    for (size_t i = 0; i < 4; i++) {
        unsigned char c = (unsigned char)t[p + i];
        v <<= 4;
        if (c >= '0' && c <= '9') v |= c - '0';
        else if (c >= 'a' && c <= 'f') v |= c - 'a' + 10u;
        else if (c >= 'A' && c <= 'F') v |= c - 'A' + 10u;
        else return -1;
    }
    *out = v;
    return 0;
}

/* Length of the valid UTF-8 sequence (>= 2 bytes) at t[p], or 0 (RFC 3629:
 * no overlong forms, no UTF-16 surrogates, nothing above U+10FFFF). */
static size_t utf8_seq(const unsigned char *t, size_t n, size_t p)
{
    unsigned char c = t[p];
    unsigned char lo = 0x80, hi = 0xBF;
    size_t need;
    if (c >= 0xC2 && c <= 0xDF) need = 1;
    else if (c == 0xE0) need = 2, lo = 0xA0;
    else if (c == 0xED) need = 2, hi = 0x9F;
    else if (c >= 0xE1 && c <= 0xEF) need = 2;
    else if (c == 0xF0) need = 3, lo = 0x90;
    else if (c >= 0xF1 && c <= 0xF3) need = 3;
    else if (c == 0xF4) need = 3, hi = 0x8F;
    else return 0;
    if (p + need >= n) return 0; /* the sequence is cut off */
    if (t[p + 1] < lo || t[p + 1] > hi) return 0;
    for (size_t i = 2; i <= need; i++)
        if (t[p + i] < 0x80 || t[p + i] > 0xBF) return 0;
    return need + 1;
}

bool evk_utf8_valid(const char *s, size_t len)
{
    const unsigned char *u = (const unsigned char *)s;
    for (size_t p = 0; p < len;) {
        if (u[p] < 0x80) {
            p++;
            continue;
        }
        size_t k = utf8_seq(u, len, p);
        if (!k) return false;
        p += k;
    }
    return true;
}

/* Bytes that need no thought inside a string: printable ASCII but '"', '\\'. */
static const unsigned char plain_byte[256] = {
#define R8(x) x, x, x, x, x, x, x, x
    R8(0), R8(0), R8(0), R8(0),                 /* 0x00-0x1f: control characters */
    1, 1, 0, 1, 1, 1, 1, 1, R8(1), R8(1), R8(1), /* 0x20-0x3f: '"' is 0x22 */
    R8(1), R8(1), R8(1), 1, 1, 1, 1, 0, 1, 1, 1, /* 0x40-0x5f: '\\' is 0x5c */
    R8(1), R8(1), R8(1), R8(1),                 /* 0x60-0x7f */
    R8(0), R8(0), R8(0), R8(0), R8(0), R8(0), R8(0), R8(0),
    R8(0), R8(0), R8(0), R8(0), R8(0), R8(0), R8(0), R8(0), /* 0x80-0xff: UTF-8, checked below */
#undef R8
};

/* Scan the string whose opening quote is at t[*pos]. On success *pos is just
 * past the closing quote and *escaped tells whether a backslash occurred. */
static int scan_string(const char *t, size_t n, size_t *pos, bool *escaped, unsigned *notes,
                       const char **err)
{
    const unsigned char *u = (const unsigned char *)t;
    size_t p = *pos + 1;
    *escaped = false;
    for (;;) {
        /* Fast path: printable ASCII other than '"' and '\\', four at a time. */
        while (p + 4 <= n && plain_byte[u[p]] & plain_byte[u[p + 1]] & plain_byte[u[p + 2]] & plain_byte[u[p + 3]])
            p += 4;
        while (p < n && plain_byte[u[p]]) p++;
        if (p >= n) {
            *err = "truncated: a string is not closed";
            *pos = p;
            return -1;
        }
        unsigned char c = u[p];
        if (c == '"') {
            *pos = p + 1;
            return 0;
        }
        if (c < 0x20) {
            *err = "raw control character inside a string (must be escaped)";
            *pos = p;
            return -1;
        }
        if (c >= 0x80) {
            size_t k = utf8_seq(u, n, p);
            if (!k) {
                *err = "invalid UTF-8 inside a string";
                *pos = p;
                return -1;
            }
            p += k;
            continue;
        }
        /* Backslash. */
        *escaped = true;
        if (p + 1 >= n) {
            *err = "truncated: an escape sequence is cut off";
            *pos = p;
            return -1;
        }
        char e = t[p + 1];
        if (e == '"' || e == '\\' || e == '/' || e == 'b' || e == 'f' || e == 'n' || e == 'r' ||
            e == 't') {
            p += 2;
            continue;
        }
        if (e != 'u') {
            *err = "invalid escape sequence in a string";
            *pos = p;
            return -1;
        }
        unsigned cu;
        if (hex4(t, n, p + 2, &cu) < 0) {
            *err = "\\u must be followed by four hex digits";
            *pos = p;
            return -1;
        }
        p += 6;
        if (cu >= 0xD800 && cu <= 0xDBFF) {
            unsigned lo;
            if (p + 1 < n && t[p] == '\\' && t[p + 1] == 'u' && hex4(t, n, p + 2, &lo) == 0 &&
                lo >= 0xDC00 && lo <= 0xDFFF)
                p += 6;
            else
                *notes |= EVK_JNOTE_LONE_SURROGATE;
        } else if (cu >= 0xDC00 && cu <= 0xDFFF) {
            *notes |= EVK_JNOTE_LONE_SURROGATE;
        }
    }
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* RFC 8259 §6: -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)? */
static int scan_number(const char *t, size_t n, size_t *pos, const char **err)
{
    size_t p = *pos;
    if (t[p] == '-') p++;
    if (p >= n || !is_digit(t[p])) {
        *err = p < n && (t[p] == 'I' || t[p] == 'i') ? "Infinity is not JSON"
                                                     : "a number must start with a digit";
        *pos = p;
        return -1;
    }
    if (t[p] == '0') {
        p++;
        if (p < n && is_digit(t[p])) {
            *err = "leading zero in a number";
            *pos = p;
            return -1;
        }
    } else {
        while (p < n && is_digit(t[p])) p++;
    }
    if (p < n && t[p] == '.') {
        p++;
        if (p >= n || !is_digit(t[p])) {
            *err = "a decimal point must be followed by digits";
            *pos = p;
            return -1;
        }
        while (p < n && is_digit(t[p])) p++;
    }
    if (p < n && (t[p] == 'e' || t[p] == 'E')) {
        p++;
        if (p < n && (t[p] == '+' || t[p] == '-')) p++;
        if (p >= n || !is_digit(t[p])) {
            *err = "an exponent must have digits";
            *pos = p;
            return -1;
        }
        while (p < n && is_digit(t[p])) p++;
    }
    *pos = p;
    return 0;
}

static const char *unexpected(const char *t, size_t n, size_t p)
{
    unsigned char c = (unsigned char)t[p];
    if (p == 0 && n >= 3 && c == 0xEF && (unsigned char)t[1] == 0xBB &&
        (unsigned char)t[2] == 0xBF)
        return "byte-order mark before the JSON text";
    switch (c) {
    case '\'': return "single quotes are not JSON";
    case '/': return "comments are not JSON";
    case 'N': return "NaN is not JSON";
    case 'I': return "Infinity is not JSON";
    case '+': return "a number must not start with '+'";
    case '.': return "a number must not start with '.'";
    case ']': case '}': case ',': return "a value is missing";
    default: break;
    }
    if (c >= 0x80) return "non-ASCII byte outside a string";
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) return "bare word is not JSON";
    return "unexpected character";
}

/* Longest key a caller can ask about: more than any name or JSON-pointer
 * step a profile can hold (EVK_NAME_MAX, EVK_POINTER_MAX = 128). */
#define KEY_MAX 128

/* Matches an object key against the wanted names; -1 when none. */
static int match_key(const char *t, size_t off, size_t len, bool escaped, evk_jmember *want,
                     size_t nwant)
{
    char buf[KEY_MAX];
    const char *k = t + off;
    size_t klen = len;
    if (escaped) {
        if (evk_json_unescape(t + off, len, buf, sizeof buf, &klen) < 0) return -1;
        k = buf;
    }
    for (size_t i = 0; i < nwant; i++)
        if (want[i].key_len == klen && memcmp(want[i].key, k, klen) == 0) return (int)i;
    return -1;
}

/* The scanner. Besides the wanted members, when spans is given it records
 * where each top-level member of an object stands (the first max) and
 * counts them all into *nspans, when nspans is given. */
static int scan(const char *t, size_t n, evk_jmember *want, size_t nwant, unsigned flags, evk_jspan *spans,
                size_t max, size_t *nspans, evk_jscan *res)
{
    enum { VALUE, VALUE_OR_CLOSE, KEY, KEY_OR_CLOSE, AFTER } st = VALUE;
    uint64_t is_obj[EVK_JSON_MAX_DEPTH / 64]; /* bit per level: object or array */
    size_t depth = 0, p = 0, vend = 0;
    int member = -1; /* wanted index of the current top-level member */
    evk_jspan span = {0};
    bool in_member = false; /* between a top-level key and the end of its value */
    evk_jtype member_type = EVK_JT_NONE;
    const char *err = NULL;

    for (size_t i = 0; i < nwant; i++) {
        want[i].type = EVK_JT_NONE;
        want[i].off = want[i].len = 0;
        want[i].count = 0;
        want[i].escaped = false;
    }
    res->top = EVK_JT_NONE;
    res->notes = 0;
    res->error = NULL;
    res->error_off = 0;
    if (n == 0) {
        err = "empty message";
        goto fail;
    }

#define IN_OBJECT() ((is_obj[(depth - 1) / 64] >> ((depth - 1) % 64)) & 1u)
    for (;;) {
        p = skip_ws(t, n, p);
        switch (st) {
        case VALUE_OR_CLOSE:
            if (p < n && t[p] == ']') {
                p++;
                depth--;
                vend = p;
                st = AFTER;
                break;
            }
            /* fall through */
        case VALUE: {
            if (p >= n) {
                err = depth == 0 ? "only whitespace, no JSON value" : "truncated: a value is missing";
                goto fail;
            }
            size_t start = p, level = depth;
            evk_jtype ty;
            bool esc = false;
            char c = t[p];
            if (c == '{' || c == '[') {
                if (depth == EVK_JSON_MAX_DEPTH) {
                    err = "nesting deeper than the parser limit";
                    goto fail;
                }
                uint64_t bit = 1ull << (depth % 64);
                if (c == '{') is_obj[depth / 64] |= bit;
                else is_obj[depth / 64] &= ~bit;
                depth++;
                p++;
                ty = c == '{' ? EVK_JT_OBJECT : EVK_JT_ARRAY;
                st = c == '{' ? KEY_OR_CLOSE : VALUE_OR_CLOSE;
            } else if (c == '"') {
                if (scan_string(t, n, &p, &esc, &res->notes, &err) < 0) goto fail;
                ty = EVK_JT_STRING;
                start++;
                vend = p - 1;
                st = AFTER;
            } else if (c == '-' || is_digit(c)) {
                if (scan_number(t, n, &p, &err) < 0) goto fail;
                ty = EVK_JT_NUMBER;
                vend = p;
                st = AFTER;
            } else {
                static const struct { const char *word; size_t len; evk_jtype ty; } lit[] = {
                    {"true", 4, EVK_JT_BOOL}, {"false", 5, EVK_JT_BOOL}, {"null", 4, EVK_JT_NULL}};
                ty = EVK_JT_NONE;
                for (size_t i = 0; i < 3; i++)
                    if (n - p >= lit[i].len && memcmp(t + p, lit[i].word, lit[i].len) == 0) {
                        ty = lit[i].ty;
                        p += lit[i].len;
                        break;
                    }
                if (ty == EVK_JT_NONE) {
                    err = unexpected(t, n, p);
                    goto fail;
                }
                vend = p;
                st = AFTER;
            }
            if (level == 0) res->top = ty;
            if (level == 1 && in_member) {
                span.value_off = start - (ty == EVK_JT_STRING);
                member_type = ty;
            }
            if (level == 1 && member >= 0) {
                want[member].type = ty;
                want[member].off = start;
                want[member].escaped = ty == EVK_JT_STRING && esc;
            }
            break;
        }
        case KEY_OR_CLOSE:
            if (p < n && t[p] == '}') {
                p++;
                depth--;
                vend = p;
                st = AFTER;
                break;
            }
            /* fall through */
        case KEY: {
            if (p >= n) {
                err = "truncated: an object is not closed";
                goto fail;
            }
            if (t[p] != '"') {
                err = t[p] == '}' ? "trailing comma in an object"
                    : t[p] == '\'' ? "single quotes are not JSON"
                                   : "an object key must be a string";
                goto fail;
            }
            size_t kstart = p + 1;
            bool esc;
            if (scan_string(t, n, &p, &esc, &res->notes, &err) < 0) goto fail;
            if (depth == 1 && nspans) {
                span.key_off = kstart - 1;
                span.key_end = p;
                in_member = true;
            }
            if (depth == 1 && nwant) {
                member = match_key(t, kstart, p - 1 - kstart, esc, want, nwant);
                if (member >= 0 && ++want[member].count > 1) {
                    res->notes |= EVK_JNOTE_DUP_KEY;
                    if (!(flags & EVK_JSCAN_LAST_WINS)) member = -1; /* the first occurrence wins */
                }
            }
            p = skip_ws(t, n, p);
            if (p >= n || t[p] != ':') {
                err = p >= n ? "truncated: a member has no value" : "expected ':' after an object key";
                goto fail;
            }
            p++;
            st = VALUE;
            break;
        }
        case AFTER:
            if (depth == 1 && member >= 0) {
                want[member].len = vend - want[member].off;
                member = -1;
            }
            if (depth == 1 && in_member) {
                span.value_end = vend + (member_type == EVK_JT_STRING); /* past the closing quote */
                if (*nspans < max) spans[*nspans] = span;
                ++*nspans;
                in_member = false;
            }
            if (depth == 0) {
                if (p != n) {
                    err = "trailing characters after the JSON value";
                    goto fail;
                }
                return 0;
            }
            if (p >= n) {
                err = IN_OBJECT() ? "truncated: an object is not closed"
                                  : "truncated: an array is not closed";
                goto fail;
            }
            if (t[p] == ',') {
                p++;
                st = IN_OBJECT() ? KEY : VALUE;
            } else if (t[p] == (IN_OBJECT() ? '}' : ']')) {
                p++;
                depth--;
                vend = p;
            } else {
                err = IN_OBJECT() ? "expected ',' or '}' in an object" : "expected ',' or ']' in an array";
                goto fail;
            }
            break;
        }
    }
#undef IN_OBJECT

fail:
    res->error = err;
    res->error_off = p;
    res->top = EVK_JT_NONE;
    return -1;
}

int evk_json_scan(const char *t, size_t n, evk_jmember *want, size_t nwant, evk_jscan *res)
{
    return scan(t, n, want, nwant, 0, NULL, 0, NULL, res);
}

int evk_json_scan_opts(const char *t, size_t n, evk_jmember *want, size_t nwant, unsigned flags,
                       evk_jscan *res)
{
    return scan(t, n, want, nwant, flags, NULL, 0, NULL, res);
}

int evk_json_members(const char *t, size_t n, evk_jspan *spans, size_t max, size_t *count, evk_jscan *res)
{
    evk_jscan local;
    if (!res) res = &local;
    *count = 0;
    if (scan(t, n, NULL, 0, 0, spans, max, count, res) < 0 || res->top != EVK_JT_OBJECT) {
        *count = 0;
        return -1;
    }
    return 0;
}

static size_t put_utf8(char *o, unsigned cp)
{
    if (cp < 0x80) {
        o[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (char)(0xC0 | (cp >> 6));
        o[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (char)(0xE0 | (cp >> 12));
        o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        o[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    o[0] = (char)(0xF0 | (cp >> 18));
    o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    o[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    o[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

int evk_json_unescape(const char *s, size_t len, char *out, size_t cap, size_t *out_len)
{
    size_t o = 0;
    if (cap == 0) return -1;
    for (size_t p = 0; p < len;) {
        char tmp[4];
        size_t k;
        if (s[p] != '\\') {
            tmp[0] = s[p++];
            k = 1;
        } else {
            char e = s[p + 1];
            p += 2;
            if (e != 'u') {
                static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
                const char *at = strchr(from, e);
                tmp[0] = at ? to[at - from] : e;
                k = 1;
            } else {
                unsigned cu = 0, lo;
                (void)hex4(s, len, p, &cu);
                p += 4;
                if (cu >= 0xD800 && cu <= 0xDBFF && p + 6 <= len && s[p] == '\\' &&
                    s[p + 1] == 'u' && hex4(s, len, p + 2, &lo) == 0 && lo >= 0xDC00 &&
                    lo <= 0xDFFF) {
                    cu = 0x10000 + ((cu - 0xD800) << 10) + (lo - 0xDC00);
                    p += 6;
                } else if (cu >= 0xD800 && cu <= 0xDFFF) {
                    cu = 0xFFFD;
                }
                k = put_utf8(tmp, cu);
            }
        }
        if (o + k >= cap) return -1;
        memcpy(out + o, tmp, k);
        o += k;
    }
    out[o] = '\0';
    if (out_len) *out_len = o;
    return 0;
}

size_t evk_json_quote(const char *s, char *out, size_t cap)
{
    size_t o = 0;
    char e[8];
    if (cap < 3) goto full;
    out[o++] = '"';
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        size_t k = 1;
        if (c == '"' || c == '\\') e[0] = '\\', e[1] = (char)c, k = 2;
        else if (c < 0x20) k = (size_t)snprintf(e, sizeof e, "\\u%04x", c);
        else e[0] = (char)c;
        if (o + k + 2 > cap) goto full; /* and the closing quote, the NUL */
        memcpy(out + o, e, k);
        o += k;
    }
    out[o++] = '"';
    out[o] = '\0';
    return o;
full:
    if (cap) out[0] = '\0';
    return 0;
}

bool evk_json_literal_is(const char *lit, size_t len, const char *name)
{
    size_t p = 0, nl = strlen(name);
    bool esc;
    unsigned notes = 0;
    const char *err;
    if (len < 2 || lit[0] != '"' || scan_string(lit, len, &p, &esc, &notes, &err) < 0 || p != len) return false;
    if (!esc) return len - 2 == nl && memcmp(lit + 1, name, nl) == 0;
    if (len - 2 > 6 * (nl + 1)) return false; /* an escape is at most 6 bytes a byte */
    char buf[512], *u = len < sizeof buf ? buf : malloc(len);
    size_t ul;
    bool same = u && evk_json_unescape(lit + 1, len - 2, u, len, &ul) == 0 && ul == nl && memcmp(u, name, nl) == 0;
    if (u != buf) free(u);
    return same;
}

int evk_json_lookup(const char *text, size_t len, const char *pointer, evk_jmember *found,
                    bool *not_object)
{
    return evk_json_lookup_opts(text, len, pointer, 0, found, not_object);
}

int evk_json_lookup_opts(const char *text, size_t len, const char *pointer, unsigned flags,
                         evk_jmember *found, bool *not_object)
{
    const char *cur = text;
    size_t cur_len = len;
    evk_jtype cur_type;
    evk_jscan sc;
    *not_object = false;
    if (evk_json_scan(text, len, NULL, 0, &sc) < 0) return -1;
    cur_type = sc.top;
    found->type = cur_type;
    found->off = 0;
    found->len = len;
    if (*pointer == '\0') return 0;
    if (*pointer != '/') return -1;
    while (*pointer == '/') {
        char tok[KEY_MAX];
        size_t tl = 0;
        pointer++;
        for (; *pointer && *pointer != '/'; pointer++) {
            char c = *pointer;
            if (c == '~' && (pointer[1] == '0' || pointer[1] == '1')) c = *++pointer == '0' ? '~' : '/';
            if (tl + 1 >= sizeof tok) return -1;
            tok[tl++] = c;
        }
        if (cur_type != EVK_JT_OBJECT) {
            *not_object = true;
            return -1;
        }
        evk_jmember m = {.key = tok, .key_len = tl};
        if (evk_json_scan_opts(cur, cur_len, &m, 1, flags, &sc) < 0 || m.type == EVK_JT_NONE) return -1;
        found->type = m.type;
        found->off = (size_t)(cur - text) + m.off;
        found->len = m.len;
        found->count = m.count;
        cur = text + found->off;
        cur_len = m.len;
        cur_type = m.type;
    }
    return 0;
}
