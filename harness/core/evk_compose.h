/* evk_compose.h - well-formed Events and Acks for a profile.
 *
 * Every message has the discriminator, "id" and "sent_at" first, then each
 * other required field of the profile's schema with its neutral value
 * (evk_neutral_value below). sent_at is formatted from wall_us as
 * %Y-%m-%dT%H:%M:%S.%f%z. Output goes to caller storage, NUL-terminated.
 * Returns 0, EVK_ETOOBIG when cap is too small, EVK_EINVAL for a payload
 * that is not a JSON object text, EVK_ENOMEM.
 */
#ifndef EVK_COMPOSE_H
#define EVK_COMPOSE_H

#include <stddef.h>
#include <stdint.h>

#include "evk_profile.h"
#include "evk_uuid.h"

int evk_compose_ack(const evk_profile *p, const evk_uuid *id, int64_t wall_us, char *out,
                    size_t cap, size_t *len);

/* payload_json: an object text put under "payload", or NULL. */
int evk_compose_event(const evk_profile *p, const evk_uuid *id, int64_t wall_us,
                      const char *payload_json, char *out, size_t cap, size_t *len);

/* The server's first Event: limit_ms declared at the profile's policy
 * pointer, in the profile's unit. */
int evk_compose_handshake(const evk_profile *p, const evk_uuid *id, int64_t wall_us,
                          uint64_t limit_ms, char *out, size_t cap, size_t *len);

/* The neutral value of field f, the value every message built from a
 * profile gives a required field nobody set (the composer here, the case
 * templates of harness/suite/evk_expand.c): as JSON text, the field's first
 * enumerated value that is not the profile's fatal value (for the fatal
 * field, evk_profile_is_fatal), else the first type f allows in the order
 * string, object, number, boolean, null, array: "", {}, 0, false, null, [].
 * Returns the length written into out (NUL-terminated), or EVK_ETOOBIG.
 * EVK_NEUTRAL_MAX is always enough. */
#define EVK_NEUTRAL_MAX (EVK_NAME_MAX * 6 + 3)
int evk_neutral_value(const evk_profile *p, const evk_field *f, char *out, size_t cap);

/* The policy value as the profile's unit expresses limit_ms (e.g. 0.3). */
double evk_policy_value(const evk_profile *p, uint64_t limit_ms);

#endif
