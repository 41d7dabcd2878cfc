#include "plugins/load_registry.h"

#include "builtin/builtin_plugin.h"
#include "razor/errors.h"

namespace razor::host {

std::unique_ptr<Registry> load_registry(const std::vector<std::string>& cli_paths,
                                        std::vector<std::string>* refused) {
  auto registry = std::make_unique<Registry>();
  registry->add(builtin_plugin());
  for (const auto& file : find_plugin_files(plugin_search_path(cli_paths))) {
    try {
      registry->add(load_plugin(file));
    } catch (const PluginError& e) {
      if (!refused) throw;
      refused->push_back(e.what());
    }
  }
  return registry;
}

}  // namespace razor::host
