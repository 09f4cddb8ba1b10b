/* evk_err.h - the harness's own error codes (never a protocol violation).
 *
 * Every function of harness/core that can fail returns 0 on success or one
 * of the negative EVK_E* codes below; on failure nothing it was given is
 * changed. A protocol violation found in a message is NOT an error: the
 * validator succeeds and describes the violation in its result.
 */
#ifndef EVK_ERR_H
#define EVK_ERR_H

#define EVK_ERR_MAP(X)                                              \
    X(ENOMEM,    "out of memory")                                   \
    X(EINVAL,    "invalid argument")                                \
    X(EPROFILE,  "profile is not usable")                           \
    X(EDUPID,    "id is already among the unacked Events")          \
    X(ENOTFOUND, "no unacked Event has that id")                    \
    X(EFULL,     "too many unacked Events")                         \
    X(ESTATE,    "not allowed in the session's current state")      \
    X(ECLOSED,   "the session is closed")                           \
    X(ETOOBIG,   "message exceeds the size limit")                  \
    X(ERANDOM,   "the OS random source failed")                     \
    X(EIO,       "input/output error")

enum {
    EVK_OK = 0,
    EVK__ERR_BASE = -100, /* every code below is < -100: no clash with -errno */
#define EVK_X(name, text) EVK_##name,
    EVK_ERR_MAP(EVK_X)
#undef EVK_X
};

/* A static description of err (EVK_OK included); never NULL. */
const char *evk_strerror(int err);

/* Lets the compiler check printf-style arguments (gcc and clang). */
#define EVK_PRINTF(fmt_index, first_arg) __attribute__((format(printf, fmt_index, first_arg)))

/* Number of elements of a true array. */
#define EVK_COUNTOF(a) (sizeof(a) / sizeof((a)[0]))

#endif
