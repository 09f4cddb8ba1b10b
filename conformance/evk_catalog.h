/* evk_catalog.h - every conformance case, in report order, and the
 * selection a run makes from them (role, CASES/EXCLUDE globs). */
#ifndef EVK_CATALOG_H
#define EVK_CATALOG_H

#include <stdbool.h>
#include <stddef.h>

#include "evk_case.h"

/* All cases (both roles), in report order; *n gets the count. */
const evk_case *const *evk_catalog_all(size_t *n);

/* The cases for a target role matching any of the comma-separated include
 * globs (NULL: all) and none of the exclude globs. *out is malloc'd (caller
 * frees). EVK_EINVAL with one line in err when a glob matches no case. */
int evk_catalog_select(unsigned target_roles, const char *include, const char *exclude,
                       const evk_case ***out, size_t *n, char *err, size_t errcap);

/* Why a selected case cannot run here (strict-only under a profile without
 * the fatal status, a field the profile's Events do not have, upgrade cases
 * without a token), as one line into why; false (why untouched) when it can. */
bool evk_catalog_skip_reason(const evk_case *c, const evk_profile *p, bool has_token, char *why, size_t cap);

#endif
