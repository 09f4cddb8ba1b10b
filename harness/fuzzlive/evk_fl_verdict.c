#include "evk_fl_verdict.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evk_err.h"

static const char *const names[] = {
#define EVK_X(id, name, text) name,
    EVK_FL_TAG_MAP(EVK_X)
#undef EVK_X
};
static const char *const texts[] = {
#define EVK_X(id, name, text) text,
    EVK_FL_TAG_MAP(EVK_X)
#undef EVK_X
};

const char *evk_fl_tag_name(evk_fl_tag t)
{
    return (unsigned)t < EVK_FL_T__COUNT ? names[t] : "other";
}

const char *evk_fl_tag_text(evk_fl_tag t)
{
    return (unsigned)t < EVK_FL_T__COUNT ? texts[t] : "another failure";
}

int evk_fl_tag_lookup(const char *name)
{
    for (int t = 0; t < EVK_FL_T__COUNT; t++)
        if (strcmp(names[t], name) == 0) return t;
    return -1;
}

/* Which tags name the close, and so carry the violation and the code. */
static bool about_close(evk_fl_tag t)
{
    return t == EVK_FL_T_WRONG_CODE || t == EVK_FL_T_CLOSED_VALID || t == EVK_FL_T_NO_CLOSE ||
           t == EVK_FL_T_EARLY_CLOSE || t == EVK_FL_T_LATE_CLOSE;
}

static void make_sig(evk_fl_class *c)
{
    evk_fl_tag t = c->primary;
    /* One bug often spans several violation classes (e.g. "every close
     * is 1000"): a wrong code is known by the code the target sent. */
    if (t == EVK_FL_T_WRONG_CODE || t == EVK_FL_T_CLOSED_VALID)
        snprintf(c->sig, sizeof c->sig, "%s:%d", names[t], c->close_code);
    else if (about_close(t))
        snprintf(c->sig, sizeof c->sig, "%s:%s", names[t], evk_violation_key(c->expected));
    else
        snprintf(c->sig, sizeof c->sig, "%s", names[t]);
}

static void set_primary(evk_fl_class *c)
{
    c->primary = EVK_FL_T_OTHER;
    for (int t = 0; t < EVK_FL_T__COUNT; t++)
        if (c->tags & (1u << t)) {
            c->primary = (evk_fl_tag)t;
            break;
        }
    make_sig(c);
}

