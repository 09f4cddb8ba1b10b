/* evk_run_private.h - what the runner's own files share. PRIVATE: only the
 * files listed below include it; everything else uses evk_runner.h and
 * evk_probe.h.
 *
 * The runner, by concern:
 *   evk_runner.c        scheduling: which case runs when (--jobs, one
 *                       connection at a time), second attempts of cases
 *                       judged while evack was starved, interruption, the
 *                       lag monitor, evk_suite_run
 *   evk_steps.c         one case's state machine: its phases, the step
 *                       interpreter, soak, the final wait, its timers, and
 *                       finish (judge, then let the connection go)
 *   evk_outbound.c      what evack sends: templates, Acks, the ids it used,
 *                       flow control, and what actually left (transcript,
 *                       model)
 *   evk_model.c         the model of a correct target (an evk_session in the
 *                       target's role): its predicted Acks and close
 *   evk_intake.c        what the target sends: pieces and reassembly, its
 *                       handshake, Events, Acks, pongs, close or drop; the
 *                       second connection of upgrade.second-connection
 *   evk_client_target.c client targets: the process started per case, its
 *                       connection and handshake, its end
 *   evk_probe.c         the reachability probe (its own header, evk_probe.h)
 *
 * One evk_case_run is one case in progress; its parts are grouped by the
 * file that owns (writes) them. Times are absolute evk_clock_ms() values
 * unless a field says "since t0".
 */
#ifndef EVK_RUN_PRIVATE_H
#define EVK_RUN_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "evk_err.h"
#include "evk_expand.h"
#include "evk_judge.h"
#include "evk_msgbuf.h"
#include "evk_proc.h"
#include "evk_runner.h"

#define EVK_CR_MAX_HELD 64
#define EVK_CR_CAP_MS 60000     /* no case runs longer than this, whatever the target does */
#define EVK_CR_CLIENT_QUIET_MS 100 /* a client target's silence that ends its opening burst */

typedef struct evk_suite_state evk_suite_state;
typedef struct evk_case_run evk_case_run;

typedef enum evk_phase {
    EVK_PH_CONNECT,   /* waiting for the connection */
    EVK_PH_HANDSHAKE, /* S: for its handshake Event; C: for the Ack of ours */
    EVK_PH_STEPS,     /* running the case's steps */
    EVK_PH_FINAL,     /* steps done: waiting for the last Acks or the close */
    EVK_PH_DONE,      /* judged */
} evk_phase;

/* The model of a correct target (evk_model.c): one session per reading of
 * duplicate keys (obs.rd[k]), a single one until evack sends a message with
 * a duplicate key. */
typedef struct evk_cr_model {
    evk_session *session[EVK_READINGS_MAX]; /* [0] NULL until the handshake */
    evk_timer *tick;      /* fires at the models' next deadline */
} evk_cr_model;

/* What evack sends (evk_outbound.c). */
typedef struct evk_cr_out {
    evk_uuid *ids;          /* every id we put into a message: an Ack naming one is */
    size_t nids, capids;    /* an Ack of ours (maybe invalid), not of something unknown */
    unsigned long queued;   /* messages handed to the connection */
    unsigned long left;     /* ... and those that left */
    evk_tref entry;         /* the transcript entry of the message leaving */
    uint32_t rtt_seq;       /* round-trip pings sent (obs.rtt holds the last ones) */
} evk_cr_out;

/* The handshake (server targets: evk_intake.c; client targets:
 * evk_client_target.c and evk_outbound.c). */
typedef struct evk_cr_handshake {
    bool seen;       /* S: the target's handshake Event came ... */
    uint64_t t;      /* ... at this time */
    bool ack_sent;   /* S: we acked it */
    bool ours_known; /* C: our handshake Event's id is in x.hs */
    bool acked;      /* C: the client acked our handshake Event */
} evk_cr_handshake;

/* The message being received (evk_intake.c). */
typedef struct evk_cr_in {
    evk_msgbuf buf;
    bool binary;
    bool too_big;       /* over max_message: the rest of it is ignored */
    evk_tref entry;     /* its transcript entry */
    unsigned long msgs; /* messages the target sent in this case */
    bool partial;       /* a message has begun and is not complete (nor too big) */
    uint64_t t_first;   /* when the first piece of the current one came */
    uint64_t t_last;    /* when the last one was complete */
} evk_cr_in;

/* A target Event evack holds unacked on purpose. */
typedef struct evk_held_event {
    evk_uuid id;
    uint64_t t; /* when it came */
    bool acked;
} evk_held_event;

