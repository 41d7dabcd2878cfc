#pragma once
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "loader/registry.h"

namespace razor::host {

/// Plugin files a config pins: file name (e.g. "brier.so") -> SHA-256, lower-case hex.
using PluginPins = std::map<std::string, std::string>;

/// Every plugin found on the search path (the core family among them). A plugin that is refused
/// (or a duplicate key) throws PluginError unless `refused` is given, which then collects the lines.
/// A pinned file whose contents hash differently is refused before it is loaded. `in_process`
/// descriptors (compiled into the calling program) are registered instead of the plugin files of
/// the same names.
std::unique_ptr<Registry> load_registry(const std::vector<std::string>& cli_paths,
                                        std::vector<std::string>* refused = nullptr, const PluginPins& pins = {},
                                        const std::vector<const PluginDescriptor*>& in_process = {});

}  // namespace razor::host
