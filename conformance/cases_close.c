/* close: "if and only if" the other peer violates the protocol, a peer
 * closes at once and says nothing more (seed "Close Codes", PROTOCOL.md §4). */
#include "evk_cases.h"

const evk_case evk_cases_close[] = {
    {.id = "close.silence", .roles = EVK_ROLES_SC,
     .spec = "PROTOCOL.md §4: a peer closes at once with the violation's code and sends no further data messages (no pending Acks) once it has seen the violation (the profile says whether that silence is required or recommended).",
     .doing = "send an Event with a valid id but an invalid sent_at: the close must come without an Ack of it",
     .steps = STEPS(SEND(EV(.set = "sent_at", .to = "\"not a timestamp\"")))},
    {.id = "close.soak", .roles = EVK_ROLES_SC,
     .spec = "PROTOCOL.md §4: a peer must not close on valid traffic (extra fields, fragmentation, pings, upper-case UUIDs, Unicode).",
     .doing = "send mixed valid traffic for the soak time: every Event acked, no close",
     .steps = STEPS(SOAK, WAIT_ACKS)},
};
EVK_FAMILY_COUNT(close, evk_cases_close);
