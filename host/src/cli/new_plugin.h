#pragma once
// `razor-host new-plugin NAME --kind KIND [--dir DIR]`: writes an out-of-tree plugin project (CMake
// against the installed SDK, one component, one doctest test, one config) to build and hand out.
#include <ostream>
#include <string>

namespace razor::host {

struct NewPluginOptions {
  std::string name;
  std::string kind;
  std::string dir;  // default ./NAME
};

/// Throws ConfigError for a bad name, kind or an existing folder; writes nothing then.
void new_plugin_command(const NewPluginOptions& options, std::ostream& out);

}  // namespace razor::host
