#include "config/unread_keys.h"

#include <algorithm>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "razor/closest_match.h"
#include "razor/errors.h"

namespace razor::host {
namespace {

void check_table(const ConfigDocument& doc, const toml::table& table, const std::string& path) {
  std::vector<std::string> known;
  if (auto it = doc.known.find(&table); it != doc.known.end()) known = it->second;
  std::vector<std::string> elsewhere;  // declared by another type of the table's kind
  if (auto it = doc.elsewhere.find(&table); it != doc.elsewhere.end()) elsewhere = it->second;
  for (auto&& [key, value] : table) {
    const std::string k(key.str());
    const std::string full = path.empty() ? k : path + "." + k;
    if (!doc.read.count(&value)) {
      if (std::find(known.begin(), known.end(), k) != known.end() ||
          std::find(elsewhere.begin(), elsewhere.end(), k) != elsewhere.end()) {
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
    if (const auto* list = value.as_array()) {  // arrays of tables: lists of nested components
      for (std::size_t i = 0; i < list->size(); ++i)
        if (const auto* sub = (*list)[i].as_table()) check_table(doc, *sub, fmt::format("{}[{}]", full, i));
    }
  }
}

}  // namespace

void check_all_keys_read(const ConfigDocument& doc) { check_table(doc, doc.root, ""); }

}  // namespace razor::host
