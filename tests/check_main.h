/* check_main.h - the main() every Check suite of evack uses.
 * ctest only sees exit codes, so a failed test must make main return 1. */
#ifndef EVK_CHECK_MAIN_H
#define EVK_CHECK_MAIN_H

#include <check.h>
#include <stdlib.h>

#define EVK_CHECK_MAIN(make_suite)                        \
    int main(void)                                        \
    {                                                     \
        SRunner *sr = srunner_create(make_suite());       \
        srunner_run_all(sr, CK_NORMAL);                   \
        int failed = srunner_ntests_failed(sr);           \
        srunner_free(sr);                                 \
        return failed ? EXIT_FAILURE : EXIT_SUCCESS;      \
    }

#endif
