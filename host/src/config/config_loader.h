#pragma once
// Loading a config: parse, follow `extends` (deep merge, later wins, arrays replace), apply --set.
#include <memory>
#include <string>
#include <vector>

#include "config/config_document.h"

namespace razor::host {

/// Throws razor::ConfigError with "file:line:col: message" for every fault. An empty `file` starts
/// from an empty table.
std::shared_ptr<ConfigDocument> load_config(const std::string& file,
                                            const std::vector<std::string>& overrides = {});

/// Merges `overlay` into `base`: tables merge recursively, anything else replaces, and a table with
/// `_delete_ = true` replaces the base's table of its key (mmengine's rule; the key is removed).
/// Moves nodes so their source positions survive.
void merge_into(toml::table& base, toml::table&& overlay);

/// Applies one "dotted.key=toml-value" override.
void apply_override(toml::table& root, const std::string& assignment);

}  // namespace razor::host
