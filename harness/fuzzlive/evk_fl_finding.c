#include "evk_fl_finding.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evk_err.h"
#include "evk_json.h"

#define FORMAT_VERSION 1

/* The case flags a finding can carry, by name. */
static const struct { unsigned flag; const char *name; } flag_names[] = {
    {EVK_CF_HOLD_HANDSHAKE, "hold_handshake"},
    {EVK_CF_HOLD_EVENTS, "hold_events"},
    {EVK_CF_OWN_HANDSHAKE, "own_handshake"},
    {EVK_CF_EARLY, "early"},
    {EVK_CF_INFORMATIONAL, "informational"},
};

void evk_fl_finding_name(const evk_fl_class *c, const evk_fl_case *fc, bool minimised, char *out, size_t cap)
{
    char sig[sizeof c->sig];
    size_t k = 0;
    for (const char *s = c->sig; *s && k + 1 < sizeof sig; s++) {
        char ch = *s;
        bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '-';
        sig[k++] = ok ? ch : ch == '_' ? '-' : '.';
    }
    sig[k] = '\0';
    snprintf(out, cap, "%s_%llu_%llu%s.json", sig, (unsigned long long)fc->seed, (unsigned long long)fc->index,
             minimised ? ".min" : "");
}

/* ---- writing -------------------------------------------------------- */

static void hex(const char *s, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[(unsigned char)s[i] >> 4];
        out[2 * i + 1] = digits[(unsigned char)s[i] & 15];
    }
    out[2 * n] = '\0';
}

/* Bytes as "text" when JSON can carry them as they are, else as "hex". */
static int add_bytes(cJSON *o, const char *s, size_t n)
{
    if (!memchr(s, 0, n) && evk_utf8_valid(s, n))
        return cJSON_AddStringToObject(o, "text", s) ? 0 : -1;
    char *h = malloc(2 * n + 1);
    if (!h) return -1;
    hex(s, n, h);
    cJSON *j = cJSON_AddStringToObject(o, "hex", h);
    free(h);
    return j ? 0 : -1;
}

static void add_opt_string(cJSON *o, const char *key, const char *v)
{
    if (v) cJSON_AddStringToObject(o, key, v);
}

static cJSON *tpl_json(const evk_msg_tpl *t)
{
    cJSON *m = cJSON_CreateObject();
    if (!m) return NULL;
    cJSON_AddStringToObject(m, "kind", t->kind == EVK_MSG_EVENT ? "event" : t->kind == EVK_MSG_ACK ? "ack" : "raw");
    add_opt_string(m, "id", t->id);
    add_opt_string(m, "drop", t->drop);
    add_opt_string(m, "set", t->set);
    add_opt_string(m, "to", t->to);
    add_opt_string(m, "extra", t->extra);
    add_opt_string(m, "payload", t->payload);
    if (t->spaced) cJSON_AddTrueToObject(m, "spaced");
    if (t->escaped) cJSON_AddTrueToObject(m, "escaped");
    return m;
}

static cJSON *step_json(const evk_step *st)
{
    cJSON *s = cJSON_CreateObject();
    if (!s) return NULL;
    cJSON_AddStringToObject(s, "step", evk_fl_step_name(st->kind));
    const evk_msg_tpl *t = &st->msg;
    switch (st->kind) {
    case EVK_STEP_SEND:
    case EVK_STEP_SEND_BINARY:
    case EVK_STEP_SEND_FRAGMENTS:
        if (t->kind == EVK_MSG_NONE) add_bytes(s, t->raw ? t->raw : "", t->raw ? (t->raw_len ? t->raw_len : strlen(t->raw)) : 0);
        else cJSON_AddItemToObject(s, "msg", tpl_json(t));
        if (st->kind == EVK_STEP_SEND_FRAGMENTS) cJSON_AddNumberToObject(s, "fragments", st->n);
        break;
    case EVK_STEP_WAIT:
        if (st->ms) cJSON_AddNumberToObject(s, "ms", st->ms);
        else cJSON_AddNumberToObject(s, "frac", st->frac);
        break;
    case EVK_STEP_ACK_HANDSHAKE:
    case EVK_STEP_ACK_HELD:
        if (st->kind == EVK_STEP_ACK_HELD) cJSON_AddNumberToObject(s, "n", st->n);
        cJSON_AddNumberToObject(s, "frac", st->frac);
        if (t->kind != EVK_MSG_NONE) cJSON_AddItemToObject(s, "msg", tpl_json(t));
        break;
    case EVK_STEP_HOLD:
    case EVK_STEP_EVENTS:
        cJSON_AddNumberToObject(s, "n", st->n);
        break;
    default:
        break;
    }
    return s;
}