/* Held target Events (evk_intake.c holds them, evk_steps.c acks them). */
typedef struct evk_cr_held {
    evk_held_event ev[EVK_CR_MAX_HELD];
    int n;        /* held so far */
    int want;     /* how many the HOLD step wants */
    bool holding; /* new Events are held, not acked */
} evk_cr_held;

/* The soak step (evk_steps.c). */
typedef struct evk_cr_soak {
    uint64_t end, next; /* when it ends; when its next burst is due */
    unsigned round;
    bool a_unacked;     /* an Event with the case's id `a` awaits its Ack (evk_intake.c clears it) */
} evk_cr_soak;

/* The client process of a client-target case (evk_client_target.c). */
typedef struct evk_cr_client {
    evk_proc *proc;     /* the client started for this case */
    evk_timer *poll;    /* polls its output and exit */
    bool started;       /* the case waits for (or has) its connection */
    bool accepted;      /* its connection was let in */
    bool stopping;      /* judged: waiting for the process to end */
    uint64_t exited_at; /* when it was seen to end without connecting */
    uint64_t kill_at;   /* when SIGKILL follows an ignored SIGTERM */
} evk_cr_client;

/* Second attempts (evk_runner.c). Kept when a case is started again. */
typedef struct evk_cr_retry {
    bool second;        /* this is (or will be) the second attempt, or none may follow */
    char first[256];    /* the first attempt's observed outcome */
    uint64_t first_lag; /* how late evack's loop ran during the first attempt */
    uint64_t max_lag;   /* ... and during this one (the lag monitor writes it) */
} evk_cr_retry;

struct evk_case_run {
    evk_suite_state *s;
    const evk_case *c;
    evk_case_result *r;
    evk_conn *conn;
    evk_conn *conn2;     /* upgrade.second-connection */
    evk_timer *timer;    /* the current phase's (or step's) timeout */
    evk_timer *cap;      /* EVK_CR_CAP_MS; then the wait for a close (one_connection) */
    evk_obs obs;         /* what the judge gets */
    uint64_t t0;         /* when the case started */
    uint64_t limit, tol; /* the ack limit in force, and the deadline tolerance */
    evk_phase ph;
    int step;
    uint64_t wait_until; /* the current step's (or the final wait's) timeout */
    evk_expand_ctx x;    /* the ids templates name (a, b, hs, held) */
    bool finished;       /* judged */
    bool closing;        /* one_connection: judged, waiting for the close to complete */
    bool deaf;           /* the target stopped reading (or floods): end the case */
    evk_cr_model model;
    evk_cr_out out;
    evk_cr_handshake hs;
    evk_cr_in in;
    evk_cr_held held;
    evk_cr_soak soak;
    evk_cr_client client;
    evk_cr_retry retry;
};

struct evk_suite_state {
    evk_suite_opts o;
    int port; /* client targets: where evack listens */
    evk_timer *monitor;
    uint64_t monitor_due;
    size_t *retries; /* cases to run again, alone, at the end */
    size_t nretries, next_retry;
    bool interrupted;
    uint64_t next_progress;
    const evk_case *const *cases;
    evk_case_result *results;
    evk_case_run *runs; /* one per case */
    size_t n, next, running, done;
};

static inline uint64_t evk_cr_now(void)
{
    return evk_clock_ms();
}

/* t as milliseconds since the case started. */
static inline uint64_t evk_cr_rel(const evk_case_run *r, uint64_t t)
{
    return t >= r->t0 ? t - r->t0 : 0;
}

static inline bool evk_cr_target_is_client(const evk_case_run *r)
{
    return r->s->o.target_role == EVK_ROLE_CLIENT;
}

/* evk_runner.c */
/* The case is judged: keep its result, or queue a second attempt. */
void evk_cr_judged(evk_case_run *r);
/* The case's slot is free (connection and client gone): start the next. */
void evk_cr_slot_free(evk_case_run *r);

/* evk_steps.c */
EVK_PRINTF(2, 3) void evk_cr_note(evk_case_run *r, const char *fmt, ...);
/* The target broke the protocol (or evack failed: EVK_P_INTERNAL): the case
 * fails, saying what happened; the kind goes to the judge as a bit. */
EVK_PRINTF(3, 4) void evk_cr_broke(evk_case_run *r, evk_problem kind, const char *fmt, ...);
const evk_step *evk_cr_steps(const evk_case_run *r); /* the steps for this target's role */
void evk_cr_run_steps(evk_case_run *r);
void evk_cr_wait_for(evk_case_run *r, uint64_t until);
void evk_cr_enter_final(evk_case_run *r);
/* In the final phase: finish at `until`, or later while a message is still
 * arriving or one of evack's own has not left. */
