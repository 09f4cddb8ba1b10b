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
    /* The judge's problem bits, never its words: those quote the target. */
    static const struct { evk_problem p; evk_fl_tag tag; } map[] = {
        {EVK_P_NO_RESPONSE, EVK_FL_T_NO_RESPONSE},
        {EVK_P_HANDSHAKE, EVK_FL_T_HANDSHAKE},
        {EVK_P_TARGET_INVALID, EVK_FL_T_TARGET_INVALID},
        {EVK_P_DROP, EVK_FL_T_DROP},
        {EVK_P_WRONG_CODE, EVK_FL_T_WRONG_CODE},
        {EVK_P_CLOSED_VALID, EVK_FL_T_CLOSED_VALID},
        {EVK_P_NO_CLOSE, EVK_FL_T_NO_CLOSE},
        {EVK_P_EARLY_CLOSE, EVK_FL_T_EARLY_CLOSE},
        {EVK_P_LATE_CLOSE, EVK_FL_T_LATE_CLOSE},
        {EVK_P_MISSING_ACK, EVK_FL_T_MISSING_ACK},
        {EVK_P_DOUBLE_ACK, EVK_FL_T_DOUBLE_ACK},
        {EVK_P_LATE_ACK, EVK_FL_T_LATE_ACK},
        {EVK_P_UNKNOWN_ACK, EVK_FL_T_UNKNOWN_ACK},
        {EVK_P_ACKED_VIOLATION, EVK_FL_T_ACKED_VIOLATION},
        {EVK_P_UPGRADE, EVK_FL_T_UPGRADE},
        {EVK_P_AFTER_VIOLATION, EVK_FL_T_AFTER_VIOLATION},
        {EVK_P_NO_PONG, EVK_FL_T_NO_PONG},
        {EVK_P_EARLY_EVENTS, EVK_FL_T_EARLY_EVENTS},
        {EVK_P_CONNECT, EVK_FL_T_CONNECT},
    };
    for (size_t i = 0; i < EVK_COUNTOF(map); i++)
        if (r->problems & EVK_PROBLEM_BIT(map[i].p)) c->tags |= 1u << map[i].tag;
    c->internal = (r->problems & EVK_PROBLEM_BIT(EVK_P_INTERNAL)) != 0;
    c->expected = r->expected_violation;
    c->close_code = r->end_code;

    switch (r->verdict) {
    case EVK_VERDICT_FAIL:
        c->finding = !c->internal;
        break;
    case EVK_VERDICT_SKIP: /* no trigger, too few Events, interrupted: not the target's fault */
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
