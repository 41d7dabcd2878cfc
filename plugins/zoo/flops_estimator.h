#pragma once
/// estimator/flops: FLOPs and parameters of what a model actually runs, found by one forward pass
/// and a walk of its autograd graph (LibTorch modules have no forward hooks). Only executed
/// modules count, so for a supernet the cost is that of the current subnet.
///
/// Convention (mmcv's): flops are multiply-accumulates.
///   Conv2d       numel(output) x (Cin/groups) x kh x kw   (+ numel(output) with a bias)
///   Linear       numel(output) x in_features               (+ numel(output) with a bias)
///   BatchNorm2d  2 x numel(output) when affine
/// Activations, pooling, additions and concatenations are not counted. params is the number of
/// elements of the distinct parameters the forward pass used; buffers (BN statistics) are not.
///
/// Example: auto costs = FlopsEstimator().estimate(model, {1, 1, 8, 8});  // costs["flops"]
#include <cstdint>
#include <vector>

#include "razor/context.h"
#include "razor/estimator.h"

namespace razor::zoo {

class FlopsEstimator final : public razor::Estimator {
 public:
  FlopsEstimator() = default;
  explicit FlopsEstimator(const razor::BuildContext&) {}
  razor::Costs estimate(razor::Model& model, const std::vector<std::int64_t>& input_shape) override;
};

}  // namespace razor::zoo
