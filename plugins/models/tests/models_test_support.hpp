#pragma once
// Building the zoo's registered components in tests the way the host does: a fake ConfigView over the
// descriptor's declared options and a map of TOML values. Include after razor_doctest.hpp.
#include <algorithm>
#include <map>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "razor/config.h"
#include "razor/context.h"
#include "razor/errors.h"
#include "razor/plugin.h"

// Defined by RAZOR_PLUGIN in plugin.cpp, which is compiled into the test.
extern "C" const razor::PluginDescriptor* RAZOR_PLUGIN_ENTRY();

namespace razor::models::test {

// What the host gives a factory, over the descriptor's declared options and a map of TOML values:
// undeclared keys and reads of the wrong type are plugin bugs (PluginError), as in the host.
class FakeConfig final : public razor::ConfigView {
 public:
  FakeConfig(const razor::ComponentInfo& info, std::map<std::string, std::string> values)
      : info_(info), values_(std::move(values)) {}

  bool has(const std::string& k) const override { return values_.count(k) > 0; }
  std::vector<std::string> keys() const override {
    std::vector<std::string> out;
    for (const auto& [k, v] : values_) out.push_back(k);
    return out;
  }
  bool get_bool(const std::string& k) const override { return raw(k, "bool") == "true"; }
  std::int64_t get_int(const std::string& k) const override { return std::stoll(raw(k, "int")); }
  double get_double(const std::string& k) const override { return std::stod(raw(k, "float")); }
  std::string get_string(const std::string& k) const override { return unquote(raw(k, "string")); }
  std::vector<std::int64_t> get_int_list(const std::string& k) const override {
    std::vector<std::int64_t> out;
    for (const auto& item : items(raw(k, "int[]"))) out.push_back(std::stoll(item));
    return out;
  }
  std::vector<double> get_double_list(const std::string& k) const override {
    std::vector<double> out;
    for (const auto& item : items(raw(k, "float[]"))) out.push_back(std::stod(item));
    return out;
  }
  // Strings without commas or spaces only, which is all the zoo's options hold.
  std::vector<std::string> get_string_list(const std::string& k) const override {
    std::vector<std::string> out;
    for (const auto& item : items(raw(k, "string[]"))) out.push_back(unquote(item));
    return out;
  }
  std::shared_ptr<const ConfigView> table(const std::string& k) const override { fail(k, "not supported"); }
  std::vector<std::shared_ptr<const ConfigView>> table_list(const std::string& k) const override { fail(k, "not supported"); }
  std::string path() const override { return "model"; }
  std::string where(const std::string&) const override { return "t.toml:1:1"; }

 private:
  std::string raw(const std::string& key, const std::string& type) const {
    const auto& opts = info_.options;
    auto it = std::find_if(opts.begin(), opts.end(), [&](const razor::OptionInfo& o) { return key == o.name; });
    if (it == opts.end()) throw razor::PluginError("undeclared option '" + key + "' read");
    if (type != it->type) throw razor::PluginError("option '" + key + "' is " + it->type + ", read as " + type);
    if (auto v = values_.find(key); v != values_.end()) return v->second;
    if (!it->default_toml) fail(key, "required");
    return it->default_toml;
  }
  // "[1, 2, 3]" -> {"1", "2", "3"}
  static std::vector<std::string> items(std::string list) {
    list = list.substr(1, list.size() - 2);
    std::replace(list.begin(), list.end(), ',', ' ');
    std::istringstream in(list);
    std::vector<std::string> out;
    for (std::string item; in >> item;) out.push_back(item);
    return out;
  }
  // "'abc'" or "\"abc\"" -> "abc"
  static std::string unquote(const std::string& s) { return s.substr(1, s.size() - 2); }
  const razor::ComponentInfo& info_;
  std::map<std::string, std::string> values_;
};

class FakeContext final : public razor::BuildContext {
 public:
  explicit FakeContext(const FakeConfig& config) : config_(config) {}
  const razor::ConfigView& config() const override { return config_; }
  std::shared_ptr<razor::Component> build(const razor::ConfigView&, const std::string&) const override {
    throw razor::PluginError("no nested components in this test");
  }
  c10::Device device() const override { return c10::Device(c10::kCPU); }
  std::uint64_t seed() const override { return 0; }
  spdlog::logger& logger() const override { throw razor::PluginError("no logger in this test"); }

 private:
  const FakeConfig& config_;
};

inline const razor::ComponentInfo& component(const std::string& key) {
  const auto* d = RAZOR_PLUGIN_ENTRY();
  for (std::size_t i = 0; i < d->num_components; ++i) {
    const auto& c = d->components[i];
    if (key == std::string(c.kind) + "/" + c.name) return c;
  }
  throw std::runtime_error("no component " + key);
}

// Builds a registered component the way the host does, from TOML values (declared defaults for the rest).
template <class T>
std::shared_ptr<T> build(const std::string& key, std::map<std::string, std::string> values = {}) {
  const auto& info = component(key);
  FakeConfig cfg(info, std::move(values));
  auto made = std::dynamic_pointer_cast<T>(info.create(FakeContext(cfg)));
  REQUIRE(made);
  return made;
}

}  // namespace razor::models::test