static cJSON *transcript_json(const evk_transcript *tr)
{
    cJSON *a = cJSON_CreateArray();
    if (!a) return NULL;
    for (size_t i = 0; i < tr->n; i++) {
        const evk_tentry *e = &tr->e[i];
        cJSON *o = cJSON_CreateObject();
        if (!o) break;
        cJSON_AddNumberToObject(o, "t_ms", (double)e->t_ms);
        cJSON_AddStringToObject(o, "dir", e->kind == EVK_T_NOTE ? "note" : e->out ? "out" : "in");
        cJSON_AddStringToObject(o, "kind", evk_tkind_name(e->kind));
        if (e->code) cJSON_AddNumberToObject(o, "code", e->code);
        if (e->data && (e->data_len || e->kind == EVK_T_TEXT || e->kind == EVK_T_BINARY))
            add_bytes(o, e->data, e->data_len);
        if (e->kind == EVK_T_TEXT || e->kind == EVK_T_BINARY) {
            cJSON_AddNumberToObject(o, "size", (double)e->size);
            if (e->fragments > 1) cJSON_AddNumberToObject(o, "fragments", e->fragments);
            if (e->data_len < e->size) cJSON_AddTrueToObject(o, "cut");
        }
        cJSON_AddItemToArray(a, o);
    }
    return a;
}

