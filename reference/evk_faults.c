#include "evk_faults.h"

#include <string.h>

static const evk_fault_info table[] = {
    {EVK_FAULT_NONE, "none", EVK_ROLES_SC, "no fault: the correct reference peer"},
#define EVK_X(id, name, roles, what) {EVK_FAULT_##id, name, roles, what},
    EVK_FAULT_MAP(EVK_X)
#undef EVK_X
};

const evk_fault_info *evk_fault_table(size_t *count)
{
    *count = sizeof table / sizeof table[0];
    return table;
}

int evk_fault_lookup(const char *name, unsigned role)
{
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
        if (strcmp(table[i].name, name) == 0 && (table[i].roles & role)) return (int)table[i].id;
    return -1;
}
