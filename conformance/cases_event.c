/* event: the target acks our Events exactly once (seed "Message Flow",
 * PROTOCOL.md §3). */
#include "evk_cases.h"

const evk_case evk_cases_event[] = {
    {.id = "event.acked-once", .roles = EVK_ROLES_SC,
     .spec = "seed, Message Flow: each Event must be acknowledged exactly once, within the time limit; each Ack references the Event by its UUID.",
     .doing = "send 5 Events: each must get exactly one well-formed Ack with its id, within the limit",
     .steps = STEPS(EVENTS(5), WAIT_ACKS)},
    {.id = "event.reuse-after-ack", .roles = EVK_ROLES_SC,
     .spec = "seed, Message Flow: a sending peer is only required to ensure UUID uniqueness within its current set of unacknowledged Events; PROTOCOL.md §4: a reused-after-ack UUID is valid traffic.",
     .doing = "send an Event, wait for its Ack, send another Event with the same UUID: it must be acked again",
     .steps = STEPS(SEND(EV(.id = "a")), WAIT_ACKS, SEND(EV(.id = "a")))},
    {.id = "event.pipelined", .roles = EVK_ROLES_SC, .flags = EVK_CF_RATE_LIMIT,
     .spec = "seed, Message Flow: each Event must be acknowledged exactly once, within the time limit (1,000 back to back); PROTOCOL.md §4: a server may close a client that sends too quickly with 1008 (the case is then skipped, its Acks so far checked for doubles); a client may not.",
     .doing = "send 1,000 Events back to back: 1,000 Acks; reports the Ack latency",
     .steps = STEPS(EVENTS(1000), WAIT_ACKS)},
    {.id = "event.duplicate-unacked", .roles = EVK_ROLES_SC, .also = EVK_V_DUPLICATE_ID,
     .spec = "PROTOCOL.md §3: two unacked Events with the same UUID from one peer are a violation; a receiver that acks at once may never see both unacked, so two Acks are also right. One Ack and no close is wrong.",
     .doing = "send two Events with the same UUID back to back",
     .steps = STEPS(SEND(EV(.id = "a")), SEND(EV(.id = "a")))},
};
EVK_FAMILY_COUNT(event, evk_cases_event);
