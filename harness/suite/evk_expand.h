/* evk_expand.h - turn a case's message template into the exact bytes to send.
 *
 * Placeholders (in raw text, in `to` and in `extra`):
 *   ${id}   a fresh UUID (the same one everywhere in this message)
 *   ${a} ${b}  UUIDs that stay the same for the whole case;  ${A}: ${a} upper-cased
 *   ${hs}   the target's handshake Event id;  ${held}: the held target Event
 *   ${now}  the current time, canonical (2026-01-05T15:34:02.123456+0000)
 *   ${pad:N}   N bytes of 'x';   ${deep:N}   N '[' then N ']'
 * Pure: randomness and time come in through the context.
 */
#ifndef EVK_EXPAND_H
#define EVK_EXPAND_H

#include <stddef.h>
#include <stdint.h>

#include "evk_case.h"
#include "evk_uuid.h"

typedef struct evk_expand_ctx {
    const evk_profile *profile;
    evk_uuid fresh;   /* this message's ${id} */
    evk_uuid a, b;
    evk_uuid hs, held;
    int64_t wall_us;
} evk_expand_ctx;

/* The message, malloc'd (caller frees), and its length. 0, EVK_ENOMEM, or
 * EVK_EINVAL for an unknown placeholder. */
int evk_expand(const evk_msg_tpl *t, const evk_expand_ctx *x, char **out, size_t *len);

/* The id the message names (its "id" member), when the template has one. */
const evk_uuid *evk_expand_id(const evk_msg_tpl *t, const evk_expand_ctx *x);

/* The template of the Event that asks a target for k Events of its own: k
 * at the profile's trigger pointer, however deep (under "payload", at the
 * top level, in a field of the schema). The strings it points to are
 * written into buf. 0, or EVK_EINVAL when the profile has no trigger or its
 * pointer cannot be built (empty, or too long for buf). */
int evk_trigger_tpl(const evk_profile *p, unsigned k, char *buf, size_t cap, evk_msg_tpl *out);

#endif
