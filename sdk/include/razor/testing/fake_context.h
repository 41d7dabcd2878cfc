#pragma once
/// A stand-in for razor-host's BuildContext in a plugin's unit tests: options from maps (numbers,
/// strings, lists), nested components from a callback. As razor-host does, build() first gives every
/// option the component declares its default (scalars and lists; a nested component comes from the
/// callback). Header-only; the projects `razor-host new-plugin` writes use it.
///
/// Example:
///   razor::testing::Context ctx;
///   ctx.options.numbers["hidden"] = 32;
///   ctx.options.number_lists["widths"] = {8, 16};
///   auto model = razor::testing::build<razor::Model>(razor_plugin_descriptor(), ctx);
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "razor/sdk.h"

namespace razor::testing {

struct Options final : ConfigView {
  std::map<std::string, double> numbers;  // bool, int and float options
  std::map<std::string, std::string> strings;
  std::map<std::string, std::vector<double>> number_lists;  // int[] and float[]
  std::map<std::string, std::vector<std::string>> string_lists;
  std::map<std::string, std::shared_ptr<Options>> tables;
  std::map<std::string, std::vector<std::shared_ptr<Options>>> table_lists;
  std::string name = "component";

  bool has(const std::string& k) const override {
    return numbers.count(k) || strings.count(k) || number_lists.count(k) || string_lists.count(k) || tables.count(k) ||
           table_lists.count(k);
  }
  std::vector<std::string> keys() const override {
    std::vector<std::string> out;
    for (const auto& [k, v] : numbers) out.push_back(k);
    for (const auto& [k, v] : strings) out.push_back(k);
    for (const auto& [k, v] : number_lists) out.push_back(k);
    for (const auto& [k, v] : string_lists) out.push_back(k);
    for (const auto& [k, v] : tables) out.push_back(k);
    for (const auto& [k, v] : table_lists) out.push_back(k);
    return out;
  }
  double get_double(const std::string& k) const override { return at(numbers, k); }
  std::int64_t get_int(const std::string& k) const override { return static_cast<std::int64_t>(at(numbers, k)); }
  bool get_bool(const std::string& k) const override { return at(numbers, k) != 0; }
  std::string get_string(const std::string& k) const override { return at(strings, k); }
  std::vector<std::int64_t> get_int_list(const std::string& k) const override {
    const auto& v = at(number_lists, k);
    return {v.begin(), v.end()};
  }
  std::vector<double> get_double_list(const std::string& k) const override { return at(number_lists, k); }
  std::vector<std::string> get_string_list(const std::string& k) const override { return at(string_lists, k); }
  std::shared_ptr<const ConfigView> table(const std::string& k) const override {
    const auto it = tables.find(k);
    return it != tables.end() ? it->second : std::make_shared<Options>();  // an unset table: empty
  }
  std::vector<std::shared_ptr<const ConfigView>> table_list(const std::string& k) const override {
    const auto it = table_lists.find(k);
    if (it == table_lists.end()) return {};  // an unset list: empty
    return {it->second.begin(), it->second.end()};
  }
  std::string path() const override { return name; }
  std::string where(const std::string&) const override { return "test"; }

  /// Every scalar or list option of `component` that is not set takes its declared default.
  void apply_defaults(const ComponentInfo& component) {
    for (const auto& o : component.options) {
      if (o.default_toml == nullptr || has(o.name)) continue;
      const std::string type = o.type, text = o.default_toml;
      if (type == "bool") {
        numbers[o.name] = text == "true" ? 1 : 0;
      } else if (type == "int" || type == "float") {
        numbers[o.name] = std::stod(text);
      } else if (type == "string") {
        strings[o.name] = unquote(text);
      } else if (type == "int[]" || type == "float[]") {
        auto& list = number_lists[o.name];
        for (const auto& item : items(text)) list.push_back(std::stod(item));
      } else if (type == "string[]") {
        auto& list = string_lists[o.name];
        for (const auto& item : items(text)) list.push_back(unquote(item));
      }  // tables and nested components: from `tables` and the `nested` callback
    }
  }

 private:
  template <class Map>
  const typename Map::mapped_type& at(const Map& m, const std::string& k) const {
    const auto it = m.find(k);
    if (it == m.end()) throw razor::Error("test: option '" + k + "' is not set");
    return it->second;
  }
  // A default string as razor writes it: 'literal' or "basic" without escapes.
  static std::string unquote(const std::string& s) {
    return s.size() >= 2 && (s.front() == '\'' || s.front() == '"') ? s.substr(1, s.size() - 2) : s;
  }
  // The items of a flat TOML list "[a, b]" (default lists hold numbers or names without commas).
  static std::vector<std::string> items(const std::string& list) {
    std::vector<std::string> out;
    std::string item;
    for (const char c : list.substr(1, list.size() - 2)) {
      if (c == ',') {
        out.push_back(item);
        item.clear();
      } else if (c != ' ') {
        item += c;
      }
    }
    if (!item.empty()) out.push_back(item);
    return out;
  }
};

struct Context final : razor::BuildContext {
  Options options;
  std::function<std::shared_ptr<razor::Component>(const std::string& kind)> nested;
  const razor::ConfigView& config() const override { return options; }
  std::shared_ptr<razor::Component> build(const razor::ConfigView&, const std::string& kind) const override {
    if (!nested) throw razor::Error("test: no nested " + kind);
    return nested(kind);
  }
  c10::Device device() const override { return c10::kCPU; }
  std::uint64_t seed() const override { return 0; }
  spdlog::logger& logger() const override { throw razor::Error("test: no logger"); }
};

/// Builds the plugin's component `index` (the first by default) with `ctx` and its declared defaults,
/// as razor-host would through its registry.
template <class T>
std::shared_ptr<T> build(const razor::PluginDescriptor* plugin, const Context& ctx, std::size_t index = 0) {
  Context with_defaults = ctx;
  with_defaults.options.apply_defaults(plugin->components[index]);
  return std::dynamic_pointer_cast<T>(plugin->components[index].create(with_defaults));
}

}  // namespace razor::testing
