/* ref_json.c - RFC 8259 by recursive descent; see ref_json.h for why. Each
 * function is one ABNF rule, quoted above it. Slow on purpose: no fast
 * paths, no shared code with harness/core. */
#include "ref_json.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

/* value() and array() recurse once per nesting level, up to 16,384 deep:
 * everything else stays out of their stack frames (ASan pads every local). */
#define REF_NOINLINE __attribute__((noinline))

typedef struct parser {
    const unsigned char *s;
    size_t n, pos;
    size_t max_depth;
    ref_key *keys;
    size_t nkeys;
    ref_result *res;
} parser;

static bool at_end(const parser *p)
{
    return p->pos >= p->n;
}

static bool next_is(const parser *p, unsigned char c)
{
    return !at_end(p) && p->s[p->pos] == c;
}

/* ws = *( %x20 / %x09 / %x0A / %x0D ) */
REF_NOINLINE static void ws(parser *p)
{
    while (next_is(p, 0x20) || next_is(p, 0x09) || next_is(p, 0x0A) || next_is(p, 0x0D)) p->pos++;
}

static bool digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

static int hexdig_value(unsigned char c)
{
    static const char hex[] = "0123456789abcdef";
    for (int i = 0; i < 16; i++)
        if (c == (unsigned char)hex[i] || (i >= 10 && c == (unsigned char)(hex[i] - 'a' + 'A')))
            return i;
    return -1;
}

/* RFC 3629 §4:
 *   UTF8-2 = %xC2-DF UTF8-tail
 *   UTF8-3 = %xE0 %xA0-BF UTF8-tail / %xE1-EC 2( UTF8-tail ) /
 *            %xED %x80-9F UTF8-tail / %xEE-EF 2( UTF8-tail )
 *   UTF8-4 = %xF0 %x90-BF 2( UTF8-tail ) / %xF1-F3 3( UTF8-tail ) /
 *            %xF4 %x80-8F 2( UTF8-tail )
 *   UTF8-tail = %x80-BF
 * One row per alternative: first byte range, second byte range, total length. */
static const struct {
    unsigned char first_lo, first_hi, second_lo, second_hi;
    size_t length;
} utf8_rows[] = {
    {0xC2, 0xDF, 0x80, 0xBF, 2},
    {0xE0, 0xE0, 0xA0, 0xBF, 3}, {0xE1, 0xEC, 0x80, 0xBF, 3},
    {0xED, 0xED, 0x80, 0x9F, 3}, {0xEE, 0xEF, 0x80, 0xBF, 3},
    {0xF0, 0xF0, 0x90, 0xBF, 4}, {0xF1, 0xF3, 0x80, 0xBF, 4}, {0xF4, 0xF4, 0x80, 0x8F, 4},
};

/* Length of the multi-byte UTF-8 character at pos, 0 if there is none. */
static size_t utf8_multibyte(const parser *p)
{
    unsigned char c = p->s[p->pos];
    for (size_t r = 0; r < sizeof utf8_rows / sizeof utf8_rows[0]; r++) {
        if (c < utf8_rows[r].first_lo || c > utf8_rows[r].first_hi) continue;
        size_t len = utf8_rows[r].length;
        if (p->n - p->pos < len) return 0;
        unsigned char c2 = p->s[p->pos + 1];
        if (c2 < utf8_rows[r].second_lo || c2 > utf8_rows[r].second_hi) return 0;
        for (size_t k = 2; k < len; k++)
            if (p->s[p->pos + k] < 0x80 || p->s[p->pos + k] > 0xBF) return 0;
        return len;
    }
    return 0;
}