void evk_cr_final_wait(evk_case_run *r, uint64_t until);
void evk_cr_finish(evk_case_run *r);
void evk_cr_on_timer(evk_timer *t, void *user);
void evk_cr_on_cap(evk_timer *t, void *user);

/* evk_outbound.c */
void evk_cr_send_bytes(evk_case_run *r, const char *data, size_t len, unsigned flags);
/* A flag for `how` beside EVK_F_*: a step sends the message, so a ping goes
 * first when it may violate the protocol (its round trip widens "closes at
 * once", PROTOCOL.md §4). */
#define EVK_CR_STEP (1u << 8)
/* Expand and send a template (as `fragments` pieces when > 1). 0, or -1
 * when the template is bad (the case is then broken: finish it). A message
 * with a duplicate key forks the model into its three readings first. */
int evk_cr_send_tpl(evk_case_run *r, const evk_msg_tpl *t, unsigned how, int fragments);
/* Ack the target's Event id (tpl: the Ack's template; NULL: a valid one;
 * how: EVK_CR_STEP or 0). */
void evk_cr_send_ack_of(evk_case_run *r, const evk_uuid *id, const evk_msg_tpl *tpl, unsigned how);
/* A pong came: a round-trip ping's (0) or another's (-1). */
int evk_cr_rtt_pong(evk_case_run *r, const evk_net_event *ev);
void evk_cr_remember_sent(evk_case_run *r, const char *text, size_t len);
bool evk_cr_we_sent(const evk_case_run *r, const evk_uuid *id);
bool evk_cr_all_left(const evk_case_run *r); /* every message queued has left */
/* A frame left: into the transcript and, for data, into the model. */
void evk_cr_on_sent(evk_case_run *r, const evk_net_event *ev);
void evk_cr_out_free(evk_case_run *r);

/* evk_model.c */
/* Create and start the model in the target's role (S: with its handshake
 * Event hs_id and the limit it declared). 0, or -1 when out of memory. */
int evk_cr_model_start(evk_case_run *r, evk_role role, uint64_t limit_ms, const evk_uuid *hs_id, uint64_t t);
/* A message with a duplicate key is about to leave: from now on the model
 * is three, one per reading (first wins, last wins, refused). 0, or -1 when
 * out of memory (the case then goes on with the readings it has). */
int evk_cr_model_fork(evk_case_run *r);
size_t evk_cr_model_readings(const evk_case_run *r);
/* The target sent an Event: the models record it. EVK_EDUPID, EVK_EFULL, or 0. */
int evk_cr_model_target_event(evk_case_run *r, const evk_uuid *id, uint64_t t);
/* A data frame of ours left: the models see exactly what left, in order. */
void evk_cr_model_input(evk_case_run *r, const evk_net_event *ev);
/* Run the models to their next deadline (what they do then is predicted, as
 * happening at that deadline). false when none has one. */
bool evk_cr_model_expire(evk_case_run *r);
bool evk_cr_model_deadline(const evk_case_run *r, uint64_t *at);
/* Does some reading still expect the connection to go on (no close
 * predicted)? The steps run while one does. */
bool evk_cr_model_open(const evk_case_run *r);
/* Has every open reading seen all the Acks it predicts? */
bool evk_cr_model_acks_in(const evk_case_run *r);
void evk_cr_model_on_tick(evk_timer *t, void *user);
void evk_cr_model_free(evk_case_run *r);

/* evk_intake.c */
/* The callback of the case's connection. */
void evk_cr_on_conn(evk_conn *c, const evk_net_event *ev, void *user);
/* No handshake Event came: the case fails, saying why (silent: nothing came). */
void evk_cr_no_handshake(evk_case_run *r, const char *what, bool silent);
void evk_cr_in_free(evk_case_run *r);

/* evk_client_target.c */
/* Start the client for this case (the case is finished when it cannot be). */
void evk_cr_client_start(evk_case_run *r);
/* The listener's decision on an upgrade to /case/<id> (evk_accept_cb). */
int evk_cr_client_accept(const evk_accept_info *info, void *user, evk_conn_cb *cb, void **cuser);
/* Its connection opened: send our handshake Event (or run the steps). */
void evk_cr_client_open(evk_case_run *r, evk_conn *c);
/* It did not connect in time: say so in obs.end_error. */
void evk_cr_client_no_connection(evk_case_run *r);
/* Judged: close its connection and end its process group. */
void evk_cr_client_stop(evk_case_run *r);
/* Its slot is freed: note its exit and output, reap what is left. */
void evk_cr_client_reap(evk_case_run *r);

#endif
