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

class RAZOR_API Estimator : public Component {
 public:
  static constexpr const char* kKind = "estimator";
  ~Estimator() override;
  /// Costs of one forward pass of `model` on an input of shape `input_shape` (batch dimension included).
  virtual Costs estimate(Model& model, const std::vector<std::int64_t>& input_shape) = 0;
};

}  // namespace razor
