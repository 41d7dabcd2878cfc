#pragma once
/// BuildContext: what a component factory receives — its config, a builder for nested components,
/// the device, the run's seed and the logger.
///
/// Example: auto model = ctx.build(options.architecture);  // a razor::Nested<razor::Model> option
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <c10/core/Device.h>

#include "razor/component.h"
#include "razor/config.h"
#include "razor/errors.h"
#include "razor/export.h"
#include "razor/options.h"

namespace spdlog {
class logger;
}

namespace razor {

class RAZOR_API BuildContext {
 public:
  virtual ~BuildContext();

  /// This component's table, bound to the options it declared.
  virtual const ConfigView& config() const = 0;
  /// Builds the component described by `table` (its `type` key) as a component of `kind`.
  virtual std::shared_ptr<Component> build(const ConfigView& table, const std::string& kind) const = 0;
  virtual c10::Device device() const = 0;
  /// The run's seed; derive per-component generators from it.
  virtual std::uint64_t seed() const = 0;
  virtual spdlog::logger& logger() const = 0;
  /// The shape [1, C, H, W] of one input of the run's data (read from its [data] section when first
  /// asked), or empty where the run has none. For components that trace their model when built
  /// (quantization); others need not ask.
  virtual std::vector<std::int64_t> input_shape() const;

  /// Builds a nested component of interface T from a table.
  template <class T>
  std::shared_ptr<T> build(const ConfigView& table) const {
    auto made = std::dynamic_pointer_cast<T>(build(table, T::kKind));
    if (!made) table.fail("type", std::string("the component built here is not a ") + T::kKind);
    return made;
  }
  /// Builds a nested component of interface T from the option `key` of this component's table.
  template <class T>
  std::shared_ptr<T> build(const std::string& key) const {
    return build<T>(*config().table(key));
  }
  /// Builds a nested component option (razor::Nested<T>) of this component's options.
  template <class T>
  std::shared_ptr<T> build(const Nested<T>& nested) const {
    if (!nested) throw PluginError(std::string("a nested ") + T::kKind + " that the config does not set was built");
    return build<T>(*nested.view);
  }
  /// Builds each component of a razor::NestedList<T> option, in order.
  template <class T>
  std::vector<std::shared_ptr<T>> build(const NestedList<T>& list) const {
    std::vector<std::shared_ptr<T>> out;
    for (const auto& view : list.views) out.push_back(build<T>(*view));
    return out;
  }
};

}  // namespace razor
