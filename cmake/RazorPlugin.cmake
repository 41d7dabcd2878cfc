# razor_add_plugin(NAME SOURCES...): a plugin MODULE library linked to the razor SDK, built like the
# host (C++17, hidden visibility) and installed under lib/razor/plugins, from where it finds the SDK
# library through its RPATH. Used in razor's own tree and, through find_package(razor), out of it.
include(GNUInstallDirs)
if(NOT DEFINED RAZOR_PLUGIN_INSTALL_DIR)
  set(RAZOR_PLUGIN_INSTALL_DIR ${CMAKE_INSTALL_LIBDIR}/razor/plugins)
endif()

function(razor_add_plugin name)
  add_library(${name} MODULE ${ARGN})
  target_link_libraries(${name} PRIVATE razor::sdk)
  set_target_properties(${name} PROPERTIES
    PREFIX ""
    CXX_STANDARD 17
    CXX_STANDARD_REQUIRED ON
    CXX_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON
    INSTALL_RPATH "$ORIGIN/../..")
  if(RAZOR_BUILD_PLUGIN_DIR)  # razor's own tree: next to razor-host's other plugins
    set_target_properties(${name} PROPERTIES LIBRARY_OUTPUT_DIRECTORY ${RAZOR_BUILD_PLUGIN_DIR})
  endif()
  install(TARGETS ${name} LIBRARY DESTINATION ${RAZOR_PLUGIN_INSTALL_DIR})
  if(TARGET razor_plugins)
    add_dependencies(razor_plugins ${name})
  endif()
endfunction()
