#pragma once
// Builds the [algorithm] of a TOML config through a Session with this build's real plugins, the way
// razor-host composes it (for tests that need host_core: plugin tests and host tests). A family's test
// passes its compiled-in descriptor, which then replaces the family's plugin file: what it builds are
// the test's own classes, so casting them to those classes is sound.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "razor/algorithm.h"
#include "session/session.h"
#include "test_support.hpp"

#ifdef RAZOR_TEST_FAMILY
extern "C" const razor::PluginDescriptor* RAZOR_PLUGIN_ENTRY();
#endif

namespace razor::test {

/// The plugins compiled into this test: a family's test (RAZOR_TEST_FAMILY) has its own descriptor.
inline std::vector<const PluginDescriptor*> own_plugins() {
#ifdef RAZOR_TEST_FAMILY
  return {RAZOR_PLUGIN_ENTRY()};
#else
  return {};
#endif
}

struct BuiltAlgorithm {
  std::shared_ptr<host::Session> session;  // first: the plugins outlive what they built
  std::shared_ptr<Algorithm> algorithm;
};

/// This build's plugin folder.
inline std::string plugin_dir() { return std::string(RAZOR_BINARY_DIR) + "/" + RAZOR_PLUGIN_INSTALL_DIR; }

/// Writes `toml` to dir/config.toml and builds its [algorithm] with the given seed.
inline BuiltAlgorithm build_algorithm(const TempDir& dir, const std::string& toml, std::uint64_t seed = 0,
                                      std::vector<const PluginDescriptor*> in_process = own_plugins()) {
  BuiltAlgorithm b;
  b.session = std::make_shared<host::Session>(
      host::SessionOptions{dir.write("config.toml", toml), {}, {plugin_dir()}, std::move(in_process)});
  b.session->settings().seed = seed;
  b.algorithm = b.session->build_algorithm();
  return b;
}

}  // namespace razor::test
