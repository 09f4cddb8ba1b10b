/* evk_session.h - one peer's side of one connection, as a pure state machine.
 *
 * The session is fed inputs (a piece of a received message, the passing of
 * time, the application's wish to send or ack an Event, the peer's close)
 * and answers with actions the caller must carry out in order: send a text
 * message, or close with a code. It implements PROTOCOL.md: the handshake
 * (the server declares the ack time-limit policy in its first Event; the
 * client checks it and acks it; a profile with "handshake": null has no such
 * phase and a fixed limit), validation of every message (evk_validate),
 * ack-exactly-once, deadlines, and "a violation -> close at once with the
 * profile's code, then nothing". The reference peers run it over a socket;
 * the harness runs it as a model of the target to predict what a correct
 * target does; a fuzz target runs it on random input.
 *
 * Ownership: evk_session_new() copies the config; the profile it points to
 * must outlive the session. Action texts live inside the session until the
 * next call on it.
 * Time: every input carries now_ms from one monotonic millisecond clock;
 * wall_base_us maps now_ms to the wall clock for `sent_at`. No clock is read.
 * Errors: 0 or a negative EVK_E*; a protocol violation by the peer is not an
 * error (it yields a CLOSE action).
 */
#ifndef EVK_SESSION_H
#define EVK_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "evk_profile.h"
#include "evk_role.h"
#include "evk_uuid.h"
#include "evk_validate.h"

typedef enum evk_state {
    EVK_S_NEW = 0,     /* evk_session_start not called yet */
    EVK_S_HANDSHAKE,   /* until the client's Ack of the handshake Event */
    EVK_S_MESSAGING,
    EVK_S_CLOSED,      /* nothing is emitted any more */
} evk_state;

/* Unacked Events a session holds per direction unless told otherwise. */
#define EVK_DEFAULT_MAX_UNACKED 65536

/* Close codes the session uses outside the profile's violation table. */
#define EVK_CLOSE_NORMAL 1000
#define EVK_CLOSE_POLICY 1008  /* too many unacked Events */
#define EVK_CLOSE_TOO_BIG 1009 /* message over max_message */

typedef struct evk_session_config {
    evk_role role;
    const evk_profile *profile;
    uint64_t ack_limit_ms; /* server: the limit it declares and enforces; client: ignored.
                            * A profile without a handshake phase fixes the limit for
                            * both roles (profile->ack_limit_ms): this must be 0 or equal */
    evk_dupkeys dup_keys;  /* how a repeated key is read (default: the first wins) */
    bool manual_ack;       /* false: every valid Event is acked at once */
    size_t max_unacked;    /* per direction; 0: EVK_DEFAULT_MAX_UNACKED */
    size_t max_message;    /* bytes of one reassembled message; 0: 4 MiB */
    int64_t wall_base_us;  /* unix time in microseconds at now_ms == 0 */
    uint64_t seed;         /* hash key for the trackers (random bytes) */
} evk_session_config;

/* Largest text the session itself composes (an Event with a small payload). */
#define EVK_MAX_OUT 1024
#define EVK_REASON_MAX 124 /* a close reason fits a close frame (123 bytes) */

typedef enum evk_action_kind { EVK_A_SEND = 1, EVK_A_CLOSE } evk_action_kind;

typedef struct evk_action {
    evk_action_kind kind;
    /* EVK_A_SEND: one text message. */
    evk_msg_kind msg; /* EVENT or ACK */
    evk_uuid id;      /* the Event's id, or the id the Ack names */
    char text[EVK_MAX_OUT];
    size_t len;
    /* EVK_A_CLOSE */
    int code;
    evk_violation violation; /* EVK_V_NONE for closes of our own (1000, 1008, 1009) */
    char reason[EVK_REASON_MAX];
} evk_action;

/* Counters a judge reads after the fact. */
typedef struct evk_session_stats {
    uint64_t events_in, acks_in, events_out, acks_out;
    uint64_t early_messages;      /* messages before the handshake Ack (seed: informational) */
    uint64_t lenient_timestamps;  /* valid messages whose sent_at was lenient */
    uint64_t duplicate_keys, lone_surrogates;
} evk_session_stats;

