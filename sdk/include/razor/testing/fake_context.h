#pragma once
/// A stand-in for razor-host's BuildContext in a plugin's unit tests: options from maps (numbers,
/// strings), nested components from a callback. razor-host itself also applies declared defaults and
/// reports unknown keys; here every option the component reads must be set. Header-only; the projects
/// `razor-host new-plugin` writes use it.
///
/// Example:
///   razor::testing::Context ctx;
///   ctx.options.numbers["hidden"] = 32;
///   auto model = razor::testing::build<razor::Model>(razor_plugin_descriptor(), ctx);
#include <functional>
#include <map>
#include <string>

#include "razor/sdk.h"

namespace razor::testing {

struct Options final : ConfigView {
  std::map<std::string, double> numbers;
  std::map<std::string, std::string> strings;
  std::map<std::string, std::shared_ptr<Options>> tables;
  std::string name = "component";

  bool has(const std::string& k) const override { return numbers.count(k) || strings.count(k) || tables.count(k); }
  std::vector<std::string> keys() const override {
    std::vector<std::string> out;
    for (const auto& [k, v] : numbers) out.push_back(k);
    for (const auto& [k, v] : strings) out.push_back(k);
    for (const auto& [k, v] : tables) out.push_back(k);
    return out;
  }
  double get_double(const std::string& k) const override { return at(numbers, k); }
  std::int64_t get_int(const std::string& k) const override { return static_cast<std::int64_t>(at(numbers, k)); }
  bool get_bool(const std::string& k) const override { return at(numbers, k) != 0; }
  std::string get_string(const std::string& k) const override { return at(strings, k); }
  std::vector<std::int64_t> get_int_list(const std::string& k) const override { return {get_int(k)}; }
  std::vector<double> get_double_list(const std::string& k) const override { return {get_double(k)}; }
  std::vector<std::string> get_string_list(const std::string& k) const override { return {get_string(k)}; }
  std::shared_ptr<const ConfigView> table(const std::string& k) const override { return at(tables, k); }
  std::string path() const override { return name; }
  std::string where(const std::string&) const override { return "test"; }

 private:
  template <class Map>
  typename Map::mapped_type at(const Map& m, const std::string& k) const {
    const auto it = m.find(k);
    if (it == m.end()) throw razor::Error("test: option '" + k + "' is not set");
    return it->second;
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

/// Builds the plugin's first component with `ctx`, as razor-host would through its registry.
template <class T>
std::shared_ptr<T> build(const razor::PluginDescriptor* plugin, const Context& ctx) {
  return std::dynamic_pointer_cast<T>(plugin->components[0].create(ctx));
}

}  // namespace razor::testing
