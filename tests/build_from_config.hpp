#pragma once
// Builds the [algorithm] of a TOML config through the host's registry with this build's real plugins,
// the way razor-host composes it (for tests that need host_core: plugin tests and host tests).
#include <cstdint>
#include <memory>
#include <string>

#include "config/config_loader.h"
#include "plugins/host_context.h"
#include "plugins/load_registry.h"
#include "razor/algorithm.h"
#include "run/logging.h"
#include "test_support.hpp"

namespace razor::test {

struct BuiltAlgorithm {
  std::shared_ptr<host::Registry> registry;  // first: the plugins outlive what they built
  std::shared_ptr<Algorithm> algorithm;
};

/// Writes `toml` to dir/config.toml and builds its [algorithm] with the given seed.
inline BuiltAlgorithm build_algorithm(const TempDir& dir, const std::string& toml, std::uint64_t seed = 0) {
  BuiltAlgorithm b;
  b.registry = host::load_registry({std::string(RAZOR_BINARY_DIR) + "/" + RAZOR_PLUGIN_INSTALL_DIR});
  auto doc = host::load_config(dir.write("config.toml", toml), {});
  static host::RunSettings settings;
  settings.seed = seed;
  settings.logger = host::make_logger();
  auto root = host::TomlConfigView(doc).bind(nullptr, "test");
  host::HostContext ctx(*b.registry, root, settings);
  b.algorithm = ctx.build<Algorithm>("algorithm");
  return b;
}

}  // namespace razor::test