void evk_fl_classify(const evk_case_result *r, evk_fl_class *c)
{
    memset(c, 0, sizeof *c);
    const char *o = r->observed, *e = r->expected;
    static const struct { const char *phrase; evk_fl_tag tag; } phrases[] = {
        {"no response within", EVK_FL_T_NO_RESPONSE},
        {"no handshake Event", EVK_FL_T_HANDSHAKE},
        {"broke the protocol: handshake:", EVK_FL_T_HANDSHAKE},
        {"the target broke the protocol", EVK_FL_T_TARGET_INVALID},
        {"connection dropped without a close frame", EVK_FL_T_DROP},
        {"wrong close code", EVK_FL_T_WRONG_CODE},
        {"closed on valid traffic", EVK_FL_T_CLOSED_VALID},
        {"no close within", EVK_FL_T_NO_CLOSE},
        {"before the deadline", EVK_FL_T_EARLY_CLOSE},
        {"after the deadline", EVK_FL_T_LATE_CLOSE},
        {"never acked", EVK_FL_T_MISSING_ACK},
        {"acked more than once", EVK_FL_T_DOUBLE_ACK},
        {"later than the limit", EVK_FL_T_LATE_ACK},
        {"for no Event of ours", EVK_FL_T_UNKNOWN_ACK},
        {"after the violation, not silence", EVK_FL_T_AFTER_VIOLATION},
        {"no pong", EVK_FL_T_NO_PONG},
        {"could not connect", EVK_FL_T_CONNECT},
    };
    for (size_t i = 0; i < EVK_COUNTOF(phrases); i++)
        if (strstr(o, phrases[i].phrase)) c->tags |= 1u << phrases[i].tag;
    if (strstr(o, "before acking the handshake") && !strstr(o, "(informational here)"))
        c->tags |= 1u << EVK_FL_T_EARLY_EVENTS;
    /* "no handshake Event" is also part of the no-response text */
    if (c->tags & (1u << EVK_FL_T_NO_RESPONSE)) c->tags &= ~(1u << EVK_FL_T_HANDSHAKE);
    if ((c->tags & (1u << EVK_FL_T_HANDSHAKE)) || (c->tags & (1u << EVK_FL_T_NO_RESPONSE)))
        c->tags &= ~(1u << EVK_FL_T_TARGET_INVALID);
    c->internal = strstr(o, "broke the protocol: internal:") != NULL;

    /* The violation a correct target closes for: named in the expectation. */
    for (int v = EVK_V__COUNT - 1; v > EVK_V_NONE; v--)
        if (strstr(e, evk_violation_text((evk_violation)v))) {
            c->expected = (evk_violation)v;
            break;
        }
    /* The target's close code: from the judge's words (a long session's
     * transcript may have been cut before the close), else the transcript. */
    const char *cl = strstr(o, "close ");
    if (cl && cl == o && cl[6] >= '0' && cl[6] <= '9') c->close_code = atoi(cl + 6);
    else if (strstr(o, "connection dropped without a close frame")) c->close_code = -1;
    for (size_t i = r->tr.n; i-- > 0 && !c->close_code;) {
        const evk_tentry *t = &r->tr.e[i];
        if (t->out) continue;
        if (t->kind == EVK_T_CLOSE) {
            c->close_code = t->code;
            break;
        }
        if (t->kind == EVK_T_DROP) {
            c->close_code = -1;
            break;
        }
    }

    switch (r->verdict) {
    case EVK_VERDICT_FAIL:
        c->finding = !c->internal;
        break;
    case EVK_VERDICT_SKIP:
        /* The runner skips every case of a target whose handshake is bad. */
        if (strstr(o, "handshake") && !strstr(o, "interrupted")) {
            c->tags |= 1u << EVK_FL_T_HANDSHAKE;
            c->finding = true;
        }
        break;
    default:
        break;
    }
    if (c->finding && !c->tags) c->tags = 1u << EVK_FL_T_OTHER;
    set_primary(c);
}

void evk_fl_class_set_down(evk_fl_class *c, bool hung)
{
    c->finding = true;
    c->tags |= 1u << (hung ? EVK_FL_T_HANG : EVK_FL_T_CRASH);
    set_primary(c);
}

bool evk_fl_reproduces(const evk_fl_class *want, const evk_fl_class *got)
{
    if (!got->finding || !(got->tags & (1u << want->primary))) return false;
    evk_fl_class g = *got;
    g.primary = want->primary;
    make_sig(&g);
    return strcmp(g.sig, want->sig) == 0;
}

int evk_fl_class_from_sig(const char *sig, evk_fl_class *c)
{
    memset(c, 0, sizeof *c);
    char name[48];
    size_t n = strcspn(sig, ":");
    if (n >= sizeof name) return -1;
    memcpy(name, sig, n);
    name[n] = '\0';
    int t = evk_fl_tag_lookup(name);
    if (t < 0) return -1;
    c->finding = true;
    c->tags = 1u << t;
    c->primary = (evk_fl_tag)t;
    if (sig[n] == ':') {
        const char *rest = sig + n + 1;
        if ((evk_fl_tag)t == EVK_FL_T_CLOSED_VALID || (evk_fl_tag)t == EVK_FL_T_WRONG_CODE) {
            c->close_code = atoi(rest);
        } else {
            for (int v = 0; v < EVK_V__COUNT; v++)
                if (strcmp(evk_violation_key((evk_violation)v), rest) == 0) c->expected = (evk_violation)v;
        }
    }
    make_sig(c);
    return strcmp(c->sig, sig) == 0 ? 0 : -1;
}
