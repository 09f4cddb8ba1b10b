/* evk_ref_faults_int.h - private to the two halves of the faults:
 * evk_ref_faults.c (what goes out, and the connection-level hooks) and
 * evk_ref_faults_in.c (what comes in). A fault's memory of one connection
 * and the helpers both halves use.
 */
#ifndef EVK_REF_FAULTS_INT_H
#define EVK_REF_FAULTS_INT_H

#include "evk_ref_hooks.h"

#define EVK_RF_SEEN_MAX 4096 /* ids remembered by reuse-after-ack-rejected */
#define EVK_RF_RECENT_MAX 64 /* Acks remembered by duplicate-ack-ignored */
#define EVK_RF_ANY_TS "\"2026-01-01T00:00:00.000000+0000\""

struct evk_rf {
    evk_fault fault;
    const struct evk_rf_row *row; /* its row in evk_ref_faults.c, NULL if none */
    uint64_t messages;    /* complete text messages received */
    uint64_t acks_out;    /* Acks the session asked to send */
    bool first_ack;       /* the Ack being decided is the peer's first */
    bool acked_before;
    unsigned pieces;      /* frames of the message being decided */
    bool have_prev;
    evk_uuid prev_event;  /* the last Event let through */
    evk_uuid *seen;       /* Event ids received (reuse-after-ack-rejected) */
    size_t nseen;
    evk_uuid recent[EVK_RF_RECENT_MAX]; /* ids of the last Acks received */
    size_t nrecent;
    evk_uuid *order;      /* our unacked Events, oldest first */
    size_t norder, caporder;
    evk_uuid shared;      /* one id for all the Events of a trigger */
};

/* Say why on stderr, then abort(). */
void evk_rf_crash(const evk_ref_peer *p, const char *why);
/* An Ack of id, composed now and sent outside the session. */
void evk_rf_send_ack_of(evk_ref_peer *p, const evk_uuid *id);
/* Forget id among f->order (our unacked Events). */
void evk_rf_forget_sent(evk_rf *f, const evk_uuid *id);

#endif
