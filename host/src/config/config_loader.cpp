#include "config/config_loader.h"

#include <algorithm>
#include <filesystem>
#include <utility>

#include <fmt/format.h>

#include "razor/errors.h"
#include "razor/toml_text.h"

namespace fs = std::filesystem;

namespace razor::host {
namespace {

constexpr std::size_t kMaxExtendsDepth = 64;

toml::table parse_file(const std::string& file, const std::string& referenced_at) {
  std::error_code ec;
  if (!fs::exists(file, ec)) {
    if (referenced_at.empty()) throw ConfigError(fmt::format("{}: config file not found", file));
    throw ConfigError(fmt::format("{}: config file not found: {}", referenced_at, file));
  }
  const std::string text = read_toml_text(file);  // bounded: not a FIFO, not too large, not too deep
  try {
    return toml::parse(text, file);
  } catch (const toml::parse_error& e) {
    throw ConfigError(fmt::format("{}:{}:{}: syntax error: {}", file, e.source().begin.line,
                                  e.source().begin.column, e.description()));
  }
}

// Loads `file` with everything it extends; `chain` holds the files being loaded (cycle detection).
toml::table load_recursive(const std::string& file, const std::string& referenced_at,
                           std::vector<std::string>& chain) {
  toml::table own = parse_file(file, referenced_at);
  const std::string canonical = fs::weakly_canonical(file).string();
  chain.push_back(canonical);

  toml::table composed;
  if (const toml::node* ext = own.get("extends")) {
    std::vector<std::pair<std::string, const toml::node*>> parents;
    const std::string at = where_of(*ext, file);
    if (const auto* s = ext->as_string()) {
      parents.emplace_back(s->get(), ext);
    } else if (const auto* arr = ext->as_array()) {
      for (const toml::node& item : *arr) {
        const auto* s2 = item.as_string();
        if (!s2) throw ConfigError(fmt::format("{}: extends: expected file names (strings), got {}",
                                               where_of(item, at), type_name(item)));
        parents.emplace_back(s2->get(), &item);
      }
    } else {
      throw ConfigError(fmt::format("{}: extends: expected a file name or an array of file names, got {}",
                                    at, type_name(*ext)));
    }
    const fs::path dir = fs::path(file).parent_path();
    for (const auto& [name, node] : parents) {
      const std::string parent = (dir / name).lexically_normal().string();
      const std::string parent_at = where_of(*node, at);
      std::error_code ec;  // e.g. a name longer than the file system allows
      const std::string parent_canonical = fs::weakly_canonical(parent, ec).string();
      if (ec) throw ConfigError(fmt::format("{}: extends: cannot use {}: {}", parent_at, parent, ec.message()));
      if (std::find(chain.begin(), chain.end(), parent_canonical) != chain.end()) {
        std::string cycle;
        for (auto it = std::find(chain.begin(), chain.end(), parent_canonical); it != chain.end(); ++it)
          cycle += fs::path(*it).filename().string() + " -> ";
        throw ConfigError(fmt::format("{}: extends: cycle: {}{}", parent_at, cycle,
                                      fs::path(parent_canonical).filename().string()));
      }
      if (!fs::exists(parent, ec)) {
        throw ConfigError(fmt::format("{}: extends: file not found: {}", parent_at, parent));
      }
      if (chain.size() >= kMaxExtendsDepth) {  // each level is a recursion: a long chain would exhaust the stack
        throw ConfigError(fmt::format("{}: extends: more than {} files deep", parent_at, kMaxExtendsDepth));
      }
      merge_into(composed, load_recursive(parent, parent_at, chain));
    }
    own.erase("extends");
  }
  merge_into(composed, std::move(own));
  chain.pop_back();
  return composed;
}

}  // namespace

namespace {

/// Reads and removes a table's `_delete_` key: true when the table is to replace the base's.
bool take_delete_flag(toml::table& table) {
  const toml::node* flag = table.get("_delete_");
  if (!flag) return false;
  const auto* on = flag->as_boolean();
  if (!on) {
    throw ConfigError(fmt::format("{}: _delete_: expected true (replace the base's table) or false, got {}",
                                  where_of(*flag, "_delete_"), type_name(*flag)));
  }
  const bool replace = on->get();
  table.erase("_delete_");
  return replace;
}

/// Removes `_delete_` from the tables inside a table that merges into nothing.
void drop_delete_flags(toml::table& table) {
  for (auto&& [key, value] : table) {
    if (auto* inner = value.as_table()) {
      take_delete_flag(*inner);
      drop_delete_flags(*inner);
    }
  }
}

}  // namespace

void merge_into(toml::table& base, toml::table&& overlay) {
  for (auto&& [key, value] : overlay) {
    toml::node* existing = base.get(key.str());
    if (auto* table = value.as_table()) {
      const bool replace = take_delete_flag(*table);
      if (existing && existing->is_table() && !replace) {
        merge_into(*existing->as_table(), std::move(*table));
        continue;
      }
      drop_delete_flags(*table);
    }
    const std::string k(key.str());
    value.visit([&](auto&& typed) { base.insert_or_assign(k, std::move(typed)); });
  }
}

void apply_override(toml::table& root, const std::string& assignment) {
  const std::string where = "--set " + assignment;
  const auto eq = assignment.find('=');
  if (eq == std::string::npos || eq == 0) {
    throw ConfigError(fmt::format("{}: expected key=value (for example train.epochs=3)", where));
  }
  const std::string dotted = assignment.substr(0, eq);
  const std::string text = assignment.substr(eq + 1);
  toml::table parsed;
  try {
    parsed = toml::parse("value = " + text, std::string_view(where));
  } catch (const toml::parse_error& e) {
    throw ConfigError(fmt::format("{}: invalid TOML value ({}); strings need quotes, e.g. {}='text'",
                                  where, e.description(), dotted));
  }
  toml::node* value = parsed.get("value");
  if (!value || parsed.size() != 1) {
    throw ConfigError(fmt::format("{}: invalid TOML value", where));
  }

  toml::table* table = &root;
  std::string::size_type start = 0;
  for (auto dot = dotted.find('.'); dot != std::string::npos; dot = dotted.find('.', start)) {
    const std::string part = dotted.substr(start, dot - start);
    if (part.empty()) throw ConfigError(fmt::format("{}: empty key in '{}'", where, dotted));
    toml::node* child = table->get(part);
    if (!child) {
      table->insert_or_assign(part, toml::table{});
      child = table->get(part);
    } else if (!child->is_table()) {
      throw ConfigError(fmt::format("{}: '{}' holds a value of type {}, not a table", where,
                                    dotted.substr(0, dot), type_name(*child)));
    }
    table = child->as_table();
    start = dot + 1;
  }
  const std::string last = dotted.substr(start);
  if (last.empty()) throw ConfigError(fmt::format("{}: empty key in '{}'", where, dotted));
  toml::table assigned;  // merged as a one-key file would be (tables merge, `_delete_` replaces)
  value->visit([&](auto&& typed) { assigned.insert_or_assign(last, std::move(typed)); });
  merge_into(*table, std::move(assigned));
}

std::shared_ptr<ConfigDocument> load_config(const std::string& file,
                                            const std::vector<std::string>& overrides) {
  auto doc = std::make_shared<ConfigDocument>();
  doc->file = file;
  std::vector<std::string> chain;
  // No file: a config made of overrides alone (`razor-host flops FILE.pt` builds one).
  if (!file.empty()) doc->root = load_recursive(file, "", chain);
  for (const auto& assignment : overrides) apply_override(doc->root, assignment);
  return doc;
}

}  // namespace razor::host
