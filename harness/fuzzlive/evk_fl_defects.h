/* evk_fl_defects.h - every violation class one message carries, whatever
 * order a peer checks in.
 *
 * PROTOCOL.md §2 fixes an order of checks (the first failure decides the
 * code), and the runner's model follows it; but "for messages with several
 * defects the live fuzzer's oracle accepts the code of any defect present".
 * This module finds those other defects: it puts each schema field of the
 * message, one at a time, into an otherwise valid message of the same kind
 * and validates that. The generator turns the extra classes into the case's
 * accepted alternatives (evk_case.also / also_codes).
 *
 * Pure: reads only its arguments. Time: none. Errors: none (a message it
 * cannot take apart yields just the validator's own verdict).
 */
#ifndef EVK_FL_DEFECTS_H
#define EVK_FL_DEFECTS_H

#include <stdbool.h>
#include <stddef.h>

#include "evk_case.h"
#include "evk_profile.h"

/* Bits (1u << evk_violation) of every class present; *first gets the class
 * the validator reports (EVK_V_NONE for a valid message). */
unsigned evk_fl_defects(const evk_profile *p, const char *text, size_t len, bool is_text,
                        evk_violation *first);

/* Add what a correct peer may also answer, besides the model's prediction,
 * to a case: the classes in `extra` (bits) and the close codes in `codes`
 * (0-terminated). The first class goes to c->also, the others as their
 * send codes into c->also_codes, then the codes. Returns false when it did
 * not all fit (the case then accepts less than it should: callers choose
 * another message). */
bool evk_fl_add_alternatives(evk_case *c, const evk_profile *p, unsigned extra, const int *codes);

#endif