typedef struct evk_session evk_session;

/* NULL when out of memory or the config is unusable (no profile, a server
 * with a zero limit, a limit other than a no-handshake profile's fixed one). */
evk_session *evk_session_new(const evk_session_config *cfg);
void evk_session_free(evk_session *s); /* NULL is fine */

/* An independent copy in the same state (its trackers, the message being
 * reassembled, the actions not yet taken), that from now on reads duplicate
 * keys as dup_keys: a judge forks its model of a target so when a message
 * could be read in several ways. NULL when out of memory. */
evk_session *evk_session_clone(const evk_session *s, evk_dupkeys dup_keys);

/* Start the connection. A server queues its handshake Event, with id
 * handshake_id; a client passes NULL and waits for it. Without a handshake
 * phase (the profile's "handshake": null) both start in the messaging phase
 * and handshake_id is ignored. */
int evk_session_start(evk_session *s, const evk_uuid *handshake_id, uint64_t now_ms);

/* Flags of a received piece of a message. */
enum {
    EVK_F_BINARY = 1 << 0, /* the message is binary (looked at on its first piece) */
    EVK_F_FIRST = 1 << 1,  /* first piece of a message */
    EVK_F_FINAL = 1 << 2,  /* last piece: the message is complete */
};
#define EVK_F_WHOLE (EVK_F_FIRST | EVK_F_FINAL)

/* A piece of a received message (a fragment, or part of one). Binary
 * messages are refused on their first piece; text is reassembled and judged
 * when EVK_F_FINAL arrives, as of the time of its first piece (the sender's
 * clock started when it began sending: a message in pieces is not late
 * because its last piece was). */
int evk_session_on_data(evk_session *s, const void *data, size_t len, unsigned flags,
                        uint64_t now_ms);

/* Time passed: closes on an expired deadline. */
int evk_session_on_tick(evk_session *s, uint64_t now_ms);

/* The peer closed (or the connection dropped): the session ends silently. */
int evk_session_on_peer_close(evk_session *s, int code, uint64_t now_ms);

/* Send an Event with this id; payload_json is a JSON object text (or NULL)
 * put under "payload". EVK_ESTATE for a client before it acked the handshake
 * (a server may send once its handshake Event is out), EVK_EDUPID if
 * id is still unacked, EVK_ETOOBIG, EVK_EFULL, EVK_EINVAL (payload not an object). */
int evk_session_send_event(evk_session *s, const evk_uuid *id, const char *payload_json,
                           uint64_t now_ms);

/* manual_ack sessions: ack the peer's Event id now. EVK_ENOTFOUND if no
 * unacked Event of the peer has that id. */
int evk_session_ack(evk_session *s, const evk_uuid *id, uint64_t now_ms);

/* Close on the application's behalf (e.g. 1000 at the end of a run). */
int evk_session_close(evk_session *s, int code, const char *reason, uint64_t now_ms);

/* Take the next action, in order. false when there is none. */
bool evk_session_pop(evk_session *s, evk_action *out);

/* The next moment evk_session_on_tick must be called (the oldest deadline
 * of our unacked Events). false when no deadline is pending. */
bool evk_session_next_deadline(const evk_session *s, uint64_t *at_ms);

evk_state evk_session_state(const evk_session *s);
const char *evk_state_name(evk_state st);
uint64_t evk_session_limit_ms(const evk_session *s); /* 0 before a client learnt it */
bool evk_session_awaits_ack(const evk_session *s, const evk_uuid *id); /* our Event, unacked */
bool evk_session_owes_ack(const evk_session *s, const evk_uuid *id);   /* their Event, unacked */
size_t evk_session_unacked_out(const evk_session *s);
bool evk_session_handshake_id(const evk_session *s, evk_uuid *id);
const evk_session_stats *evk_session_stats_get(const evk_session *s);
/* The judgement of the last complete message received (kind, id, violation). */
const evk_message *evk_session_last_message(const evk_session *s);

#endif