/* Appends code point cp as UTF-8 to out (when out is not NULL). */
static void emit(char *out, size_t *olen, unsigned long cp)
{
    if (!out) return;
    unsigned char b[4];
    size_t k;
    if (cp < 0x80) b[0] = (unsigned char)cp, k = 1;
    else if (cp < 0x800) b[0] = (unsigned char)(0xC0 | cp >> 6), b[1] = (unsigned char)(0x80 | (cp & 63)), k = 2;
    else if (cp < 0x10000)
        b[0] = (unsigned char)(0xE0 | cp >> 12), b[1] = (unsigned char)(0x80 | ((cp >> 6) & 63)),
        b[2] = (unsigned char)(0x80 | (cp & 63)), k = 3;
    else
        b[0] = (unsigned char)(0xF0 | cp >> 18), b[1] = (unsigned char)(0x80 | ((cp >> 12) & 63)),
        b[2] = (unsigned char)(0x80 | ((cp >> 6) & 63)), b[3] = (unsigned char)(0x80 | (cp & 63)), k = 4;
    memcpy(out + *olen, b, k);
    *olen += k;
}

/* string = quotation-mark *char quotation-mark
 * char = unescaped / escape ( %x22 / %x5C / %x2F / %x62 / %x66 / %x6E / %x72 / %x74 / %x75 4HEXDIG )
 * unescaped = %x20-21 / %x23-5B / %x5D-10FFFF   (as UTF-8)
 * The decoded value goes to out when out is not NULL (caller gives len+1
 * bytes: decoding never makes a string longer). A high surrogate escape
 * directly followed by a low one is one character; any other surrogate
 * escape is lone and decodes to U+FFFD. */
REF_NOINLINE static bool string(parser *p, char *out, size_t *olen)
{
    unsigned long pending_high = 0; /* a high surrogate waiting for its low half */
    if (olen) *olen = 0;
    if (!next_is(p, '"')) return false;
    p->pos++;
    for (;;) {
        if (at_end(p)) return false;
        unsigned char c = p->s[p->pos];
        bool is_u_escape = c == '\\' && p->n - p->pos >= 2 && p->s[p->pos + 1] == 'u';
        if (pending_high && !is_u_escape) { /* the high half stays alone */
            p->res->lone_surrogate = true;
            emit(out, olen, 0xFFFD);
            pending_high = 0;
        }
        if (c == '"') {
            p->pos++;
            return true;
        }
        if (c == '\\') {
            if (p->n - p->pos < 2) return false;
            unsigned char e = p->s[p->pos + 1];
            static const char simple[] = "\"\\/bfnrt", decoded[] = "\"\\/\b\f\n\r\t";
            const char *hit = e ? memchr(simple, e, sizeof simple - 1) : NULL;
            if (hit) {
                emit(out, olen, (unsigned char)decoded[hit - simple]);
                p->pos += 2;
                continue;
            }
            if (e != 'u' || p->n - p->pos < 6) return false;
            unsigned long unit = 0;
            for (size_t k = 0; k < 4; k++) {
                int v = hexdig_value(p->s[p->pos + 2 + k]);
                if (v < 0) return false;
                unit = unit * 16 + (unsigned long)v;
            }
            p->pos += 6;
            if (unit == 0) p->res->nul_escape = true;
            bool high = unit >= 0xD800 && unit <= 0xDBFF, low = unit >= 0xDC00 && unit <= 0xDFFF;
            if (pending_high && low) {
                emit(out, olen, 0x10000 + ((pending_high - 0xD800) << 10) + (unit - 0xDC00));
                pending_high = 0;
                continue;
            }
            if (pending_high) { /* two highs in a row: the first is alone */
                p->res->lone_surrogate = true;
                emit(out, olen, 0xFFFD);
                pending_high = 0;
            }
            if (high) {
                pending_high = unit;
            } else if (low) {
                p->res->lone_surrogate = true;
                emit(out, olen, 0xFFFD);
            } else {
                emit(out, olen, unit);
            }
            continue;
        }
        if (c == 0x20 || c == 0x21 || (c >= 0x23 && c <= 0x5B) || (c >= 0x5D && c <= 0x7F)) {
            if (out) out[(*olen)++] = (char)c;
            p->pos++;
            continue;
        }
        size_t k = c >= 0x80 ? utf8_multibyte(p) : 0;
        if (k == 0) return false; /* a control character or invalid UTF-8 */
        if (out) memcpy(out + *olen, p->s + p->pos, k), *olen += k;
        p->pos += k;
    }
}

