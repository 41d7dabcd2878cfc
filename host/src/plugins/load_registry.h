#pragma once
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "plugins/registry.h"

namespace razor::host {

/// Plugin files a config pins: file name (e.g. "brier.so") -> SHA-256, lower-case hex.
using PluginPins = std::map<std::string, std::string>;

/// The built-in components plus every plugin found on the search path. A plugin that is refused
/// (or a duplicate key) throws PluginError unless `refused` is given, which then collects the lines.
/// A pinned file whose contents hash differently is refused before it is loaded.
std::unique_ptr<Registry> load_registry(const std::vector<std::string>& cli_paths,
                                        std::vector<std::string>* refused = nullptr, const PluginPins& pins = {});

}  // namespace razor::host