int evk_fl_finding_write(const char *path, const evk_fl_finding *f, const evk_case_result *r, char *err,
                         size_t errcap)
{
    const evk_fl_case *fc = f->fc;
    cJSON *root = cJSON_CreateObject();
    if (!root) goto oom;
    cJSON_AddNumberToObject(root, "evack_finding", FORMAT_VERSION);
    cJSON_AddStringToObject(root, "signature", f->cls.sig);
    cJSON_AddStringToObject(root, "problem", evk_fl_tag_text(f->cls.primary));
    cJSON *tags = cJSON_AddArrayToObject(root, "tags");
    for (int t = 0; t < EVK_FL_T__COUNT && tags; t++)
        if (f->cls.tags & (1u << t)) cJSON_AddItemToArray(tags, cJSON_CreateString(evk_fl_tag_name((evk_fl_tag)t)));
    cJSON_AddBoolToObject(root, "minimised", f->minimised);
    if (f->original[0]) cJSON_AddStringToObject(root, "original", f->original);
    if (f->minimised) cJSON_AddNumberToObject(root, "original_steps", (double)f->original_steps);
    cJSON_AddStringToObject(root, "target", f->target);
    cJSON_AddStringToObject(root, "role", f->role);
    cJSON_AddStringToObject(root, "profile", f->profile);
    cJSON_AddNumberToObject(root, "seed", (double)fc->seed);
    cJSON_AddNumberToObject(root, "session", (double)fc->index);
    cJSON_AddStringToObject(root, "session_id", fc->id);
    if (f->found_after_s > 0) cJSON_AddNumberToObject(root, "found_after_s", f->found_after_s);
    if (f->times_seen) cJSON_AddNumberToObject(root, "times_seen", f->times_seen);
    if (f->limit_ms) cJSON_AddNumberToObject(root, "limit_ms", (double)f->limit_ms);
    cJSON_AddStringToObject(root, "doing", fc->doing);
    cJSON *flags = cJSON_AddArrayToObject(root, "flags");
    for (size_t i = 0; i < EVK_COUNTOF(flag_names) && flags; i++)
        if (fc->c.flags & flag_names[i].flag) cJSON_AddItemToArray(flags, cJSON_CreateString(flag_names[i].name));
    if (fc->c.also != EVK_V_NONE) cJSON_AddStringToObject(root, "also", evk_violation_key(fc->c.also));
    cJSON *codes = cJSON_AddArrayToObject(root, "also_codes");
    for (size_t i = 0; i < EVK_COUNTOF(fc->c.also_codes) && codes; i++)
        if (fc->c.also_codes[i]) cJSON_AddItemToArray(codes, cJSON_CreateNumber(fc->c.also_codes[i]));
    cJSON *steps = cJSON_AddArrayToObject(root, "steps");
    for (size_t i = 0; i < fc->n && steps; i++) cJSON_AddItemToArray(steps, step_json(&fc->steps[i]));
    cJSON_AddStringToObject(root, "verdict", f->verdict);
    cJSON_AddStringToObject(root, "expected", f->expected);
    cJSON_AddStringToObject(root, "observed", f->observed);
    cJSON_AddNumberToObject(root, "duration_ms", (double)f->duration_ms);
    if (r) {
        cJSON_AddItemToObject(root, "transcript", transcript_json(&r->tr));
        if (r->tr.dropped) cJSON_AddNumberToObject(root, "transcript_entries_not_kept", (double)r->tr.dropped);
    }
    char *text = cJSON_Print(root);
    cJSON_Delete(root);
    if (!text) goto oom;
    /* Write beside, then rename: a reader never sees half a finding. */
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *fp = fopen(tmp, "w");
    if (!fp) {
        snprintf(err, errcap, "%s: %s", tmp, strerror(errno));
        free(text);
        return -1;
    }
    bool ok = fputs(text, fp) >= 0 && fputc('\n', fp) != EOF;
    ok = (fclose(fp) == 0) && ok;
    free(text);
    if (!ok || rename(tmp, path) != 0) {
        snprintf(err, errcap, "%s: %s", path, strerror(errno));
        remove(tmp);
        return -1;
    }
    return 0;
oom:
    cJSON_Delete(root);
    snprintf(err, errcap, "%s: out of memory", path);
    return -1;
}

/* ---- reading -------------------------------------------------------- */

static const char *str_of(const cJSON *o, const char *key)
{
    const cJSON *j = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsString(j) ? j->valuestring : NULL;
}

static double num_of(const cJSON *o, const char *key, double dflt)
{
    const cJSON *j = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsNumber(j) ? j->valuedouble : dflt;
}

static int unhex(const char *h, char **out, size_t *len)
{
    size_t n = strlen(h);
    if (n % 2) return -1;
    char *b = malloc(n / 2 + 1);
    if (!b) return -1;
    for (size_t i = 0; i < n / 2; i++) {
        int v = 0;
        for (int k = 0; k < 2; k++) {
            char c = h[2 * i + (size_t)k];
            int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
            if (d < 0) {
                free(b);
                return -1;
            }
            v = v * 16 + d;
        }
        b[i] = (char)v;
    }
    b[n / 2] = '\0';
    *out = b;
    *len = n / 2;
    return 0;
}

static int read_tpl(const cJSON *m, evk_msg_tpl *t)
{
    const char *kind = str_of(m, "kind");
    if (!kind) return -1;
    if (strcmp(kind, "event") == 0) t->kind = EVK_MSG_EVENT;
    else if (strcmp(kind, "ack") == 0) t->kind = EVK_MSG_ACK;
    else return -1;
    t->id = str_of(m, "id");
    t->drop = str_of(m, "drop");
    t->set = str_of(m, "set");
    t->to = str_of(m, "to");
    t->extra = str_of(m, "extra");
    t->payload = str_of(m, "payload");
    t->spaced = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(m, "spaced"));
    t->escaped = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(m, "escaped"));
    if (t->set && !t->to) return -1;
    return 0;
}

