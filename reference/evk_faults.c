#include "evk_faults.h"

#include <stdbool.h>
#include <string.h>

static evk_fault_info table[] = {
    {EVK_FAULT_NONE, "none", EVK_FR_SC, "no fault: the correct reference peer"},
#define EVK_X(id, name, roles, what) {EVK_FAULT_##id, name, roles, what},
    EVK_FAULT_MAP(EVK_X)
#undef EVK_X
};

/* Faults whose row in EVK_FAULT_MAP says S that the reference client has
 * too: they act on what a peer receives or how it acks, the same in both
 * roles. Kept apart from the map's roles column while its encoding is being
 * unified; fold them into it then. */
static const evk_fault also_client[] = {
    EVK_FAULT_EMPTY_BINARY_IGNORED, EVK_FAULT_FRAGMENTS_REJECTED, EVK_FAULT_INVALID_UTF8_ACCEPTED,
    EVK_FAULT_JSON_COMMENTS, EVK_FAULT_JSON_SINGLE_QUOTES, EVK_FAULT_JSON_NAN, EVK_FAULT_JSON_CJSON_LENIENT,
    EVK_FAULT_JSON_NONOBJECT_CODE, EVK_FAULT_JSON_EMPTY_IGNORED, EVK_FAULT_DEEP_NESTING_CRASH,
    EVK_FAULT_LARGE_MESSAGE_4002, EVK_FAULT_UNICODE_ESCAPES_REJECTED, EVK_FAULT_WHITESPACE_REJECTED,
    EVK_FAULT_MISSING_TYPE_AS_EVENT, EVK_FAULT_TYPE_CASE_INSENSITIVE, EVK_FAULT_WRONG_TYPE_CODE,
    EVK_FAULT_MISSING_FIELD_CODE, EVK_FAULT_ID_ANY_STRING, EVK_FAULT_ID_BRACES_ACCEPTED,
    EVK_FAULT_UPPERCASE_UUID_REJECTED, EVK_FAULT_SENT_AT_UNCHECKED, EVK_FAULT_SENT_AT_NO_RANGE,
    EVK_FAULT_SENT_AT_ONLY_HHMM, EVK_FAULT_EXTRA_FIELDS_REJECTED, EVK_FAULT_STATUS_FATAL_IGNORED,
    EVK_FAULT_STATUS_UNCHECKED, EVK_FAULT_PAYLOAD_OPTIONAL, EVK_FAULT_REUSE_REJECTED,
    EVK_FAULT_ACK_STOPS_AFTER_200, EVK_FAULT_DUPLICATE_ACKED_ONCE, EVK_FAULT_OUT_OF_ORDER_ACK_REJECTED,
    EVK_FAULT_ACK_EXTRA_FIELDS_REJECTED, EVK_FAULT_ACK_UPPERCASE_REJECTED, EVK_FAULT_CLOSE_AFTER_50,
};

static void add_client_roles(void)
{
    static bool done;
    if (done) return;
    done = true;
    for (size_t i = 0; i < sizeof also_client / sizeof also_client[0]; i++)
        table[also_client[i]].roles |= EVK_FR_C;
}

const evk_fault_info *evk_fault_table(size_t *count)
{
    add_client_roles();
    *count = sizeof table / sizeof table[0];
    return table;
}

int evk_fault_lookup(const char *name, unsigned role)
{
    add_client_roles();
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
        if (strcmp(table[i].name, name) == 0 && (table[i].roles & role)) return (int)table[i].id;
    return -1;
}
