# Reliability tests and labels (included by the top CMakeLists.txt).
#
#   asan    in a -DPROCSIM_SANITIZE=address build: the unit tests and some
#           integration tests, against the ASan+UBSan daemon
#   stress  in that build: tests/rel_stress.sh, real tools against ctl storms
#   tsan    in a -DPROCSIM_SANITIZE=thread build: the unit tests and the
#           daemon under concurrent readers and ctl writers
# tools/test makes build-asan and build-tsan and runs these labels there.
set(REL_ENV "PROCSIM_BUILD=${CMAKE_BINARY_DIR};PROCSIM_SRC=${CMAKE_SOURCE_DIR}")
set(ASAN_IT_TESTS it_ctl_errors it_ctl_split it_threads it_pmap it_lifecycle it_permissions
  it_saverestore)

if(PROCSIM_SANITIZE STREQUAL "address")
  foreach(src ${UNIT_TESTS})
    get_filename_component(name ${src} NAME_WE)
    set_property(TEST ${name} APPEND PROPERTY LABELS asan)
  endforeach()
  set_property(TEST corebench_smoke APPEND PROPERTY LABELS asan)
  foreach(name ${ASAN_IT_TESTS})
    if(IT_TESTS_OF_${name})		# every mode of the script
      set_property(TEST ${IT_TESTS_OF_${name}} APPEND PROPERTY LABELS asan)
    endif()
  endforeach()
  add_test(NAME rel_stress COMMAND bash ${CMAKE_SOURCE_DIR}/tests/rel_stress.sh)
  # Timing-bound (each tool run has TOOL_TIMEOUT): alone, not beside ctest -j.
  set_tests_properties(rel_stress PROPERTIES LABELS stress TIMEOUT 600 RUN_SERIAL ON
    ENVIRONMENT "${REL_ENV};STRESS_SECONDS=60")
elseif(PROCSIM_SANITIZE STREQUAL "thread")
  foreach(src ${UNIT_TESTS})
    get_filename_component(name ${src} NAME_WE)
    set_property(TEST ${name} APPEND PROPERTY LABELS tsan)
  endforeach()
  add_test(NAME rel_tsan_load COMMAND bash ${CMAKE_SOURCE_DIR}/tests/rel_stress.sh)
  set_tests_properties(rel_tsan_load PROPERTIES LABELS tsan TIMEOUT 600 RUN_SERIAL ON
    ENVIRONMENT "${REL_ENV};STRESS_SECONDS=30")
endif()
