#include "plugins/load_registry.h"

#include <filesystem>

#include <fmt/format.h>

#include "builtin/builtin_plugin.h"
#include "plugins/sha256.h"
#include "razor/errors.h"

namespace razor::host {

std::unique_ptr<Registry> load_registry(const std::vector<std::string>& cli_paths,
                                        std::vector<std::string>* refused, const PluginPins& pins) {
  auto registry = std::make_unique<Registry>();
  registry->add(builtin_plugin());
  for (const auto& file : find_plugin_files(plugin_search_path(cli_paths))) {
    try {
      if (const auto pin = pins.find(std::filesystem::path(file).filename().string()); pin != pins.end()) {
        if (const std::string got = sha256_file(file); got != pin->second) {
          throw PluginError(fmt::format("{}: refused: its SHA-256 is {}, the config pins {}", file, got, pin->second));
        }
      }
      registry->add(load_plugin(file));
    } catch (const PluginError& e) {
      if (!refused) throw;
      refused->push_back(e.what());
    }
  }
  return registry;
}

}  // namespace razor::host
