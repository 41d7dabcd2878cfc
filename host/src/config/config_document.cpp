#include "config/config_document.h"

#include <fmt/format.h>

namespace razor::host {

std::string where_of(const toml::node& node, const std::string& fallback) {
  const auto& src = node.source();
  if (!src.path || src.begin.line == 0) {
    // A table --set made on the way to its value (`--set new.key=1`) has no place: its first value's.
    if (const auto* table = node.as_table(); table && !table->empty()) return where_of(table->cbegin()->second, fallback);
    return fallback;
  }
  if (src.path->rfind("--set ", 0) == 0) return *src.path;
  return fmt::format("{}:{}:{}", *src.path, src.begin.line, src.begin.column);
}

std::string type_name(const toml::node& node) {
  switch (node.type()) {
    case toml::node_type::table: return "table";
    case toml::node_type::array: return "array";
    case toml::node_type::string: return "string";
    case toml::node_type::integer: return "integer";
    case toml::node_type::floating_point: return "float";
    case toml::node_type::boolean: return "boolean";
    case toml::node_type::date: return "date";
    case toml::node_type::time: return "time";
    case toml::node_type::date_time: return "date-time";
    default: return "nothing";
  }
}

}  // namespace razor::host
