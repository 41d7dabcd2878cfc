#pragma once
// What the train loop does to an optimizer between steps: gradients dropped, the learning rate set.
#include <memory>
#include <vector>

#include <ATen/core/Tensor.h>
#include <torch/optim/optimizer.h>

namespace razor::host {

/// Drops every gradient (undefined, not zero), so a parameter a step does not use (an unsampled
/// candidate of a supernet) gets no momentum or weight-decay update from the optimizer. LibTorch 1.13's
/// zero_grad() zeroes instead; 2.x drops by default.
void clear_gradients(torch::optim::Optimizer& optimizer);

/// Sets the learning rate of every parameter group.
void set_learning_rate(torch::optim::Optimizer& optimizer, double lr);

}  // namespace razor::host
