# The runner's private header (harness/suite/evk_run_private.h) is included
# by the runner's own files only; every other module uses its public
# headers (evk_runner.h, evk_probe.h).
#   cmake -DROOT=<source dir> -P private_headers.cmake
cmake_minimum_required(VERSION 3.18)
set(owners evk_runner.c evk_steps.c evk_outbound.c evk_model.c evk_intake.c evk_client_target.c)
file(GLOB_RECURSE files ${ROOT}/harness/*.c ${ROOT}/harness/*.h ${ROOT}/reference/*.c ${ROOT}/reference/*.h
     ${ROOT}/conformance/*.c ${ROOT}/conformance/*.h ${ROOT}/fuzz/*.c ${ROOT}/fuzz/*.h ${ROOT}/bench/*.c
     ${ROOT}/tests/*.c ${ROOT}/tests/*.h)
set(bad "")
foreach(f IN LISTS files)
  file(STRINGS ${f} hits REGEX "#[ \t]*include[ \t]*[\"<]evk_run_private\\.h[\">]")
  if(hits)
    get_filename_component(name ${f} NAME)
    get_filename_component(dir ${f} DIRECTORY)
    if(NOT dir STREQUAL "${ROOT}/harness/suite" OR NOT name IN_LIST owners)
      list(APPEND bad ${f})
    endif()
  endif()
endforeach()
if(bad)
  message(FATAL_ERROR "evk_run_private.h is the runner's own; included by: ${bad}")
endif()
message(STATUS "evk_run_private.h: included by the runner's files only")
