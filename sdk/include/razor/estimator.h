#pragma once
/// Estimator: the resource cost of a model as it is configured now (for a supernet: the current subnet).
#include <map>
#include <string>
#include <vector>

#include <cstdint>

#include "razor/component.h"
#include "razor/model.h"

namespace razor {

/// Named costs, e.g. {"flops": 1.2e6, "params": 3.4e4}.
using Costs = std::map<std::string, double>;

/// One module's share of the costs: a row of `razor-host flops`.
struct LayerCosts {
  std::string module;  // its path in the model ("layer1.0.conv1")
  std::string type;    // its class ("Conv2d")
  Costs costs;
};

class RAZOR_API Estimator : public Component {
 public:
  static constexpr const char* kKind = "estimator";
  ~Estimator() override;
  /// Costs of one forward pass of `model` on an input of shape `input_shape` (batch dimension included).
  virtual Costs estimate(Model& model, const std::vector<std::int64_t>& input_shape) = 0;
  /// The same costs per module that ran, in the model's module order, for estimators that can tell
  /// modules apart; the default (totals only) returns nothing.
  virtual std::vector<LayerCosts> estimate_layers(Model& model, const std::vector<std::int64_t>& input_shape);
};

}  // namespace razor
