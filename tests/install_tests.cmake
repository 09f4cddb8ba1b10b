# evack where users work (issue 15): the manual page, make install, make
# package and the GitHub Action. Included by tests/CMakeLists.txt.

# docs/evack.1: mandoc reports nothing, and every subcommand and long option
# of evack's --help texts is in it.
add_test(NAME docs.manpage
         COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/docs_manpage.sh $<TARGET_FILE:evack> ${PROJECT_SOURCE_DIR})
set_tests_properties(docs.manpage PROPERTIES TIMEOUT 60)

# The tests below build and install evack itself (its own build tree, or a
# scratch one): once, in the plain build; the sanitizer build would only
# redo the same compile and package steps, which sanitizers cannot see into.
if(NOT EVK_SANITIZE)
# make install DESTDIR=scratch and make package + dpkg-deb -x: exactly the
# binary and the page, and the installed binary works from anywhere. Both run
# make on this build tree (a no-op build when it is up to date): one at a time.
foreach(mode destdir package)
  add_test(NAME install.${mode}
           COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/install.sh ${mode} ${PROJECT_SOURCE_DIR}
                   ${CMAKE_BINARY_DIR} ${PROJECT_VERSION})
  set_tests_properties(install.${mode} PROPERTIES TIMEOUT 300 RESOURCE_LOCK evack-build-tree)
endforeach()

# action.yml run the way the runner runs a composite action (its build step
# really builds evack, into a scratch directory) against reference servers:
# pass, fail (the action fails after the upload), baseline, a late server,
# nobody listening, a secret header.
add_test(NAME docs.ci-action
         COMMAND python3 ${CMAKE_CURRENT_SOURCE_DIR}/ci_action.py ${PROJECT_SOURCE_DIR} $<TARGET_FILE:evack>)
# It compiles evack (both cores) and runs deadline cases: alone, so that
# neither it nor the timing-sensitive tests beside it flake.
set_tests_properties(docs.ci-action PROPERTIES TIMEOUT 900 RUN_SERIAL TRUE)
endif()
