/* handshake: the server declares the ack time limit in its first Event; the
 * client acks it before anything else (PROTOCOL.md §1). */
#include "evk_cases.h"

const evk_case evk_cases_handshake[] = {
    {.id = "handshake.policy", .roles = EVK_ROLES_S, .flags = EVK_CF_HANDSHAKE,
     .spec = "PROTOCOL.md §1: the server's first message is an Event that declares the ack time-limit policy (a number > 0 at the profile's pointer); a handshake Event without a valid policy is a violation by the server.",
     .doing = "connect and read the first message"},
    {.id = "handshake.ack", .roles = EVK_ROLES_S, .flags = EVK_CF_HANDSHAKE,
     .spec = "PROTOCOL.md §1: the client's Ack of the handshake Event ends the handshake phase; the messaging phase begins.",
     .doing = "ack the handshake Event, then send an Event: it must be acked",
     .steps = STEPS(SEND(EV()))},
    {.id = "handshake.expired", .roles = EVK_ROLES_S, .flags = EVK_CF_HANDSHAKE | EVK_CF_HOLD_HANDSHAKE,
     .spec = "PROTOCOL.md §3: an Event not acked in time is a violation by the peer that should have acked it: the Event's sender closes the connection (the handshake Event included).",
     .doing = "never ack the handshake Event: the server must close at the limit with the timeout code"},
    {.id = "handshake.early-event", .roles = EVK_ROLES_S, .flags = EVK_CF_HANDSHAKE | EVK_CF_HOLD_HANDSHAKE | EVK_CF_EARLY,
     .spec = "PROTOCOL.md §1: before the client has acked the handshake Event it sends nothing else; whether an early message is a violation or informational is the profile's choice.",
     .doing = "send an Event before acking the handshake Event",
     .steps = STEPS(SEND(EV()), ACK_HANDSHAKE(ACK(.id = "hs"), 0))},
    {.id = "handshake.client-ack", .roles = EVK_ROLES_C, .flags = EVK_CF_HANDSHAKE,
     .spec = "PROTOCOL.md §1: the client acknowledges the handshake Event (within the limit, like every Event) and sends nothing before that Ack.",
     .doing = "send our handshake Event: the client must ack it in time, and send no Event before its Ack"},
    {.id = "handshake.missing-policy", .roles = EVK_ROLES_C, .flags = EVK_CF_HANDSHAKE | EVK_CF_OWN_HANDSHAKE,
     .spec = "PROTOCOL.md §1: a handshake Event without a valid policy is a violation by the server; a missing policy is a missing field.",
     .doing = "send a handshake Event whose payload has no ack_timeout",
     .steps = STEPS(SEND(EV(.payload = "{\"note\":\"no policy here\"}")))},
    {.id = "handshake.bad-policy", .roles = EVK_ROLES_C, .flags = EVK_CF_HANDSHAKE | EVK_CF_OWN_HANDSHAKE,
     .spec = "PROTOCOL.md §1: a policy that is not a number is a wrong type.",
     .doing = "send a handshake Event with \"ack_timeout\":\"1\"",
     .steps = STEPS(SEND(EV(.payload = "{\"ack_timeout\":\"1\"}")))},
    {.id = "handshake.zero-policy", .roles = EVK_ROLES_C, .flags = EVK_CF_HANDSHAKE | EVK_CF_OWN_HANDSHAKE,
     .spec = "PROTOCOL.md §1: a policy that is not finite and > 0 is an invalid value.",
     .doing = "send a handshake Event with \"ack_timeout\":0",
     .steps = STEPS(SEND(EV(.payload = "{\"ack_timeout\":0}")))},
};
EVK_FAMILY_COUNT(handshake, evk_cases_handshake);
