#include "evk_err.h"

const char *evk_strerror(int err)
{
    switch (err) {
    case EVK_OK: return "success";
#define EVK_X(name, text) case EVK_##name: return text;
    EVK_ERR_MAP(EVK_X)
#undef EVK_X
    default: return "unknown error";
    }
}
