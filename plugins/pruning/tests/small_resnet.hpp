#pragma once
// What the pruning tests build: a small ResNet (stem 8, widths 8-16-32) on 8x8 one-channel images
// under a pruning algorithm with the channel mutator, and a batch for it.
#include <string>

#include <ATen/ATen.h>

#include "razor/batch.h"

namespace razor::test {

/// `algorithm_keys` go into [algorithm]; `tail` follows [algorithm.mutator] (its keys, or more tables).
inline std::string small_resnet_config(const std::string& algorithm, const std::string& algorithm_keys,
                                       const std::string& tail) {
  return "[algorithm]\ntype = \"" + algorithm + "\"\n" + algorithm_keys + R"(
[algorithm.architecture]
type = "resnet"
in_channels = 1
num_classes = 10
stem_channels = 8
widths = [8, 16, 32]
blocks = [1, 1, 1]
strides = [1, 2, 2]
[algorithm.mutator]
type = "channel"
input_shape = [1, 8, 8]
)" + tail;
}

/// Six random 8x8 images and labels, the same every call.
inline Batch small_batch() {
  at::manual_seed(3);
  return {at::randn({6, 1, 8, 8}), at::randint(0, 10, {6}, at::kLong)};
}

}  // namespace razor::test
