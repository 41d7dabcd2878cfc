#include "config/toml_config_view.h"

#include <cstring>

#include <fmt/format.h>

#include "razor/errors.h"

namespace razor::host {
namespace {

const toml::table& empty_table() {
  static const toml::table empty;
  return empty;
}

}  // namespace

TomlConfigView::TomlConfigView(std::shared_ptr<ConfigDocument> doc)
    : TomlConfigView(doc, &doc->root, "") {}

TomlConfigView::TomlConfigView(std::shared_ptr<ConfigDocument> doc, const toml::table* table,
                               std::string path)
    : doc_(std::move(doc)), table_(table ? table : &empty_table()), path_(std::move(path)) {}

std::shared_ptr<TomlConfigView> TomlConfigView::bind(const std::vector<OptionInfo>* options,
                                                     std::string owner) const {
  auto bound = std::make_shared<TomlConfigView>(doc_, table_, path_);
  bound->options_ = options;
  bound->owner_ = std::move(owner);
  if (options) {
    auto& known = doc_->known[table_];
    known.emplace_back("type");
    for (const auto& o : *options) known.emplace_back(o.name);
  }
  return bound;
}

bool TomlConfigView::has(const std::string& key) const { return table_->contains(key); }

std::vector<std::string> TomlConfigView::keys() const {
  std::vector<std::string> out;
  for (auto&& [k, v] : *table_) out.emplace_back(k.str());
  return out;
}

std::string TomlConfigView::path() const { return path_; }

std::string TomlConfigView::where(const std::string& key) const {
  const std::string fallback = doc_->file;
  if (!key.empty()) {
    if (const toml::node* n = table_->get(key)) return where_of(*n, fallback);
  }
  return where_of(*table_, fallback);
}

std::string TomlConfigView::file_of(const std::string& key) const {
  const toml::node* n = table_->get(key);
  if (n == nullptr || !n->source().path) return "";
  const std::string& file = *n->source().path;
  return file.rfind("--set ", 0) == 0 ? "" : file;
}

const toml::node& TomlConfigView::node(const std::string& key) const {
  const OptionInfo* declared = nullptr;
  if (options_) {
    for (const auto& o : *options_) {
      if (key == o.name) declared = &o;
    }
    if (!declared) {
      throw PluginError(fmt::format("{} reads option '{}' that it did not declare", owner_, key));
    }
  }
  if (const toml::node* n = table_->get(key)) {
    doc_->read.insert(n);
    return *n;
  }
  if (declared && declared->default_toml) {
    toml::table parsed;
    try {
      parsed = toml::parse(fmt::format("value = {}", declared->default_toml));
    } catch (const toml::parse_error& e) {
      throw PluginError(fmt::format("{} declares option '{}' with an invalid default '{}': {}", owner_,
                                    key, declared->default_toml, e.description()));
    }
    doc_->defaults.push_back(std::move(parsed));
    return *doc_->defaults.back().get("value");
  }
  fail(key, "missing required key" + (declared ? fmt::format(" ({})", declared->doc) : std::string()));
}

void TomlConfigView::wrong_type(const std::string& key, const toml::node& n, const char* expected) const {
  fail(key, fmt::format("expected {}, got {}", expected, type_name(n)));
}

bool TomlConfigView::get_bool(const std::string& key) const {
  const auto& n = node(key);
  if (!n.is_boolean()) wrong_type(key, n, "a boolean");
  return n.as_boolean()->get();
}

std::int64_t TomlConfigView::get_int(const std::string& key) const {
  const auto& n = node(key);
  if (!n.is_integer()) wrong_type(key, n, "an integer");
  return n.as_integer()->get();
}

double TomlConfigView::get_double(const std::string& key) const {
  const auto& n = node(key);
  if (n.is_integer()) return static_cast<double>(n.as_integer()->get());
  if (!n.is_floating_point()) wrong_type(key, n, "a number");
  return n.as_floating_point()->get();
}

std::string TomlConfigView::get_string(const std::string& key) const {
  const auto& n = node(key);
  if (!n.is_string()) wrong_type(key, n, "a string");
  return n.as_string()->get();
}

const toml::array& TomlConfigView::array(const std::string& key, const char* element_type) const {
  const auto& n = node(key);
  if (!n.is_array()) wrong_type(key, n, fmt::format("an array of {}", element_type).c_str());
  return *n.as_array();
}

std::vector<std::int64_t> TomlConfigView::get_int_list(const std::string& key) const {
  std::vector<std::int64_t> out;
  const auto& arr = array(key, "integers");
  for (std::size_t i = 0; i < arr.size(); ++i) {
    if (!arr[i].is_integer()) fail(key, fmt::format("element {} is a {}, expected an integer", i, type_name(arr[i])));
    out.push_back(arr[i].as_integer()->get());
  }
  return out;
}

std::vector<double> TomlConfigView::get_double_list(const std::string& key) const {
  std::vector<double> out;
  const auto& arr = array(key, "numbers");
  for (std::size_t i = 0; i < arr.size(); ++i) {
    if (arr[i].is_integer()) {
      out.push_back(static_cast<double>(arr[i].as_integer()->get()));
    } else if (arr[i].is_floating_point()) {
      out.push_back(arr[i].as_floating_point()->get());
    } else {
      fail(key, fmt::format("element {} is a {}, expected a number", i, type_name(arr[i])));
    }
  }
  return out;
}

std::vector<std::string> TomlConfigView::get_string_list(const std::string& key) const {
  std::vector<std::string> out;
  const auto& arr = array(key, "strings");
  for (std::size_t i = 0; i < arr.size(); ++i) {
    if (!arr[i].is_string()) fail(key, fmt::format("element {} is a {}, expected a string", i, type_name(arr[i])));
    out.push_back(arr[i].as_string()->get());
  }
  return out;
}

std::shared_ptr<const ConfigView> TomlConfigView::table(const std::string& key) const {
  const auto& n = node(key);
  if (!n.is_table()) wrong_type(key, n, "a table");
  auto child = std::make_shared<TomlConfigView>(doc_, n.as_table(), path_.empty() ? key : path_ + "." + key);
  if (options_) {
    for (const auto& o : *options_) {
      if (key != o.name || !o.default_toml) continue;
      try {
        const auto parsed = toml::parse(fmt::format("value = {}", o.default_toml));
        if (const auto type = parsed["value"]["type"].value<std::string>()) child->default_type_ = *type;
      } catch (const toml::parse_error&) {
      }
    }
  }
  return child;
}

std::vector<std::shared_ptr<const ConfigView>> TomlConfigView::table_list(const std::string& key) const {
  const auto& arr = array(key, "tables");
  std::vector<std::shared_ptr<const ConfigView>> out;
  for (std::size_t i = 0; i < arr.size(); ++i) {
    if (!arr[i].is_table()) fail(key, fmt::format("element {} is a {}, expected a table", i, type_name(arr[i])));
    out.push_back(std::make_shared<TomlConfigView>(doc_, arr[i].as_table(),
                                                   fmt::format("{}{}[{}]", path_.empty() ? "" : path_ + ".", key, i)));
  }
  return out;
}

void TomlConfigView::note_other_types_options(const std::vector<std::string>& names) const {
  auto& elsewhere = doc_->elsewhere[table_];
  elsewhere.insert(elsewhere.end(), names.begin(), names.end());
}

}  // namespace razor::host
