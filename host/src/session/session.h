#pragma once
// Session: the one way razor is embedded. It finds and loads the plugins, composes the config
// (extends, --set) and binds it to the host's sections, and builds what the config describes: the
// algorithm, the estimator, the searcher and the data. [plugins.sha256] pins are checked as the plugins
// load. Every verb of razor-host, the benchmarks and
// the plugin tests build through it.
//
// Example:
//   razor::host::Session session({"configs/nas/spos_shufflenet_digits.toml"});
//   auto algorithm = session.build_algorithm();
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "config/config_document.h"
#include "config/toml_config_view.h"
#include "loader/host_context.h"
#include "loader/load_registry.h"
#include "loader/loaded_plugin.h"
#include "loader/registry.h"
#include "razor/algorithm.h"
#include "razor/estimator.h"
#include "session/data_setup.h"

namespace razor::host {

struct SessionOptions {
  std::string config;                  // a TOML file
  std::vector<std::string> overrides;  // --set key=value
  std::vector<std::string> plugin_paths;
  /// Plugins compiled into the embedding program (a family's tests): registered instead of the file
  /// of the same plugin name on the search path, so what they build is the program's own classes.
  std::vector<const PluginDescriptor*> in_process;
  bool quiet = false;                  // a silent logger (benchmarks)
};

class Session {
 public:
  explicit Session(SessionOptions options);

  /// A fresh [algorithm] (new random weights from the current torch seed).
  std::shared_ptr<Algorithm> build_algorithm() const;
  /// The [estimator], or null when the config has none.
  std::shared_ptr<Estimator> build_estimator() const;
  /// A nested component option of a section (e.g. SearchOptions::searcher).
  template <class T>
  std::shared_ptr<T> build(const Nested<T>& nested) const {
    auto made = std::dynamic_pointer_cast<T>(build(*nested.view, T::kKind));
    if (!made) nested->fail("type", std::string("the component built here is not a ") + T::kKind);
    return made;
  }
  std::shared_ptr<Component> build(const ConfigView& table, const std::string& kind) const;
  /// [data]: the dataset built and loaded, split and batched. Throws ConfigError or DataError.
  DataSetup data() const;
  /// [1, C, H, W] of one image: from `input` (C, H, W; from --input) when given, else from the data.
  std::vector<std::int64_t> image_shape(const std::vector<std::int64_t>& input = {}) const;

  /// A host section ("runtime", "train", ...) bound to its declared options.
  std::shared_ptr<const TomlConfigView> section(const std::string& key, const std::vector<OptionInfo>& options) const;

  const SessionOptions& options() const { return options_; }
  const Registry& registry() const { return *registry_; }
  const std::shared_ptr<ConfigDocument>& document() const { return document_; }
  const TomlConfigView& root() const { return *root_; }
  RunSettings& settings() { return settings_; }
  const RunSettings& settings() const { return settings_; }

 private:
  SessionOptions options_;
  std::shared_ptr<Registry> registry_;  // first: the plugins outlive what they built
  std::shared_ptr<ConfigDocument> document_;
  std::shared_ptr<const TomlConfigView> root_;
  RunSettings settings_;
};

}  // namespace razor::host
