/* upgrade (server targets, only with a bearer token): the HTTP upgrade of
 * the API's HTTP documentation (PROTOCOL.md §5). */
#include "evk_cases.h"

const evk_case evk_cases_upgrade[] = {
    {.id = "upgrade.no-token", .roles = EVK_ROLES_S, .flags = EVK_CF_NEEDS_TOKEN, .upgrade = EVK_UPGRADE_NO_TOKEN,
     .spec = "PROTOCOL.md §5: a missing or unparsable Authorization header -> HTTP 400 (401 also accepted).",
     .doing = "upgrade without the Authorization header"},
    {.id = "upgrade.bad-token", .roles = EVK_ROLES_S, .flags = EVK_CF_NEEDS_TOKEN, .upgrade = EVK_UPGRADE_BAD_TOKEN,
     .spec = "PROTOCOL.md §5: a wrong token -> HTTP 401.",
     .doing = "upgrade with a bearer token that is not the given one"},
    {.id = "upgrade.second-connection", .roles = EVK_ROLES_S, .flags = EVK_CF_NEEDS_TOKEN, .upgrade = EVK_UPGRADE_SECOND,
     .spec = "PROTOCOL.md §5: a token that already has an open WebSocket -> HTTP 409.",
     .doing = "open a second connection with the token while the first is open"},
};
EVK_FAMILY_COUNT(upgrade, evk_cases_upgrade);
