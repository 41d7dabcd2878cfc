#pragma once
// A config of the source tree loaded for a benchmark: its registry (this build's plugins), the build
// context for its components, and its data, with a silent logger.
#include <memory>
#include <string>
#include <vector>

#include <spdlog/sinks/null_sink.h>

#include "config/config_loader.h"
#include "config/toml_config_view.h"
#include "plugins/host_context.h"
#include "plugins/load_registry.h"
#include "razor/algorithm.h"
#include "run/data_setup.h"

namespace razor::bench {

struct BenchConfig {
  /// `config` relative to the source tree; `overrides` as --set takes them.
  explicit BenchConfig(const std::string& config, const std::vector<std::string>& overrides = {})
      : registry(host::load_registry({})),
        root(std::make_shared<host::TomlConfigView>(
            host::load_config(std::string(RAZOR_SOURCE_DIR) + "/" + config, overrides))) {
    settings.logger = std::make_shared<spdlog::logger>("bench", std::make_shared<spdlog::sinks::null_sink_mt>());
    ctx = std::make_unique<host::HostContext>(*registry, root, settings);
  }
  /// A fresh instance of the config's [algorithm].
  std::shared_ptr<Algorithm> algorithm() const { return ctx->build<Algorithm>("algorithm"); }
  host::DataSetup data() { return host::prepare_data(*root, *registry, settings); }

  std::shared_ptr<host::Registry> registry;  // first: the plugins outlive what they built
  std::shared_ptr<host::TomlConfigView> root;
  host::RunSettings settings;
  std::unique_ptr<host::HostContext> ctx;
};

}  // namespace razor::bench
