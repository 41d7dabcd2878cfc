#include "session/session.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <set>

#include <spdlog/sinks/null_sink.h>

#include "base/logging.h"
#include "config/config_loader.h"
#include "razor/errors.h"
#include "session/sections.h"

namespace razor::host {
namespace {

// [plugins.sha256]: every pinned file must be on the search path; its hash is checked as it loads.
PluginPins read_pins(const TomlConfigView& root, const std::vector<std::string>& plugin_paths) {
  const auto table = read_section<PluginsOptions>(root, "plugins").sha256;
  PluginPins pins;
  std::set<std::string> found;
  for (const auto& file : find_plugin_files(plugin_search_path(plugin_paths)))
    found.insert(std::filesystem::path(file).filename().string());
  for (const auto& name : table->keys()) {
    std::string hex = table->get_string(name);
    std::transform(hex.begin(), hex.end(), hex.begin(), [](unsigned char c) { return std::tolower(c); });
    if (hex.size() != 64 || hex.find_first_not_of("0123456789abcdef") != std::string::npos)
      table->fail(name, "expected a SHA-256 digest: 64 hexadecimal digits");
    if (!found.count(name)) table->fail(name, "no plugin file of this name on the plugin search path");
    pins[name] = hex;
  }
  return pins;
}

}  // namespace

Session::Session(SessionOptions options) : options_(std::move(options)) {
  document_ = load_config(options_.config, options_.overrides);
  root_ = TomlConfigView(document_).bind(&RootOptions::option_infos(), "host config");
  registry_ = load_registry(options_.plugin_paths, nullptr, read_pins(*root_, options_.plugin_paths), options_.in_process);
  settings_.logger = options_.quiet
                         ? std::make_shared<spdlog::logger>("razor", std::make_shared<spdlog::sinks::null_sink_mt>())
                         : make_logger();
  // Asked for by components that trace their model when built; the data is read once more for it
  // (quietly, with default settings: the shape depends on neither seed nor device).
  auto shape = std::make_shared<std::vector<std::int64_t>>();
  settings_.input_shape = [shape, root = root_, registry = registry_] {
    if (shape->empty()) {
      RunSettings quiet;
      quiet.logger = std::make_shared<spdlog::logger>("razor", std::make_shared<spdlog::sinks::null_sink_mt>());
      *shape = prepare_data(*root, *registry, quiet).image_shape;
    }
    return *shape;
  };
}

std::shared_ptr<Algorithm> Session::build_algorithm() const {
  return HostContext(*registry_, root_, settings_).build<Algorithm>("algorithm");
}

std::shared_ptr<Estimator> Session::build_estimator() const {
  if (!root_->has("estimator")) return nullptr;
  return HostContext(*registry_, root_, settings_).build<Estimator>("estimator");
}

std::shared_ptr<Component> Session::build(const ConfigView& table, const std::string& kind) const {
  return HostContext(*registry_, root_, settings_).build(table, kind);
}

DataSetup Session::data() const { return prepare_data(*root_, *registry_, settings_); }

std::vector<std::int64_t> Session::image_shape(const std::vector<std::int64_t>& input) const {
  if (input.empty()) return data().image_shape;
  if (input.size() != 3) throw ConfigError("--input: expected C,H,W (e.g. 3,224,224)");
  std::vector<std::int64_t> shape{1};
  shape.insert(shape.end(), input.begin(), input.end());
  return shape;
}

std::shared_ptr<const TomlConfigView> Session::section(const std::string& key,
                                                       const std::vector<OptionInfo>& options) const {
  return host::section(*root_, key, options);
}

}  // namespace razor::host
