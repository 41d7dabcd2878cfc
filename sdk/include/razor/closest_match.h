#pragma once
/// "Did you mean ...?" for unknown names in configs and subnet files.
#include <string>
#include <vector>

#include "razor/export.h"

namespace razor {

/// The candidate closest to `word` within a small edit distance, or "" if none is close.
RAZOR_API std::string closest_match(const std::string& word, const std::vector<std::string>& candidates);

}  // namespace razor
