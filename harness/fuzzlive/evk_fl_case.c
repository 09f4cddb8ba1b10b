#include "evk_fl_case.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evk_err.h"

static const char *const step_names[] = {
    [EVK_STEP_SEND] = "send",
    [EVK_STEP_SEND_BINARY] = "send_binary",
    [EVK_STEP_SEND_FRAGMENTS] = "send_fragments",
    [EVK_STEP_PING] = "ping",
    [EVK_STEP_WAIT_ACKS] = "wait_acks",
    [EVK_STEP_WAIT] = "wait",
    [EVK_STEP_ACK_HANDSHAKE] = "ack_handshake",
    [EVK_STEP_HOLD] = "hold",
    [EVK_STEP_ACK_HELD] = "ack_held",
    [EVK_STEP_EVENTS] = "events",
    [EVK_STEP_SOAK] = "soak",
};

const char *evk_fl_step_name(evk_step_kind k)
{
    if ((unsigned)k >= EVK_COUNTOF(step_names)) return NULL;
    return step_names[k];
}

int evk_fl_step_kind(const char *name)
{
    for (size_t i = 1; i < EVK_COUNTOF(step_names); i++)
        if (step_names[i] && strcmp(step_names[i], name) == 0) return (int)i;
    return -1;
}

evk_fl_case *evk_fl_case_new(const char *id)
{
    evk_fl_case *fc = calloc(1, sizeof *fc);
    if (!fc) return NULL;
    fc->steps = calloc(1, sizeof *fc->steps); /* the END step */
    if (!fc->steps) {
        free(fc);
        return NULL;
    }
    fc->cap = 1;
    snprintf(fc->id, sizeof fc->id, "%s", id && *id ? id : "fl.session");
    fc->c.id = fc->id;
    fc->c.roles = EVK_ROLES_SC;
    fc->c.spec = "PROTOCOL.md §2-§4 (live fuzzing): a correct peer acks every valid Event once in time, "
                 "closes at the first violation with the profile's code, and closes on nothing else.";
    fc->c.doing = fc->doing;
    fc->c.steps = fc->steps;
    return fc;
}

void evk_fl_case_free(evk_fl_case *fc)
{
    if (!fc) return;
    for (size_t i = 0; i < fc->nstrs; i++) free(fc->strs[i]);
    free(fc->strs);
    free(fc->steps);
    free(fc);
}

/* Keep a copy of n bytes (plus a NUL) for the case's lifetime. */
static int own(evk_fl_case *fc, const char **s, size_t n)
{
    if (!*s) return 0;
    if (fc->nstrs == fc->capstrs) {
        size_t cap = fc->capstrs ? fc->capstrs * 2 : 8;
        char **p = realloc(fc->strs, cap * sizeof *p);
        if (!p) return EVK_ENOMEM;
        fc->strs = p;
        fc->capstrs = cap;
    }
    char *copy = malloc(n + 1);
    if (!copy) return EVK_ENOMEM;
    memcpy(copy, *s, n);
    copy[n] = '\0';
    fc->strs[fc->nstrs++] = copy;
    *s = copy;
    return 0;
}

static int own_str(evk_fl_case *fc, const char **s)
{
    return *s ? own(fc, s, strlen(*s)) : 0;
}

