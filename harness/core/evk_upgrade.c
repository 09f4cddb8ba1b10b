#include "evk_upgrade.h"

static const struct {
    const char *name;
    int status, also; /* also: another accepted status, 0 none */
} rules[] = {
    [EVK_UPGRADE_NONE] = {"none", 101, 0},
    [EVK_UPGRADE_NO_TOKEN] = {"no-token", 400, 401},
    [EVK_UPGRADE_BAD_TOKEN] = {"bad-token", 401, 0},
    [EVK_UPGRADE_SECOND] = {"second-connection", 409, 0},
};

static bool known(evk_upgrade k)
{
    return (unsigned)k < sizeof rules / sizeof rules[0];
}

int evk_upgrade_status(evk_upgrade k)
{
    return known(k) ? rules[k].status : 0;
}

int evk_upgrade_also(evk_upgrade k)
{
    return known(k) ? rules[k].also : 0;
}

bool evk_upgrade_accepts(evk_upgrade k, int status)
{
    return known(k) && status != 0 && (status == rules[k].status || status == rules[k].also);
}

const char *evk_upgrade_name(evk_upgrade k)
{
    return known(k) ? rules[k].name : "unknown";
}
