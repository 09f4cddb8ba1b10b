#!/bin/sh
# The GitHub Action's last step (action.yml), after the report is uploaded:
# fails the action when evack did not exit 0.
#   EVACK_EXIT_CODE=N sh ci/action/finish.sh    (the run step's exit-code output)
# Exit status: 0 when N is 0; N when it is 1 or 2; 2 when the suite never ran.
set -u
code=${EVACK_EXIT_CODE:-}
case $code in
0) echo "evack-action: no case failed" ;;
1) echo "evack-action: a case failed: see the job summary and the report artifact" >&2 ;;
'') echo "evack-action: the suite did not run (an earlier step failed)" >&2; code=2 ;;
*[!0-9]*) echo "evack-action: exit-code '$code' is not a number" >&2; code=2 ;;
*) echo "evack-action: the run could not be made (evack exit $code): see the job summary" >&2 ;;
esac
exit "$code"