/* number = [ minus ] int [ frac ] [ exp ]
 * int = zero / ( digit1-9 *DIGIT );  frac = decimal-point 1*DIGIT
 * exp = e [ minus / plus ] 1*DIGIT */
REF_NOINLINE static bool number(parser *p)
{
    if (next_is(p, '-')) p->pos++;
    if (next_is(p, '0')) {
        p->pos++;
    } else if (!at_end(p) && p->s[p->pos] >= '1' && p->s[p->pos] <= '9') {
        while (!at_end(p) && digit(p->s[p->pos])) p->pos++;
    } else {
        return false;
    }
    if (next_is(p, '.')) {
        p->pos++;
        if (at_end(p) || !digit(p->s[p->pos])) return false;
        while (!at_end(p) && digit(p->s[p->pos])) p->pos++;
    }
    if (next_is(p, 'e') || next_is(p, 'E')) {
        p->pos++;
        if (next_is(p, '-') || next_is(p, '+')) p->pos++;
        if (at_end(p) || !digit(p->s[p->pos])) return false;
        while (!at_end(p) && digit(p->s[p->pos])) p->pos++;
    }
    return true;
}

REF_NOINLINE static bool literal(parser *p, const char *word)
{
    size_t k = strlen(word);
    if (p->n - p->pos < k || memcmp(p->s + p->pos, word, k) != 0) return false;
    p->pos += k;
    return true;
}

static bool value(parser *p, size_t depth, ref_jtype *type);

/* Records a top-level member when its decoded name is one the caller wants. */
REF_NOINLINE static void note_member(parser *p, const char *name, size_t name_len, ref_jtype type, size_t start,
                        size_t end)
{
    for (size_t i = 0; i < p->nkeys; i++) {
        ref_key *k = &p->keys[i];
        if (k->key_len != name_len || memcmp(k->key, name, name_len) != 0) continue;
        if (k->count++ == 0) {
            k->type = type;
            k->off = type == REF_STRING ? start + 1 : start;
            k->len = type == REF_STRING ? end - start - 2 : end - start;
            if (type == REF_STRING && end - start > sizeof k->value) {
                k->value_long = true;
            } else if (type == REF_STRING) { /* decode it again, into the key */
                parser again = *p;
                again.pos = start;
                (void)string(&again, k->value, &k->value_len);
            }
        }
    }
}

/* object = begin-object [ member *( value-separator member ) ] end-object
 * member = string name-separator value
 * (begin-object etc. include the whitespace around the character) */
REF_NOINLINE static bool object(parser *p, size_t depth)
{
    p->pos++; /* '{' */
    ws(p);
    if (next_is(p, '}')) {
        p->pos++;
        return true;
    }
    for (;;) {
        ws(p);
        char *name = NULL;
        size_t name_len = 0;
        bool top = depth == 1 && p->nkeys > 0;
        if (top) {
            name = malloc(p->n - p->pos + 1);
            if (!name) abort();
        }
        bool ok = string(p, name, top ? &name_len : NULL);
        if (ok) {
            ws(p);
            ok = next_is(p, ':');
        }
        if (ok) {
            p->pos++;
            ws(p);
            size_t start = p->pos;
            ref_jtype t;
            ok = value(p, depth, &t);
            if (ok && top) note_member(p, name, name_len, t, start, p->pos);
        }
        free(name);
        if (!ok) return false;
        ws(p);
        if (next_is(p, ',')) {
            p->pos++;
            continue;
        }
        if (next_is(p, '}')) {
            p->pos++;
            return true;
        }
        return false;
    }
}

/* array = begin-array [ value *( value-separator value ) ] end-array */
static bool array(parser *p, size_t depth)
{
    p->pos++; /* '[' */
    ws(p);
    if (next_is(p, ']')) {
        p->pos++;
        return true;
    }
    for (;;) {
        ws(p);
        ref_jtype t;
        if (!value(p, depth, &t)) return false;
        ws(p);
        if (next_is(p, ',')) {
            p->pos++;
            continue;
        }
        if (next_is(p, ']')) {
            p->pos++;
            return true;
        }
        return false;
    }
}

