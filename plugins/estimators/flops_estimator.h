#pragma once
/// estimator/flops: FLOPs and parameters of what a model actually runs, found by one forward pass
/// (eval mode, zeros of the given shape, grad enabled) and a walk of its autograd graph: LibTorch
/// modules have no forward hooks, but every operation that used a parameter is a graph node with an
/// edge to that parameter. Only executed modules count, so for a supernet the cost is that of the
/// current subnet; a weight taken through a view (Linear's transpose, a supernet's slice of a shared
/// weight, a mask product) counts as the part the operation received.
///
/// A quantized model (razor::Int8Exportable) is counted as the float model it simulates.
///
/// Convention (mmcv's): flops are multiply-accumulates (MACs).
///   Conv1d/2d/3d       numel(output) x (Cin/groups) x kh x kw   (+ numel(output) with a bias)
///   Linear             numel(output) x in_features               (+ numel(output) with a bias)
///   BatchNorm1d/2d/3d  2 x numel(output) when affine
/// Activations, pooling, additions, concatenations and operations of other modules are not counted.
/// A module run twice counts twice. flops grow with the batch size of `input_shape`; params do not.
/// params is the number of elements of the distinct parameters the forward pass used (of a sliced
/// weight, the largest slice taken); buffers (BN running statistics) are not parameters.
/// The model's training flag and its parameters' requires_grad flags are restored afterwards; BN
/// running statistics are not touched (eval mode). Limitation: an operation whose only
/// differentiable input is a parameter (e.g. a convolution of a constant tensor created inside
/// forward) is taken for a view of that parameter and not counted.
///
/// Example: auto costs = FlopsEstimator().estimate(model, {1, 1, 8, 8});  // costs["flops"]
#include <cstdint>
#include <vector>

#include "razor/context.h"
#include "razor/estimator.h"

namespace razor::estimators {

class FlopsEstimator final : public razor::Estimator {
 public:
  FlopsEstimator() = default;
  explicit FlopsEstimator(const razor::BuildContext&) {}
  razor::Costs estimate(razor::Model& model, const std::vector<std::int64_t>& input_shape) override;
  /// Per module: the flops of its own operations and the parameters it registered that the pass used.
  std::vector<razor::LayerCosts> estimate_layers(razor::Model& model, const std::vector<std::int64_t>& input_shape) override;
};

}  // namespace razor::estimators
