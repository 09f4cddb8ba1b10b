# Reports, CI templates and docs. Included by tests/CMakeLists.txt.
# The shell tests are POSIX sh; python3 only parses JSON, YAML and the DOM.

# report.html rendered by headless Chromium: counts, rows and details equal
# report.json; hostile bytes stay text; screenshots in $EVK_ARTIFACTS or
# build/tests/artifacts.
add_test(NAME docs.report-html
         COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/report_html.sh $<TARGET_FILE:evack> ${PROJECT_SOURCE_DIR})
set_tests_properties(docs.report-html PROPERTIES TIMEOUT 240)

# ci/evack-gate.sh end to end against the reference server.
add_test(NAME docs.ci-gate
         COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/ci_gate.sh $<TARGET_FILE:evack> ${PROJECT_SOURCE_DIR})
set_tests_properties(docs.ci-gate PROPERTIES TIMEOUT 180)

# The GitHub and GitLab templates parse (python3-yaml) and hold together.
add_test(NAME docs.ci-templates
         COMMAND python3 ${CMAKE_CURRENT_SOURCE_DIR}/ci_templates_check.py ${PROJECT_SOURCE_DIR})
set_tests_properties(docs.ci-templates PROPERTIES TIMEOUT 60)

# docs/catalog.md equals a fresh `evack list --traceability conformance/rules.tsv`.
add_test(NAME docs.catalog
         COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/docs_catalog.sh $<TARGET_FILE:evack> ${PROJECT_SOURCE_DIR})
set_tests_properties(docs.catalog PROPERTIES TIMEOUT 60)

# docs/guide.md and ci/README.md: links resolve, the example profile works,
# every option and make variable named exists.
add_test(NAME docs.guide
         COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/docs_guide.sh $<TARGET_FILE:evack> ${PROJECT_SOURCE_DIR})
set_tests_properties(docs.guide PROPERTIES TIMEOUT 60)
