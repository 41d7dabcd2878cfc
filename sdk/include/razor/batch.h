#pragma once
/// Batch and Losses: what one training step takes and gives back.
#include <map>
#include <string>

#include <ATen/core/Tensor.h>

namespace razor {

/// A labelled batch on the run's device.
struct Batch {
  at::Tensor inputs;   // [N, C, H, W] float
  at::Tensor targets;  // [N] int64
};

/// Named scalar losses. Terms whose names contain "loss" are back-propagated; others (accuracies,
/// monitored quantities) are only logged.
using Losses = std::map<std::string, at::Tensor>;

/// True for the terms of a Losses map that training back-propagates.
inline bool is_trained_term(const std::string& name) { return name.find("loss") != std::string::npos; }

}  // namespace razor
