/* status (strict profile only): the later revision's status, payload and reason. */
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
    {.id = "payload.missing", .roles = EVK_CASE_SC, .needs_field = "payload",
     .spec = "PROTOCOL.md §6 (strict): payload (an object) is mandatory in an Event (4003).",
     .doing = "send an Event without payload",
     .steps = STEPS(SEND(EV(.drop = "payload")))},
    {.id = "reason.string-or-null", .roles = EVK_CASE_SC, .needs_field = "reason",
     .spec = "PROTOCOL.md §6 (strict): an Event may carry reason, a string or null (absent = null).",
     .doing = "send an Event with \"reason\":\"disk full\" and one with \"reason\":null: both must be acked",
     .steps = STEPS(SEND(EV(.set = "reason", .to = "\"disk full\"")), SEND(EV(.set = "reason", .to = "null")))},
    {.id = "reason.not-string", .roles = EVK_CASE_SC, .needs_field = "reason",
     .spec = "PROTOCOL.md §6 (strict): reason is a string or null; another JSON type is a wrong type (4004, 4005 also accepted).",
     .doing = "send an Event with \"reason\":42",
     .steps = STEPS(SEND(EV(.set = "reason", .to = "42")))},
};
EVK_FAMILY_COUNT(status, evk_cases_status);
