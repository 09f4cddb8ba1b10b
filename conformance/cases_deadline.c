/* deadline: the ack time limit, enforced by the Event's sender
 * (seed "Message Flow", PROTOCOL.md §3). */
#include "evk_cases.h"

const evk_case evk_cases_deadline[] = {
    {.id = "deadline.respected", .roles = EVK_ROLES_SC,
     .spec = "seed, Message Flow: each Event must be acknowledged within the time limit; an Ack in time is not a violation.",
     .doing = "ack one of the target's Events at 80% of the limit, then send an Event: no close (skip: a close for an "
              "ack timeout at the limit when the Ack left within the tolerance of it)",
     .steps = STEPS(HOLD(1), ACK_HELD(0, 0.8), SEND(EV()))},
    {.id = "deadline.expired", .roles = EVK_ROLES_SC,
     .spec = "PROTOCOL.md §3: an Event not acked in time is a violation (an ack timeout); the Event's sender closes, no earlier than the limit.",
     .doing = "never ack one of the target's Events: it must close within the limit ± tolerance",
     .steps = STEPS(HOLD(1))},
};
EVK_FAMILY_COUNT(deadline, evk_cases_deadline);
