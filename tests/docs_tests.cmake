# Reports, CI templates and docs (issue 8). Included by tests/CMakeLists.txt.
# The shell tests are POSIX sh; python3 only parses JSON, YAML and the DOM.

# report.html rendered by headless Chromium: counts, rows and details equal
# report.json; hostile bytes stay text; screenshots in $EVK_ARTIFACTS or
# build/tests/artifacts.
add_test(NAME docs.report-html
         COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/report_html.sh $<TARGET_FILE:evack> ${PROJECT_SOURCE_DIR})
set_tests_properties(docs.report-html PROPERTIES TIMEOUT 240)
