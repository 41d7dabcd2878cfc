#include "config/unread_keys.h"

#include <algorithm>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "razor/errors.h"

namespace razor::host {
namespace {

std::size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = up;
    }
  }
  return row[b.size()];
}

void check_table(const ConfigDocument& doc, const toml::table& table, const std::string& path) {
  std::vector<std::string> known;
  if (auto it = doc.known.find(&table); it != doc.known.end()) known = it->second;
  for (auto&& [key, value] : table) {
    const std::string k(key.str());
    const std::string full = path.empty() ? k : path + "." + k;
    if (!doc.read.count(&value)) {
      if (std::find(known.begin(), known.end(), k) != known.end()) {
        throw ConfigError(fmt::format("{}: {}: not used by this configuration (it applies to another type)",
                                      where_of(value, doc.file), full));
      }
      std::string hint;
      if (const std::string m = closest_match(k, known); !m.empty()) {
        hint = fmt::format(" (did you mean '{}'?)", m);
      } else if (!known.empty()) {
        hint = fmt::format(" (known here: {})", fmt::join(known, ", "));
      }
      throw ConfigError(fmt::format("{}: {}: unknown key{}", where_of(value, doc.file), full, hint));
    }
    if (const auto* sub = value.as_table()) check_table(doc, *sub, full);
  }
}

}  // namespace

std::string closest_match(const std::string& word, const std::vector<std::string>& candidates) {
  std::string best;
  std::size_t best_distance = std::max<std::size_t>(2, word.size() / 3) + 1;
  for (const auto& c : candidates) {
    const std::size_t d = edit_distance(word, c);
    if (d < best_distance) {
      best_distance = d;
      best = c;
    }
  }
  return best;
}

void check_all_keys_read(const ConfigDocument& doc) { check_table(doc, doc.root, ""); }

}  // namespace razor::host
