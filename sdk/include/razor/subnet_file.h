#pragma once
/// Subnet files (subnet.toml): the chosen value of every search group, keyed by the group's stable
/// key, loadable without any checkpoint.
///
///   # razor subnet
///   [subnet]
///   "stages.0" = "shuffle_7x7"
///   "stages.1" = "shuffle_3x3"
#include <string>
#include <vector>

#include "razor/export.h"
#include "razor/search_space.h"

namespace razor {

/// Writes `subnet` to `path` atomically (a temporary file renamed over it).
RAZOR_API void save_subnet(const std::string& path, const Subnet& subnet);

/// Reads `path` and checks it against `space`: every key known, none missing, every value one of its
/// group's choices. Throws razor::ConfigError with one line "path:line:col: fault" otherwise.
RAZOR_API Subnet load_subnet(const std::string& path, const std::vector<SearchGroup>& space);

}  // namespace razor
