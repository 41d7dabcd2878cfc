# razor_add_family(NAME [LIBS libs...] [SOURCES extra...]): the in-tree plugin family plugins/NAME.
# Its sources (every .cpp of the folder and its subfolders but tests/ and plugin.cpp) form the static
# library razor_NAME_parts, compiled once for the plugin and for the family's tests; plugin.cpp (the
# descriptor) with those parts is the plugin razor_NAME.so. tests/ is added when tests are built.
function(razor_add_family name)
  cmake_parse_arguments(F "" "" "LIBS;SOURCES" ${ARGN})
  file(GLOB_RECURSE sources CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*.cpp)
  list(FILTER sources EXCLUDE REGEX "/tests/")
  list(REMOVE_ITEM sources ${CMAKE_CURRENT_SOURCE_DIR}/plugin.cpp)
  add_library(razor_${name}_parts STATIC ${sources} ${F_SOURCES})
  target_link_libraries(razor_${name}_parts PUBLIC razor_sdk fmt::fmt ${F_LIBS})
  target_include_directories(razor_${name}_parts PUBLIC ${CMAKE_CURRENT_SOURCE_DIR})
  razor_add_plugin(razor_${name} plugin.cpp)
  target_link_libraries(razor_${name} PRIVATE razor_${name}_parts)
  if(RAZOR_BUILD_TESTS AND EXISTS ${CMAKE_CURRENT_SOURCE_DIR}/tests/CMakeLists.txt)
    add_subdirectory(tests)
  endif()
endfunction()
