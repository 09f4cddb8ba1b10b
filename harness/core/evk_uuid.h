/* evk_uuid.h - UUIDs in their canonical textual form (PROTOCOL.md §2).
 *
 * Canonical form: 36 characters, hex digits in groups 8-4-4-4-12 separated
 * by '-', upper or lower case, any version or variant. Braces, "urn:uuid:"
 * prefixes and missing hyphens are not UUIDs. UUIDs compare as 128-bit
 * values, so "ABC…" and "abc…" name the same Event.
 * No allocation anywhere; evk_uuid_v4() and evk_random_u64() are the only
 * functions that read anything outside their arguments (the OS random source).
 */
#ifndef EVK_UUID_H
#define EVK_UUID_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct evk_uuid {
    uint8_t b[16];
} evk_uuid;

#define EVK_UUID_STRLEN 36 /* without the terminating NUL */

/* Parse exactly len bytes of s. 0, or EVK_EINVAL when s is not canonical. */
int evk_uuid_parse(const char *s, size_t len, evk_uuid *out);

/* Write the lower-case canonical form and a NUL into out (37 bytes). */
void evk_uuid_format(const evk_uuid *u, char out[EVK_UUID_STRLEN + 1]);

bool evk_uuid_equal(const evk_uuid *a, const evk_uuid *b);

/* A version-4 UUID from 16 random bytes (sets the version and variant bits). */
void evk_uuid_v4_from_bytes(const uint8_t random[16], evk_uuid *out);

/* A version-4 UUID from the OS random source. 0 or EVK_ERANDOM. */
int evk_uuid_v4(evk_uuid *out);

/* 64 random bits from the OS random source (hash keys, fuzzer seeds); the
 * same source as evk_uuid_v4. */
uint64_t evk_random_u64(void);

#endif
