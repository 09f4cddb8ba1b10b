/* status: the later revision's status, payload and reason (PROTOCOL.md §6),
 * for profiles whose Events have them (latest, strict). */
#include "evk_cases.h"

const evk_case evk_cases_status[] = {
    {.id = "status.fatal", .roles = EVK_ROLES_SC, .flags = EVK_CF_STRICT_ONLY,
     .spec = "PROTOCOL.md §6 (profiles with a fatal status): sending \"status\": \"fatal\" is itself a violation, an Event with the fatal status.",
     .doing = "send an Event with status fatal",
     .steps = STEPS(SEND(EV(.set = "status", .to = "\"fatal\"")))},
    {.id = "status.unknown", .roles = EVK_ROLES_SC, .needs_field = "status",
     .spec = "PROTOCOL.md §6 (profiles whose Events have a status field): status is one of ok, error, fatal; another value is an invalid value.",
     .doing = "send an Event with status \"maybe\"",
     .steps = STEPS(SEND(EV(.set = "status", .to = "\"maybe\"")))},
    {.id = "status.missing", .roles = EVK_ROLES_SC, .needs_field = "status",
     .spec = "PROTOCOL.md §6 (profiles whose Events have a status field): status is mandatory in an Event; without it, a mandatory field is missing.",
     .doing = "send an Event without status",
     .steps = STEPS(SEND(EV(.drop = "status")))},
    {.id = "payload.missing", .roles = EVK_ROLES_SC, .needs_field = "payload",
     .spec = "PROTOCOL.md §6 (profiles whose Events have a payload field): payload (an object) is mandatory in an Event; without it, a mandatory field is missing.",
     .doing = "send an Event without payload",
     .steps = STEPS(SEND(EV(.drop = "payload")))},
    {.id = "reason.string-or-null", .roles = EVK_ROLES_SC, .needs_field = "reason",
     .spec = "PROTOCOL.md §6 (profiles whose Events have a reason field): an Event may carry reason, a string or null (absent = null).",
     .doing = "send an Event with \"reason\":\"disk full\" and one with \"reason\":null: both must be acked",
     .steps = STEPS(SEND(EV(.set = "reason", .to = "\"disk full\"")), SEND(EV(.set = "reason", .to = "null")))},
    {.id = "reason.not-string", .roles = EVK_ROLES_SC, .needs_field = "reason",
     .spec = "PROTOCOL.md §6 (profiles whose Events have a reason field): reason is a string or null; another JSON type is a wrong type.",
     .doing = "send an Event with \"reason\":42",
     .steps = STEPS(SEND(EV(.set = "reason", .to = "42")))},
};
EVK_FAMILY_COUNT(status, evk_cases_status);
