#pragma once
#include <memory>
#include <string>
#include <vector>

#include "plugins/registry.h"

namespace razor::host {

/// The built-in components plus every plugin found on the search path. A plugin that is refused
/// (or a duplicate key) throws PluginError unless `refused` is given, which then collects the lines.
std::unique_ptr<Registry> load_registry(const std::vector<std::string>& cli_paths,
                                        std::vector<std::string>* refused = nullptr);

}  // namespace razor::host
