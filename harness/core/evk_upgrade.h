/* evk_upgrade.h - the HTTP upgrade rules of PROTOCOL.md §5 in one table,
 * shared by the judge (what a server must answer) and the reference server
 * (what it answers).
 *
 * A bad upgrade is refused with an HTTP status before any WebSocket frame:
 * no or unparsable `Authorization: Bearer` header -> 400 (401 is also
 * accepted: many stacks answer every authentication failure so), a wrong
 * token -> 401, a token that already has an open WebSocket -> 409.
 * Pure data: no allocation, no state.
 */
#ifndef EVK_UPGRADE_H
#define EVK_UPGRADE_H

#include <stdbool.h>

typedef enum evk_upgrade {
    EVK_UPGRADE_NONE = 0,  /* an ordinary upgrade: the server lets it in (101) */
    EVK_UPGRADE_NO_TOKEN,  /* no Authorization header */
    EVK_UPGRADE_BAD_TOKEN, /* a bearer token that is not the right one */
    EVK_UPGRADE_SECOND,    /* a second connection with a token that has one open */
} evk_upgrade;

/* The status a server answers to that upgrade (101 for NONE). */
int evk_upgrade_status(evk_upgrade k);

/* Another status also accepted for that upgrade (401 for NO_TOKEN); 0: none. */
int evk_upgrade_also(evk_upgrade k);

/* Is status a correct answer to that upgrade (the status, or an accepted
 * alternative)? */
bool evk_upgrade_accepts(evk_upgrade k, int status);

/* "none", "no-token", "bad-token", "second-connection". */
const char *evk_upgrade_name(evk_upgrade k);

#endif
