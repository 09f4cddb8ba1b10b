/* evk_role.h - the two sides of a connection, and sets of them.
 *
 * A peer is the server (it accepted the WebSocket connection) or the client
 * (PROTOCOL.md §1). A set of roles, one bit per evk_role, says which sides
 * something applies to: a conformance case (the role of the target under
 * test), a fault of the reference peers (the role of the faulty peer).
 * Header only; no state.
 */
#ifndef EVK_ROLE_H
#define EVK_ROLE_H

typedef enum evk_role { EVK_ROLE_SERVER = 0, EVK_ROLE_CLIENT } evk_role;

#define EVK_ROLE_BIT(r) (1u << (unsigned)(r))
#define EVK_ROLES_S EVK_ROLE_BIT(EVK_ROLE_SERVER)
#define EVK_ROLES_C EVK_ROLE_BIT(EVK_ROLE_CLIENT)
#define EVK_ROLES_SC (EVK_ROLES_S | EVK_ROLES_C)

/* "both", "server", "client" or "none": a set of roles in words. */
static inline const char *evk_roles_name(unsigned roles)
{
    roles &= EVK_ROLES_SC;
    return roles == EVK_ROLES_SC ? "both" : roles == EVK_ROLES_S ? "server" : roles == EVK_ROLES_C ? "client" : "none";
}

#endif
