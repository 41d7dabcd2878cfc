// subnet.toml: reading (with checks against the search space) and atomic writing.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <toml++/toml.h>

#include "razor/errors.h"
#include "razor/toml_text.h"
#include "razor/subnet_file.h"

namespace razor {
namespace {

std::string at(const std::string& path, const toml::source_region& where) {
  return fmt::format("{}:{}:{}", path, where.begin.line, where.begin.column);
}

// TOML keys need quotes when they hold dots or other characters outside [A-Za-z0-9_-].
std::string toml_key(const std::string& key) {
  const bool bare = !key.empty() && std::all_of(key.begin(), key.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
  });
  return bare ? key : fmt::format("\"{}\"", key);
}

// Integer and float values are accepted for numeric choices ("depth = 3" as well as "depth = '3'").
std::optional<std::string> choice_text(const toml::node& value) {
  if (auto s = value.value<std::string>(); s && value.is_string()) return *s;
  if (value.is_integer()) return std::to_string(*value.value<std::int64_t>());
  if (value.is_floating_point()) return fmt::format("{}", *value.value<double>());
  return std::nullopt;
}

}  // namespace

void save_subnet(const std::string& path, const Subnet& subnet) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp);
    if (!out) throw Error(fmt::format("{}: cannot write", tmp));
    out << "# razor subnet: the chosen value of every search group\n[subnet]\n";
    for (const auto& [key, choice] : subnet) out << toml_key(key) << " = \"" << choice << "\"\n";
    if (!out.flush()) throw Error(fmt::format("{}: write failed", tmp));
  }
  std::filesystem::rename(tmp, path);
}

Subnet load_subnet(const std::string& path, const std::vector<SearchGroup>& space) {
  if (!std::filesystem::is_regular_file(path)) throw ConfigError(fmt::format("{}: subnet file does not exist", path));
  toml::table doc;
  const std::string text = read_toml_text(path);
  try {
    doc = toml::parse(text, path);
  } catch (const toml::parse_error& e) {
    throw ConfigError(fmt::format("{}: {}", at(path, e.source()), e.description()));
  }
  for (auto&& [key, node] : doc) {
    if (key.str() != "subnet") {
      throw ConfigError(fmt::format("{}: unknown key '{}' (expected only the table [subnet])", at(path, node.source()),
                                    key.str()));
    }
  }
  const toml::table* table = doc["subnet"].as_table();
  if (!table) throw ConfigError(fmt::format("{}:1:1: expected a table [subnet]", path));

  Subnet subnet;
  for (auto&& [key, node] : *table) {
    const std::string name(key.str());
    const auto group = std::find_if(space.begin(), space.end(), [&](const SearchGroup& g) { return g.key == name; });
    if (group == space.end()) {
      throw ConfigError(fmt::format("{}: unknown search group '{}' (this space has {} groups, e.g. '{}')",
                                    at(path, node.source()), name, space.size(),
                                    space.empty() ? std::string() : space.front().key));
    }
    const auto choice = choice_text(node);
    if (!choice) throw ConfigError(fmt::format("{}: '{}': expected a string or number", at(path, node.source()), name));
    if (std::find(group->choices.begin(), group->choices.end(), *choice) == group->choices.end()) {
      throw ConfigError(fmt::format("{}: '{}': '{}' is not a choice of this group (choices: {})",
                                    at(path, node.source()), name, *choice, fmt::join(group->choices, ", ")));
    }
    subnet[name] = *choice;
  }
  for (const auto& g : space) {
    if (!subnet.count(g.key)) {
      throw ConfigError(fmt::format("{}: missing search group '{}' (choices: {})", at(path, table->source()), g.key,
                                    fmt::join(g.choices, ", ")));
    }
  }
  return subnet;
}

}  // namespace razor