/* value = false / null / true / object / array / number / string
 * depth: how many containers enclose this value. */
static bool value(parser *p, size_t depth, ref_jtype *type)
{
    if (at_end(p)) return false;
    unsigned char c = p->s[p->pos];
    if (c == '{' || c == '[') {
        if (depth + 1 > p->max_depth) return false; /* the §9 limit */
        *type = c == '{' ? REF_OBJECT : REF_ARRAY;
        return c == '{' ? object(p, depth + 1) : array(p, depth + 1);
    }
    if (c == '"') {
        *type = REF_STRING;
        return string(p, NULL, NULL);
    }
    if (c == '-' || digit(c)) {
        *type = REF_NUMBER;
        return number(p);
    }
    if (literal(p, "true") || literal(p, "false")) {
        *type = REF_BOOL;
        return true;
    }
    if (literal(p, "null")) {
        *type = REF_NULL;
        return true;
    }
    return false;
}

/* JSON-text = ws value ws */
static void *json_text(void *arg)
{
    parser *p = arg;
    ws(p);
    ref_jtype top = REF_NONE;
    bool ok = value(p, 0, &top);
    if (ok) {
        ws(p);
        ok = at_end(p);
    }
    p->res->valid = ok;
    p->res->top = ok ? top : REF_NONE;
    return NULL;
}

/* An upper bound of how deep the parser can recurse on this text: the
 * deepest unclosed bracket outside strings (a string is skipped as the
 * grammar reads it, so the bound holds for every prefix the parser accepts).
 * reference/evk_rewrite.c has the same loop; this file stays self-contained
 * on purpose (see the top), so it keeps its own copy. */
static size_t nesting_bound(const char *t, size_t n)
{
    size_t depth = 0, max = 0;
    bool in_string = false;
    for (size_t i = 0; i < n; i++) {
        char c = t[i];
        if (in_string) {
            if (c == '\\') i++;
            else if (c == '"') in_string = false;
        } else if (c == '"') {
            in_string = true;
        } else if (c == '{' || c == '[') {
            if (++depth > max) max = depth;
        } else if ((c == '}' || c == ']') && depth > 0) {
            depth--;
        }
    }
    return max;
}

bool ref_json_check(const char *text, size_t len, size_t max_depth, ref_key *keys, size_t nkeys,
                    ref_result *res)
{
    parser p = {(const unsigned char *)text, len, 0, max_depth, keys, nkeys, res};
    memset(res, 0, sizeof *res);
    for (size_t i = 0; i < nkeys; i++) {
        keys[i].type = REF_NONE;
        keys[i].off = keys[i].len = 0;
        keys[i].count = 0;
        keys[i].value_len = 0;
        keys[i].value_long = false;
    }
    /* Recursion is one frame pair per level; 16,384 levels of ASan-padded
     * frames overflow an 8 MiB stack. Deep texts get a thread with room, on
     * one stack kept for the whole process (a fresh 256 MiB stack per input
     * cost the target a page fault per touched page). */
    if (nesting_bound(text, len) <= 1000) {
        json_text(&p);
        return res->valid;
    }
    static void *stack; /* the fuzzer runs one input at a time */
    const size_t stack_size = (size_t)256 << 20;
    if (!stack) {
        /* mmap, not malloc: a thread stack inside ASan's heap would mix
         * its stack poisoning with heap bookkeeping */
        stack = mmap(NULL, stack_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        if (stack == MAP_FAILED) abort();
    }
    pthread_attr_t attr;
    pthread_t th;
    if (pthread_attr_init(&attr) != 0 || pthread_attr_setstack(&attr, stack, stack_size) != 0 ||
        pthread_create(&th, &attr, json_text, &p) != 0 || pthread_join(th, NULL) != 0)
        abort();
    pthread_attr_destroy(&attr);
    return res->valid;
}
