/* frame: every message is one WebSocket text message, possibly fragmented
 * (seed "Message Structure", PROTOCOL.md §2). */
#include "evk_cases.h"

const evk_case evk_cases_frame[] = {
    {.id = "frame.binary", .roles = EVK_ROLES_SC,
     .spec = "seed, Close Codes: a binary message is the violation \"a message is not a text frame\".",
     .doing = "send a valid Event in a binary frame",
     .steps = STEPS(SEND_BINARY(EV()))},
    {.id = "frame.binary-empty", .roles = EVK_ROLES_SC,
     .spec = "seed, Close Codes: a binary message, even an empty one, is the violation \"a message is not a text frame\".",
     .doing = "send an empty binary message",
     .steps = STEPS(SEND_BINARY(RAW("")))},
    {.id = "frame.fragmented", .roles = EVK_ROLES_SC,
     .spec = "PROTOCOL.md §2: a message may arrive fragmented; fragments are reassembled first. §4: a peer must not close on valid traffic (fragmentation).",
     .doing = "send a valid Event in 3 fragments: it must be acked",
     .steps = STEPS(SEND_FRAGMENTS(EV(), 3))},
    {.id = "frame.ping", .roles = EVK_ROLES_SC,
     .spec = "RFC 6455 §5.5.2 (a ping is answered with a pong) and PROTOCOL.md §4: pings are valid traffic, never a reason to close.",
     .doing = "send a ping, then an Event: a pong must come back and the Event be acked",
     .steps = STEPS(PING, SEND(EV()))},
    {.id = "frame.invalid-utf8", .roles = EVK_ROLES_SC, .also_codes = {1007},
     .spec = "PROTOCOL.md §2: text messages are UTF-8; invalid UTF-8 may be refused at the WebSocket level (1007) or as not JSON.",
     .doing = "send an Event whose extra string field holds the bytes FF FE",
     .steps = STEPS(SEND(EV(.extra = ",\"x\":\"\xff\xfe\"")))},
};
EVK_FAMILY_COUNT(frame, evk_cases_frame);
