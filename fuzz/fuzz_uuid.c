/* fuzz_uuid: evk_uuid_parse / _format / _equal / _v4_from_bytes.
 *
 * The input is the text to parse. Invariants:
 *  - parse agrees with a slow, obvious reading of PROTOCOL.md §2 (36
 *    characters; '-' at 8, 13, 18, 23; a hex digit everywhere else, found by
 *    looking it up in a string of the 22 allowed characters), and so do the
 *    16 bytes it produces;
 *  - format gives the lower-case canonical text, which parses to the same
 *    bytes, and equals the input folded to lower case;
 *  - case does not matter: the upper-cased input names the same UUID;
 *  - the first 16 bytes as randomness give a version-4, RFC 4122 variant
 *    UUID that keeps every other bit.
 */
#include <string.h>

#include "evk_err.h"
#include "evk_uuid.h"
#include "fuzz_util.h"

/* Value of a hex digit by its place in the list; -1 when it is not one. */
static int slow_hex(unsigned char c)
{
    static const char lower[] = "0123456789abcdef", upper[] = "0123456789ABCDEF";
    for (int i = 0; i < 16; i++)
        if (c == (unsigned char)lower[i] || c == (unsigned char)upper[i]) return i;
    return -1;
}

/* The slow reading: 0 and the bytes, or -1. */
static int slow_parse(const uint8_t *s, size_t len, uint8_t out[16])
{
    static const size_t hyphens[4] = {8, 13, 18, 23};
    if (len != 36) return -1;
    for (size_t h = 0; h < 4; h++)
        if (s[hyphens[h]] != '-') return -1;
    uint8_t digits[32];
    size_t nd = 0;
    for (size_t i = 0; i < 36; i++) {
        if (i == 8 || i == 13 || i == 18 || i == 23) continue;
        int v = slow_hex(s[i]);
        if (v < 0) return -1;
        digits[nd++] = (uint8_t)v;
    }
    for (size_t b = 0; b < 16; b++) out[b] = (uint8_t)(digits[2 * b] * 16 + digits[2 * b + 1]);
    return 0;
}

static unsigned char fold_lower(unsigned char c)
{
    return c >= 'A' && c <= 'Z' ? (unsigned char)(c - 'A' + 'a') : c;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    evk_uuid u;
    uint8_t want[16];
    int rc = evk_uuid_parse((const char *)data, size, &u);
    int slow = slow_parse(data, size, want);
    FZ_CHECK(rc == 0 || rc == EVK_EINVAL, "parse returned %d", rc);
    FZ_CHECK((rc == 0) == (slow == 0), "parse says %s, the slow reading says %s (%zu bytes)",
             rc == 0 ? "UUID" : "not a UUID", slow == 0 ? "UUID" : "not a UUID", size);
    if (rc == 0) {
        FZ_CHECK(memcmp(u.b, want, 16) == 0, "parse produced other bytes than the slow reading");
        char text[EVK_UUID_STRLEN + 1];
        memset(text, 'x', sizeof text);
        evk_uuid_format(&u, text);
        FZ_CHECK(text[EVK_UUID_STRLEN] == '\0' && strlen(text) == EVK_UUID_STRLEN, "format length");
        for (size_t i = 0; i < EVK_UUID_STRLEN; i++)
            FZ_CHECK((unsigned char)text[i] == fold_lower(data[i]), "format is not the lower-cased input at %zu: %s",
                     i, text);
        evk_uuid back;
        FZ_CHECK(evk_uuid_parse(text, EVK_UUID_STRLEN, &back) == 0 && evk_uuid_equal(&back, &u),
                 "format does not parse back: %s", text);
        char upper[EVK_UUID_STRLEN];
        for (size_t i = 0; i < EVK_UUID_STRLEN; i++)
            upper[i] = (char)(data[i] >= 'a' && data[i] <= 'z' ? data[i] - 'a' + 'A' : data[i]);
        FZ_CHECK(evk_uuid_parse(upper, EVK_UUID_STRLEN, &back) == 0 && evk_uuid_equal(&back, &u),
                 "the upper-case spelling is another UUID");
    }

    /* The same bytes as randomness for a version-4 UUID. */
    if (size >= 16) {
        evk_uuid v4;
        evk_uuid_v4_from_bytes(data, &v4);
        FZ_CHECK((v4.b[6] >> 4) == 4 && (v4.b[8] >> 6) == 2, "not version 4 / variant 10");
        for (size_t i = 0; i < 16; i++) {
            uint8_t keep = i == 6 ? 0x0f : i == 8 ? 0x3f : 0xff;
            FZ_CHECK((v4.b[i] & keep) == (data[i] & keep), "random bit lost in byte %zu", i);
        }
        evk_uuid raw;
        memcpy(raw.b, data, 16);
        FZ_CHECK(evk_uuid_equal(&raw, &v4) == (memcmp(raw.b, v4.b, 16) == 0), "equal is not bytewise");
    }
    return 0;
}
