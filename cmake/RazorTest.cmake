# Test helpers shared by every test binary (host tests in tests/, plugin tests in plugins/*/tests/).
find_package(doctest REQUIRED)
enable_testing()

add_library(razor_test_main STATIC ${PROJECT_SOURCE_DIR}/tests/doctest_main.cpp)
target_include_directories(razor_test_main PUBLIC ${PROJECT_SOURCE_DIR}/tests)
target_link_libraries(razor_test_main PUBLIC doctest::doctest torch)

# razor_add_test(NAME SOURCES... [LIBS ...]): one test binary, registered as one ctest test
# (each LibTorch process costs ~0.5 s to start, so binaries are few and coarse).
function(razor_add_test name)
  cmake_parse_arguments(T "" "" "LIBS" ${ARGN})
  add_executable(${name} ${T_UNPARSED_ARGUMENTS})
  if(RAZOR_SANITIZE)  # huge requests throw bad_alloc, as without ASan (see the file)
    target_sources(${name} PRIVATE ${PROJECT_SOURCE_DIR}/tests/bounded_new.cpp)
  endif()
  target_link_libraries(${name} PRIVATE razor_test_main ${T_LIBS})
  target_compile_definitions(${name} PRIVATE
    RAZOR_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
    RAZOR_BINARY_DIR="${PROJECT_BINARY_DIR}"
    RAZOR_HOST_EXE="$<TARGET_FILE:razor-host>"
    RAZOR_CMAKE="${CMAKE_COMMAND}"
    RAZOR_PLUGIN_INSTALL_DIR="${RAZOR_PLUGIN_INSTALL_DIR}")
  set_target_properties(${name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR}/tests)
  add_test(NAME ${name} COMMAND ${name} WORKING_DIRECTORY ${PROJECT_BINARY_DIR})
  set_tests_properties(${name} PROPERTIES ENVIRONMENT "OPENBLAS_NUM_THREADS=1")
endfunction()