int evk_fl_case_add(evk_fl_case *fc, const evk_step *st)
{
    if (fc->n + 2 > fc->cap) {
        size_t cap = fc->cap * 2 + 2;
        evk_step *p = realloc(fc->steps, cap * sizeof *p);
        if (!p) return EVK_ENOMEM;
        fc->steps = p;
        fc->c.steps = p;
        fc->cap = cap;
    }
    evk_step s = *st;
    size_t before = fc->nstrs;
    evk_msg_tpl *t = &s.msg;
    size_t raw_len = t->raw ? (t->raw_len ? t->raw_len : strlen(t->raw)) : 0;
    int rc = own(fc, &t->raw, raw_len);
    if (!rc) rc = own_str(fc, &t->id);
    if (!rc) rc = own_str(fc, &t->drop);
    if (!rc) rc = own_str(fc, &t->set);
    if (!rc) rc = own_str(fc, &t->to);
    if (!rc) rc = own_str(fc, &t->extra);
    if (!rc) rc = own_str(fc, &t->payload);
    if (rc) {
        while (fc->nstrs > before) free(fc->strs[--fc->nstrs]);
        return rc;
    }
    fc->steps[fc->n++] = s;
    memset(&fc->steps[fc->n], 0, sizeof fc->steps[fc->n]); /* EVK_STEP_END */
    if (s.kind == EVK_STEP_WAIT) {
        fc->est_ms += s.ms;
        fc->est_frac += s.ms ? 0 : s.frac;
    } else if (s.kind == EVK_STEP_ACK_HELD || s.kind == EVK_STEP_ACK_HANDSHAKE) {
        fc->est_frac += s.frac;
    }
    return 0;
}

void evk_fl_case_describe(evk_fl_case *fc, const char *fmt, ...)
{
    size_t used = strlen(fc->doing);
    if (used + 8 >= sizeof fc->doing) return;
    if (used) {
        memcpy(fc->doing + used, "; ", 3);
        used += 2;
    }
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(fc->doing + used, sizeof fc->doing - used, fmt, ap);
    va_end(ap);
}

evk_fl_case *evk_fl_case_subset(const evk_fl_case *src, const bool *keep)
{
    evk_fl_case *fc = evk_fl_case_new(src->id);
    if (!fc) return NULL;
    fc->c.flags = src->c.flags;
    fc->c.also = src->c.also;
    memcpy(fc->c.also_codes, src->c.also_codes, sizeof fc->c.also_codes);
    fc->seed = src->seed;
    fc->index = src->index;
    snprintf(fc->doing, sizeof fc->doing, "%s", src->doing);
    for (size_t i = 0; i < src->n; i++) {
        if (keep && !keep[i]) continue;
        if (evk_fl_case_add(fc, &src->steps[i]) < 0) {
            evk_fl_case_free(fc);
            return NULL;
        }
    }
    return fc;
}

int evk_fl_case_set_raw(evk_fl_case *fc, size_t i, const char *text, size_t len)
{
    if (i >= fc->n) return EVK_EINVAL;
    const char *copy = text;
    int rc = own(fc, &copy, len);
    if (rc) return rc;
    fc->steps[i].msg.kind = EVK_MSG_NONE;
    fc->steps[i].msg.raw = copy;
    fc->steps[i].msg.raw_len = len;
    return 0;
}

size_t evk_fl_case_text_bytes(const evk_fl_case *fc)
{
    size_t b = 0;
    for (size_t i = 0; i < fc->n; i++) {
        const evk_step *s = &fc->steps[i];
        if ((s->kind == EVK_STEP_SEND || s->kind == EVK_STEP_SEND_FRAGMENTS) && s->msg.kind == EVK_MSG_NONE &&
            s->msg.raw)
            b += s->msg.raw_len ? s->msg.raw_len : strlen(s->msg.raw);
    }
    return b;
}

size_t evk_fl_case_messages(const evk_fl_case *fc)
{
    size_t n = 0;
    for (size_t i = 0; i < fc->n; i++) {
        const evk_step *s = &fc->steps[i];
        switch (s->kind) {
        case EVK_STEP_SEND:
        case EVK_STEP_SEND_BINARY:
        case EVK_STEP_SEND_FRAGMENTS:
        case EVK_STEP_ACK_HANDSHAKE:
        case EVK_STEP_HOLD:
            n++;
            break;
        case EVK_STEP_EVENTS:
            n += s->n > 0 ? (size_t)s->n : 0;
            break;
        case EVK_STEP_ACK_HELD:
            n += s->n >= 0 ? 1 : 2;
            break;
        default:
            break;
        }
    }
    return n;
}
