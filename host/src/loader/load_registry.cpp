#include "loader/load_registry.h"

#include <filesystem>

#include <fmt/format.h>

#include "base/sha256.h"
#include "razor/errors.h"

namespace razor::host {

std::unique_ptr<Registry> load_registry(const std::vector<std::string>& cli_paths,
                                        std::vector<std::string>* refused, const PluginPins& pins,
                                        const std::vector<const PluginDescriptor*>& in_process) {
  auto registry = std::make_unique<Registry>();
  const auto replaced = [&](const LoadedPlugin& plugin) {
    for (const auto* d : in_process)
      if (std::string(d->name) == plugin.descriptor->name) return true;
    return false;
  };
  for (const auto* d : in_process) {
    auto plugin = std::make_shared<LoadedPlugin>();
    plugin->file = "(compiled in)";
    plugin->descriptor = d;
    registry->add(std::move(plugin));
  }
  for (const auto& file : find_plugin_files(plugin_search_path(cli_paths))) {
    try {
      if (const auto pin = pins.find(std::filesystem::path(file).filename().string()); pin != pins.end()) {
        if (const std::string got = sha256_file(file); got != pin->second) {
          throw PluginError(fmt::format("{}: refused: its SHA-256 is {}, the config pins {}", file, got, pin->second));
        }
      }
      auto plugin = load_plugin(file);
      if (!replaced(*plugin)) registry->add(std::move(plugin));
    } catch (const PluginError& e) {
      if (!refused) throw;
      refused->push_back(e.what());
    }
  }
  return registry;
}

}  // namespace razor::host