/* One step; its strings are copied by evk_fl_case_add. */
static int read_step(const cJSON *s, evk_fl_case *fc, char *why, size_t cap)
{
    const char *name = str_of(s, "step");
    int kind = name ? evk_fl_step_kind(name) : -1;
    if (kind < 0) {
        snprintf(why, cap, "unknown step \"%s\"", name ? name : "(none)");
        return -1;
    }
    evk_step st = {.kind = (evk_step_kind)kind};
    st.n = (int)num_of(s, "n", 0);
    st.frac = num_of(s, "frac", 0);
    st.ms = (unsigned)num_of(s, "ms", 0);
    char *bytes = NULL;
    const cJSON *m = cJSON_GetObjectItemCaseSensitive(s, "msg");
    if (m && read_tpl(m, &st.msg) < 0) {
        snprintf(why, cap, "step \"%s\": bad msg", name);
        return -1;
    }
    if (kind == EVK_STEP_SEND || kind == EVK_STEP_SEND_BINARY || kind == EVK_STEP_SEND_FRAGMENTS) {
        if (kind == EVK_STEP_SEND_FRAGMENTS) st.n = (int)num_of(s, "fragments", 3);
        const char *text = str_of(s, "text"), *h = str_of(s, "hex");
        if (!m) {
            size_t len = 0;
            if (h) {
                if (unhex(h, &bytes, &len) < 0) {
                    snprintf(why, cap, "step \"%s\": bad hex", name);
                    return -1;
                }
            } else if (text) {
                len = strlen(text);
            } else {
                snprintf(why, cap, "step \"%s\" has no text, hex or msg", name);
                return -1;
            }
            st.msg.kind = EVK_MSG_NONE;
            st.msg.raw = bytes ? bytes : text;
            st.msg.raw_len = len;
        }
    }
    int rc = evk_fl_case_add(fc, &st);
    free(bytes);
    if (rc < 0) snprintf(why, cap, "out of memory");
    return rc < 0 ? -1 : 0;
}

