#pragma once
// HostContext: the BuildContext the host hands to factories. Nested builds resolve `type` by the
// kind the parent asks for, bind the component's declared options, and go through the registry.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <spdlog/logger.h>

#include "config/toml_config_view.h"
#include "loader/registry.h"
#include "razor/context.h"

namespace razor::host {

struct RunSettings {
  c10::Device device{c10::kCPU};
  std::uint64_t seed = 0;
  std::shared_ptr<spdlog::logger> logger;
  std::function<std::vector<std::int64_t>()> input_shape;  // BuildContext::input_shape; unset: none
};

class HostContext final : public BuildContext {
 public:
  HostContext(const Registry& registry, std::shared_ptr<const TomlConfigView> config, const RunSettings& settings);

  const ConfigView& config() const override { return *config_; }
  std::shared_ptr<Component> build(const ConfigView& table, const std::string& kind) const override;
  c10::Device device() const override { return settings_.device; }
  std::uint64_t seed() const override { return settings_.seed; }
  spdlog::logger& logger() const override { return *settings_.logger; }
  std::vector<std::int64_t> input_shape() const override {
    return settings_.input_shape ? settings_.input_shape() : std::vector<std::int64_t>{};
  }
  using BuildContext::build;

 private:
  const Registry& registry_;
  std::shared_ptr<const TomlConfigView> config_;
  const RunSettings& settings_;
};

/// Resolves `type` in `table` (short "resnet" or full "model/resnet") to a component of `kind`;
/// throws ConfigError listing the registered ones when unknown.
const RegisteredComponent& resolve_type(const Registry& registry, const ConfigView& table, const std::string& kind);

}  // namespace razor::host
