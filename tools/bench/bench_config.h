#pragma once
// A config of the source tree loaded for a benchmark through a Session: this build's plugins, a silent
// logger, the config's algorithm, estimator and data.
#include <memory>
#include <string>
#include <vector>

#include "razor/algorithm.h"
#include "session/session.h"

namespace razor::bench {

struct BenchConfig {
  /// `config` relative to the source tree; `overrides` as --set takes them.
  explicit BenchConfig(const std::string& config, const std::vector<std::string>& overrides = {})
      : session(host::SessionOptions{std::string(RAZOR_SOURCE_DIR) + "/" + config, overrides, {}, {}, true}) {}
  /// A fresh instance of the config's [algorithm].
  std::shared_ptr<Algorithm> algorithm() const { return session.build_algorithm(); }
  std::shared_ptr<Estimator> estimator() const { return session.build_estimator(); }
  host::DataSetup data() const { return session.data(); }

  host::Session session;
};

}  // namespace razor::bench
