/* evk_ref.h - the reference peers: a correct server and client, each a thin
 * shell around evk_session over evk_net, with at most one injected fault.
 *
 * Server: declares the ack time limit in its handshake Event, validates
 * everything, acks each Event once, enforces its own deadlines, closes with
 * the profile's codes and then says nothing. An Event whose payload carries
 * the profile's trigger (default {"emit": K}) makes it send K Events of its
 * own (K <= 1000), so that cases needing several target Events can run.
 * With a token it also checks the HTTP upgrade: no or unparsable
 * `Authorization: Bearer` -> 400, another token -> 401, a token that already
 * has an open connection -> 409.
 * Client: connects, checks and acks the handshake, sends its Events, acks
 * the server's Events, enforces deadlines, closes with the right codes.
 *
 * Variants (conformance/variants.tsv): correct behaviours other peers have
 * and a judge must accept - Acks late, at random, in reversed batches;
 * duplicate keys read first-wins, last-wins or refused; invalid UTF-8
 * refused by the WebSocket layer first (1007); its own messages fragmented;
 * pings of its own; other close reasons. Faults (evk_faults.h) are bugs.
 *
 * Ownership: both live in a caller's evk_loop and must be freed before it.
 */
#ifndef EVK_REF_H
#define EVK_REF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "evk_faults.h"
#include "evk_net.h"
#include "evk_profile.h"
#include "evk_validate.h"

typedef struct evk_ref_opts {
    const evk_profile *profile;
    uint64_t ack_limit_ms;   /* server: the limit it declares (> 0) */
    evk_fault fault;         /* EVK_FAULT_NONE for a correct peer */
    const char *token;       /* server: required bearer token, or NULL */
    size_t max_message;      /* 0: 4 MiB */
    unsigned send_events;    /* client: Events to send once the handshake is done */
    uint64_t ack_delay_ms;   /* ack each Event this long after it came (still correct
                              * while below the limit): a slow but correct peer */
    /* Variants: each 0/false/NULL for the plain peer. */
    uint64_t ack_delay_random_ms; /* plus a random delay in [0, this] (below the limit) */
    unsigned ack_batch;      /* > 1: Acks held and sent this many at a time, newest first
                              * (none held longer than half the limit) */
    evk_dupkeys dup_keys;    /* how a repeated JSON key is read (first, last, reject) */
    bool utf8_first;         /* invalid UTF-8 in a text frame: close 1007 at once, before
                              * anything pending (as a WebSocket layer that validates) */
    unsigned fragment_own;   /* > 1: its own messages go out in this many fragments */
    uint64_t ping_every_ms;  /* > 0: a ping of its own this often */
    const char *close_reason;/* every close with this reason (<= 123 bytes) */
    bool verbose;            /* log connections and closes on stderr */
} evk_ref_opts;

typedef struct evk_ref_server evk_ref_server;

/* Listen on host:port (0: a free port, written to *bound_port). */
evk_ref_server *evk_ref_server_new(evk_loop *l, const evk_ref_opts *o, const char *host, int port,
                                   int *bound_port, char *err, size_t errcap);
void evk_ref_server_free(evk_ref_server *s);

typedef struct evk_ref_client evk_ref_client;

/* Connect to url; when the connection ends the client calls
 * evk_loop_stop() unless keep_loop is set. */
evk_ref_client *evk_ref_client_new(evk_loop *l, const evk_ref_opts *o, const char *url,
                                   bool keep_loop, char *err, size_t errcap);
/* Did it finish? How did the connection end (one line)? */
bool evk_ref_client_done(const evk_ref_client *c, char *how, size_t cap);
void evk_ref_client_free(evk_ref_client *c);

#endif
