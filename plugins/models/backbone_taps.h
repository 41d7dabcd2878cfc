#pragma once
// The record points of every zoo backbone (include from .cpp files only): "stem", one per block of
// the block sequence ("stages.0", "stages.1", ...), "last" where there is a last 1x1 conv, "pool"
// (the pooled features) and "fc" (the logits, the model's output).
#include <string>
#include <vector>

#include <torch/nn/modules/container/sequential.h>

#include "razor/tap.h"

namespace razor::models {

inline razor::Taps backbone_taps(const std::string& blocks, std::size_t num_blocks, bool has_last) {
  std::vector<std::string> names{"stem"};
  for (std::size_t i = 0; i < num_blocks; ++i) names.push_back(blocks + "." + std::to_string(i));
  if (has_last) names.emplace_back("last");
  names.emplace_back("pool");
  names.emplace_back("fc");
  return razor::Taps(names);
}

/// Runs the blocks in order, passing each block's output through its tap (names 1..n of backbone_taps).
inline at::Tensor forward_blocks(razor::TapsImpl& taps, torch::nn::Sequential& blocks, at::Tensor x) {
  std::size_t tap = 1;
  for (auto& block : *blocks) x = taps.record(taps.names()[tap++], block.forward(x));
  return x;
}

}  // namespace razor::models
