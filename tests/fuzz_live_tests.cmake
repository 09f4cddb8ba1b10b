# The live fuzzer (docs/fuzz-live.md), included by tests/CMakeLists.txt; its
# unit test, unit.fuzzlive, sits with the other unit tests there.
#
# fuzz_live.cli             usage errors and unreachable targets exit 2, replay says no
# fuzz_live.clean.<profile> a run against the correct reference server finds
#                           nothing (EVK_FL_CLEAN_S seconds, default 5)
# fuzz_live.fault.<name>    for every server fault of conformance/faults.tsv that
#                           the oracle can observe: a run of at most EVK_FL_FAULT_S
#                           seconds (default 30) finds it, and its minimised replay
#                           reproduces against the faulty server and not against the
#                           correct one. Each usually takes 2-8 s. Under ASan
#                           (EVK_SANITIZE) one fault per problem kind.
# Not observable by a fuzzer that never varies the HTTP upgrade (they need the
# server started with --token and a bearer header): the upgrade faults below.
set(EVK_FL_SCRIPT ${CMAKE_CURRENT_LIST_DIR}/fuzz_live.sh)
add_test(NAME fuzz_live.cli COMMAND sh ${EVK_FL_SCRIPT} $<TARGET_FILE:evack> cli)
set_tests_properties(fuzz_live.cli PROPERTIES LABELS fuzz_live TIMEOUT 60)
foreach(profile seed latest strict)
  add_test(NAME fuzz_live.clean.${profile}
           COMMAND sh ${EVK_FL_SCRIPT} $<TARGET_FILE:evack> clean ${profile})
  set_tests_properties(fuzz_live.clean.${profile} PROPERTIES LABELS fuzz_live TIMEOUT 300)
endforeach()

# The client role, against the reference client: the correct one, and two
# faults (every session starts a client process: slower, so only a sample;
# docs/fuzz-live.md says which client faults it finds).
add_test(NAME fuzz_live.client.clean COMMAND sh ${EVK_FL_SCRIPT} $<TARGET_FILE:evack> client-clean seed)
set_tests_properties(fuzz_live.client.clean PROPERTIES LABELS fuzz_live TIMEOUT 120)
foreach(fault ack-twice deadline-never)
  add_test(NAME fuzz_live.client.fault.${fault}
           COMMAND sh ${EVK_FL_SCRIPT} $<TARGET_FILE:evack> client-fault ${fault} seed)
  set_tests_properties(fuzz_live.client.fault.${fault} PROPERTIES LABELS fuzz_live TIMEOUT 300)
endforeach()

# The correct peers as other implementations behave (conformance/variants.tsv):
# the fuzzer finds nothing against any of them (servers; clients start a
# process per session, so two of them).
file(STRINGS ${PROJECT_SOURCE_DIR}/conformance/variants.tsv EVK_FL_VARIANTS REGEX "^[^#]")
foreach(row IN LISTS EVK_FL_VARIANTS)
  string(REPLACE "\t" ";" cols "${row}")
  list(GET cols 0 variant)
  list(GET cols 1 roles)
  if(NOT roles MATCHES "server")
    continue()
  endif()
  add_test(NAME fuzz_live.variant.${variant} COMMAND sh ${EVK_FL_SCRIPT} $<TARGET_FILE:evack> variant ${variant} strict)
  set_tests_properties(fuzz_live.variant.${variant} PROPERTIES LABELS fuzz_live TIMEOUT 300)
endforeach()
foreach(variant random-delay all-at-once)
  add_test(NAME fuzz_live.client.variant.${variant}
           COMMAND sh ${EVK_FL_SCRIPT} $<TARGET_FILE:evack> client-variant ${variant} strict)
  set_tests_properties(fuzz_live.client.variant.${variant} PROPERTIES LABELS fuzz_live TIMEOUT 300)
endforeach()

set(EVK_FL_UNOBSERVABLE token-unchecked token-optional second-connection-allowed)
# Under ASan+UBSan the fault tests check evack's own memory on each of the
# oracle's paths, not again that every fault is found (the plain build does):
# one fault per problem of faults.tsv's problem column, the first listed.
set(EVK_FL_PROBLEMS_SEEN "")
file(STRINGS ${PROJECT_SOURCE_DIR}/conformance/faults.tsv EVK_FL_ROWS REGEX "^[^#]")
foreach(row IN LISTS EVK_FL_ROWS)
  string(REPLACE "\t" ";" cols "${row}")
  list(LENGTH cols ncols)
  if(ncols LESS 3)
    continue()
  endif()
  list(GET cols 0 fault)
  list(GET cols 1 role)
  list(GET cols 2 profiles)
  string(REPLACE "," ";" profiles "${profiles}")
  list(GET profiles 0 profile)
  if(NOT role STREQUAL "server" OR fault IN_LIST EVK_FL_UNOBSERVABLE)
    continue()
  endif()
  if(EVK_SANITIZE)
    list(GET cols 4 problem)
    if(problem IN_LIST EVK_FL_PROBLEMS_SEEN)
      continue()
    endif()
    list(APPEND EVK_FL_PROBLEMS_SEEN "${problem}")
  endif()
  add_test(NAME fuzz_live.fault.${fault}
           COMMAND sh ${EVK_FL_SCRIPT} $<TARGET_FILE:evack> fault ${fault} ${profile})
  set_tests_properties(fuzz_live.fault.${fault} PROPERTIES LABELS fuzz_live TIMEOUT 300)
endforeach()
