# Sourced by the end-to-end test scripts: one way to record a check.
#   check NAME ok|bad DETAIL   prints "ok   NAME" or "FAIL NAME: DETAIL"
# and counts failures in $fails; a script ends with [ $fails -eq 0 ].
fails=0
check() {
    if [ "$2" = ok ]; then echo "ok   $1"; else echo "FAIL $1: $3"; fails=$((fails + 1)); fi
}
