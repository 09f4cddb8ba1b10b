/* ack: the target receives our Acks (seed "Message Flow", PROTOCOL.md §3). */
#include "evk_cases.h"

const evk_case evk_cases_ack[] = {
    {.id = "ack.unknown", .roles = EVK_ROLES_SC,
     .spec = "seed, Message Flow: each Ack must reference an Event that exists and has not already been acknowledged; PROTOCOL.md §3: an Ack for an unknown UUID is a violation (an unknown Ack).",
     .doing = "send an Ack for a UUID the target never used",
     .steps = STEPS(SEND(ACK()))},
    {.id = "ack.duplicate", .roles = EVK_ROLES_SC,
     .spec = "PROTOCOL.md §3: a second Ack for the same Event is a violation (an unknown Ack: the Event is already acked).",
     .doing = "ack one of the target's Events (a server's handshake Event) a second time",
     .steps = STEPS(SEND(ACK(.id = "hs"))),
     .c_steps = STEPS(HOLD(1), ACK_HELD(0, 0), SEND(ACK(.id = "held")))},
    {.id = "ack.out-of-order", .roles = EVK_ROLES_SC,
     .spec = "seed, Message Flow: Events and Acks may be sent & received out of order.",
     .doing = "get two Events of the target and ack the newer one first: no close",
     .steps = STEPS(HOLD(2), ACK_HELD(-1, 0), SEND(EV()))},
    {.id = "ack.extra-fields", .roles = EVK_ROLES_SC, .flags = EVK_CF_HOLD_HANDSHAKE,
     .spec = "PROTOCOL.md §2: undocumented fields are not a violation, in Acks too.",
     .doing = "ack one of the target's Events with extra fields, then send an Event: no close, the Event acked",
     .steps = STEPS(ACK_HANDSHAKE(ACK(.id = "hs", .extra = ",\"note\":\"hi\",\"n\":[1,{}]"), 0), SEND(EV())),
     .c_steps = STEPS(HOLD(1), ACK_HELD_WITH(0, 0, ACK(.extra = ",\"note\":\"hi\",\"n\":[1,{}]")), SEND(EV()))},
    {.id = "ack.uppercase-id", .roles = EVK_ROLES_SC, .flags = EVK_CF_HOLD_HANDSHAKE,
     .spec = "PROTOCOL.md §2: UUIDs are compared as 128-bit values: an Ack may spell the id in another case than the Event did.",
     .doing = "ack one of the target's Events with its id in upper case, then send an Event: no close",
     .steps = STEPS(ACK_HANDSHAKE(ACK(.id = "HS"), 0), SEND(EV())),
     .c_steps = STEPS(HOLD(1), ACK_HELD_WITH(0, 0, ACK(.id = "HELD")), SEND(EV()))},
};
EVK_FAMILY_COUNT(ack, evk_cases_ack);