int evk_fl_finding_read(const char *path, evk_fl_finding *f, char *err, size_t errcap)
{
    memset(f, 0, sizeof *f);
    FILE *fp = fopen(path, "rb");
    if (!fp) {
        snprintf(err, errcap, "%s: %s", path, strerror(errno));
        return -1;
    }
    size_t cap = 1 << 16, len = 0;
    char *buf = malloc(cap);
    size_t got;
    while (buf && (got = fread(buf + len, 1, cap - len - 1, fp)) > 0) {
        len += got;
        if (len + 1 == cap) {
            char *b = realloc(buf, cap * 2);
            if (!b) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = b;
            cap *= 2;
        }
    }
    fclose(fp);
    if (!buf) {
        snprintf(err, errcap, "%s: out of memory", path);
        return -1;
    }
    buf[len] = '\0';
    cJSON *root = cJSON_ParseWithLength(buf, len);
    free(buf);
    char why[200] = "";
    if (!root || !cJSON_IsObject(root)) {
        snprintf(why, sizeof why, "not a JSON object");
        goto bad;
    }
    if (num_of(root, "evack_finding", 0) != FORMAT_VERSION) {
        snprintf(why, sizeof why, "not an evack finding (version %d)", FORMAT_VERSION);
        goto bad;
    }
    const char *sig = str_of(root, "signature");
    if (!sig || evk_fl_class_from_sig(sig, &f->cls) < 0) {
        snprintf(why, sizeof why, "unknown signature \"%s\"", sig ? sig : "");
        goto bad;
    }
    const cJSON *tags = cJSON_GetObjectItemCaseSensitive(root, "tags");
    const cJSON *t;
    cJSON_ArrayForEach(t, tags)
    {
        int k = cJSON_IsString(t) ? evk_fl_tag_lookup(t->valuestring) : -1;
        if (k >= 0) f->cls.tags |= 1u << k;
    }
    snprintf(f->target, sizeof f->target, "%s", str_of(root, "target") ? str_of(root, "target") : "");
    snprintf(f->role, sizeof f->role, "%s", str_of(root, "role") ? str_of(root, "role") : "server");
    snprintf(f->profile, sizeof f->profile, "%s", str_of(root, "profile") ? str_of(root, "profile") : "seed");
    snprintf(f->verdict, sizeof f->verdict, "%s", str_of(root, "verdict") ? str_of(root, "verdict") : "");
    snprintf(f->expected, sizeof f->expected, "%s", str_of(root, "expected") ? str_of(root, "expected") : "");
    snprintf(f->observed, sizeof f->observed, "%s", str_of(root, "observed") ? str_of(root, "observed") : "");
    snprintf(f->original, sizeof f->original, "%s", str_of(root, "original") ? str_of(root, "original") : "");
    f->minimised = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(root, "minimised"));
    f->limit_ms = (uint64_t)num_of(root, "limit_ms", 0);
    f->fc = evk_fl_case_new(str_of(root, "session_id"));
    if (!f->fc) {
        snprintf(why, sizeof why, "out of memory");
        goto bad;
    }
    f->fc->seed = (uint64_t)num_of(root, "seed", 0);
    f->fc->index = (uint64_t)num_of(root, "session", 0);
    snprintf(f->fc->doing, sizeof f->fc->doing, "%s", str_of(root, "doing") ? str_of(root, "doing") : "");
    const cJSON *flags = cJSON_GetObjectItemCaseSensitive(root, "flags");
    cJSON_ArrayForEach(t, flags)
    {
        bool known = false;
        for (size_t k = 0; k < EVK_COUNTOF(flag_names) && cJSON_IsString(t); k++)
            if (strcmp(t->valuestring, flag_names[k].name) == 0) {
                f->fc->c.flags |= flag_names[k].flag;
                known = true;
            }
        if (!known) {
            snprintf(why, sizeof why, "unknown flag %s", cJSON_IsString(t) ? t->valuestring : "(not a string)");
            goto bad;
        }
    }
    const char *also = str_of(root, "also");
    for (int v = 1; also && v < EVK_V__COUNT; v++)
        if (strcmp(evk_violation_key((evk_violation)v), also) == 0) f->fc->c.also = (evk_violation)v;
    const cJSON *codes = cJSON_GetObjectItemCaseSensitive(root, "also_codes");
    size_t nc = 0;
    cJSON_ArrayForEach(t, codes)
    {
        if (cJSON_IsNumber(t) && nc < EVK_COUNTOF(f->fc->c.also_codes)) f->fc->c.also_codes[nc++] = t->valueint;
    }
    const cJSON *steps = cJSON_GetObjectItemCaseSensitive(root, "steps");
    if (!cJSON_IsArray(steps)) {
        snprintf(why, sizeof why, "no steps");
        goto bad;
    }
    size_t i = 0;
    cJSON_ArrayForEach(t, steps)
    {
        char w[160];
        if (read_step(t, f->fc, w, sizeof w) < 0) {
            snprintf(why, sizeof why, "step %zu: %s", i + 1, w);
            goto bad;
        }
        i++;
    }
    cJSON_Delete(root);
    return 0;
bad:
    cJSON_Delete(root);
    evk_fl_finding_reset(f);
    snprintf(err, errcap, "%s: %s", path, why);
    return -1;
}

void evk_fl_finding_reset(evk_fl_finding *f)
{
    evk_fl_case_free(f->fc);
    f->fc = NULL;
}
