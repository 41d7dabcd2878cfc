# razor_add_plugin(NAME SOURCES...): a plugin MODULE library linked to the SDK, placed in the build
# tree's plugin folder (which razor-host searches) and installed under lib/razor/plugins.
function(razor_add_plugin name)
  add_library(${name} MODULE ${ARGN})
  target_link_libraries(${name} PRIVATE razor_sdk)
  set_target_properties(${name} PROPERTIES
    PREFIX ""
    LIBRARY_OUTPUT_DIRECTORY ${RAZOR_BUILD_PLUGIN_DIR}
    INSTALL_RPATH "$ORIGIN/../..")
  install(TARGETS ${name} LIBRARY DESTINATION ${RAZOR_PLUGIN_INSTALL_DIR})
  if(TARGET razor_plugins)
    add_dependencies(razor_plugins ${name})
  endif()
endfunction()
