/* status (strict profile only): the later revision's status and payload. */
#include "evk_cases.h"

const evk_case evk_cases_status[] = {
    {.id = "status.fatal", .roles = EVK_CASE_SC, .flags = EVK_CF_STRICT_ONLY,
     .spec = "PROTOCOL.md §6 (strict): sending \"status\": \"fatal\" is itself a violation and the peer closes with 4009.",
     .doing = "send an Event with status fatal",
     .steps = STEPS(SEND(EV(.set = "status", .to = "\"fatal\"")))},
    {.id = "status.unknown", .roles = EVK_CASE_SC, .flags = EVK_CF_STRICT_ONLY,
     .spec = "PROTOCOL.md §6 (strict): status is one of ok, error, fatal (4005 otherwise).",
     .doing = "send an Event with status \"maybe\"",
     .steps = STEPS(SEND(EV(.set = "status", .to = "\"maybe\"")))},
    {.id = "status.missing", .roles = EVK_CASE_SC, .flags = EVK_CF_STRICT_ONLY,
     .spec = "PROTOCOL.md §6 (strict): status is mandatory in an Event (4003).",
     .doing = "send an Event without status",
     .steps = STEPS(SEND(EV(.drop = "status")))},
    {.id = "payload.missing", .roles = EVK_CASE_SC, .flags = EVK_CF_STRICT_ONLY,
     .spec = "PROTOCOL.md §6 (strict): payload (an object) is mandatory in an Event (4003).",
     .doing = "send an Event without payload",
     .steps = STEPS(SEND(EV(.drop = "payload")))},
};
EVK_FAMILY_COUNT(status, evk_cases_status);
