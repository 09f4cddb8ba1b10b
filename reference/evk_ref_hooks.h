/* evk_ref_hooks.h - private to reference/: how the correct peer (evk_ref.c)
 * and its injectable faults (evk_ref_faults.c) meet.
 *
 * The correct peer never tests for a fault. At a few named points it asks
 * "what do I change here?" and carries out the answer:
 *   upgrade   the server would refuse an upgrade: does the fault let it in?
 *   binary    a binary message starts: judge it, read it as text, ignore it?
 *   message   a complete text message, before the session sees it: pass it
 *             on (perhaps rewritten), ignore it, or the fault closed (a crash
 *             aborts the process there and then)
 *   ack       an Ack the session wants sent: send it, twice, or the fault
 *             dealt with it (skipped, delayed, replaced, malformed)
 *   handshake the server's first Event: send it, or the fault dealt with it
 *   event_out an Event of ours left (faults that track send order)
 *   emit      an Event a trigger asks for: true if the fault sent its own
 *   close     a close after a violation: the code and a delay, or dropped
 *   clock     deadlines: the skew of the clock the session sees, or none
 *   pings     the connection opened: does it answer pings?
 * With EVK_FAULT_NONE every hook answers "no change".
 *
 * Faults act through the services the peer offers below; they see nothing
 * else of it. Ownership: evk_rf_new() per connection, evk_rf_free().
 */
#ifndef EVK_REF_HOOKS_H
#define EVK_REF_HOOKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "evk_faults.h"
#include "evk_net.h"
#include "evk_session.h"
#include "evk_upgrade.h"

/* ---- services of the correct peer (evk_ref.c) ----------------------- */

typedef struct evk_ref_peer evk_ref_peer;

evk_session *evk_ref_session(evk_ref_peer *p);
evk_role evk_ref_role(const evk_ref_peer *p);
const evk_profile *evk_ref_profile(const evk_ref_peer *p);
/* A text message now, outside the session (the session does not track it). */
void evk_ref_send_raw(evk_ref_peer *p, const char *text, size_t len);
/* The same at due_ms (evk_clock_ms), unless the session closed by then. */
void evk_ref_send_at(evk_ref_peer *p, const char *text, size_t len, uint64_t due_ms);
/* Close as if the session had found violation v (its profile code). */
void evk_ref_close_for(evk_ref_peer *p, evk_violation v, const char *reason);
/* Cut the TCP connection without a close frame. */
void evk_ref_drop(evk_ref_peer *p);
/* A line on stderr ("ref server: ...") when verbose, or always. */
void evk_ref_say(const evk_ref_peer *p, bool always, const char *what);

/* ---- hooks (evk_ref_faults.c) --------------------------------------- */

typedef enum evk_rf_in {
    EVK_RF_PASS = 0, /* go on (with the text the hook may have replaced) */
    EVK_RF_IGNORE,   /* drop the message silently */
    EVK_RF_CLOSED,   /* the fault closed the connection */
    EVK_RF_AS_TEXT,  /* binary: read it as a text message */
} evk_rf_in;

typedef enum evk_rf_out {
    EVK_RF_SEND = 0, /* send it as it is */
    EVK_RF_TWICE,    /* send it twice */
    EVK_RF_DONE,     /* the fault dealt with it: nothing more to send */
} evk_rf_out;

typedef struct evk_rf evk_rf;

/* NULL when out of memory. */
evk_rf *evk_rf_new(evk_fault f);
void evk_rf_free(evk_rf *f); /* NULL is fine */

/* upgrade: the server would answer `refused` (NO_TOKEN, BAD_TOKEN, SECOND). */
bool evk_rf_upgrade_lets_in(evk_fault f, evk_upgrade refused, const evk_accept_info *info);
/* binary: the first piece of a binary message (len bytes, flags EVK_F_*). */
evk_rf_in evk_rf_on_binary(evk_rf *f, size_t len, unsigned flags);
/* message: *text and *len may be replaced by *owned (caller frees). pieces: the
 * frames it came in. */
evk_rf_in evk_rf_on_message(evk_rf *f, evk_ref_peer *p, const char **text, size_t *len,
                            unsigned pieces, char **owned);
evk_rf_out evk_rf_on_ack(evk_rf *f, evk_ref_peer *p, const evk_action *a);
evk_rf_out evk_rf_on_handshake(evk_rf *f, evk_ref_peer *p, const evk_action *a);
void evk_rf_on_event_out(evk_rf *f, const evk_uuid *id);
/* emit: the i-th Event (0-based) of one trigger, with this payload. */
bool evk_rf_on_emit(evk_rf *f, evk_ref_peer *p, uint64_t i, const char *payload);
/* close: a's violation is not NONE. EVK_RF_SEND: close with *code (preset to
 * a->code) *delay_ms later (preset 0); EVK_RF_DONE: the fault dropped it. */
evk_rf_out evk_rf_on_close(evk_rf *f, evk_ref_peer *p, const evk_action *a, int *code,
                           uint64_t *delay_ms);
/* clock: added to the time the session sees (deadlines fire that much
 * earlier); false: the fault never enforces deadlines. */
bool evk_rf_clock(const evk_rf *f, uint64_t limit_ms, int64_t *skew_ms);
/* pings: false when the fault never answers them (a client: evk_net). */
bool evk_rf_answers_pings(const evk_rf *f);

#endif
