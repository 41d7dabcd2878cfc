#pragma once
/// The SPOS ShuffleNetV2 supernet (Guo et al., "Single Path One-Shot NAS"): a stem, then one flat
/// list of searchable blocks, each a razor::OneShotOp choosing among ShuffleNetV2 units with a 3x3,
/// 5x5 or 7x7 depthwise kernel and the Xception-style unit; an optional 1x1 conv, global pooling and
/// a Linear layer. Blocks live in one Sequential "blocks", so their mutable paths, the search-group
/// keys of subnet files, are "blocks.0" ... "blocks.N-1" whatever the stage layout.
///
/// Example (the paper's ImageNet space, 20 blocks):
///   SposShuffleNet net(SposShuffleNetOptions().in_channels(3).num_classes(1000).stem_stride(2).stem_pool(true)
///                          .widths({64, 160, 320, 640}).repeats({4, 4, 8, 4}).strides({2, 2, 2, 2})
///                          .last_channels(1024));
#include <cstdint>
#include <string>
#include <vector>

#include <torch/nn/modules/container/any.h>
#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/modules/linear.h>

#include "conv_bn.h"
#include "razor/model.h"
#include "razor/one_shot_op.h"
#include "razor/scriptable.h"
#include "razor/tap.h"
#include "stage_options.h"

namespace razor::models {

struct SposShuffleNetOptions : razor::Options<SposShuffleNetOptions> {
  RAZOR_STAGE_OPTIONS;
  RAZOR_ARG(std::int64_t, stem_stride, "stride of the stem convolution (2 for ImageNet)", 1).positive();
  RAZOR_ARG(bool, stem_pool, "3x3 max-pooling with stride 2 after the stem (ImageNet)", false);
  RAZOR_STAGE_WIDTHS("output channels of each stage (even)", 32, 64, 128);
  RAZOR_ARG(std::vector<std::int64_t>, repeats, "searchable blocks per stage", std::vector<std::int64_t>{2, 2, 2})
      .positive();
  RAZOR_ARG(std::int64_t, last_channels, "width of the 1x1 convolution before pooling; 0 = none", 256)
      .check([](std::int64_t c) { return c >= 0; }, "must not be negative (0 = no final 1x1 convolution)");
  RAZOR_ARG(std::vector<std::string>, candidates,
            "operations every block chooses among, in choice order (of shuffle_3x3, shuffle_5x5, shuffle_7x7, "
            "shuffle_xception)",
            std::vector<std::string>{"shuffle_3x3", "shuffle_5x5", "shuffle_7x7", "shuffle_xception"})
      .not_empty("needs at least one candidate");
  RAZOR_ARG(std::vector<double>, candidate_probs, "sampling probability of each candidate (summing to 1); [] = uniform",
            std::vector<double>{});

 public:
  void validate(const ConfigView& cfg) const;
};

/// The candidate names a block may hold: shuffle_3x3, shuffle_5x5, shuffle_7x7, shuffle_xception.
const std::vector<std::string>& spos_candidate_names();

/// A new candidate block; throws razor::Error for a name not in spos_candidate_names().
torch::nn::AnyModule make_spos_candidate(const std::string& name, std::int64_t in_channels,
                                         std::int64_t out_channels, std::int64_t stride);

class SposShuffleNetImpl : public razor::Model, public razor::Scriptable {
 public:
  using Options = SposShuffleNetOptions;
  explicit SposShuffleNetImpl(const SposShuffleNetOptions& options = {});
  at::Tensor forward(const at::Tensor& x) override;
  std::string torchscript_forward() const override;

  /// Searchable block `i` (the module at "blocks.i").
  razor::OneShotOpImpl& block(std::size_t i);

  SposShuffleNetOptions options;
  ConvBn stem{nullptr}, last{nullptr};  // last empty when last_channels is 0
  torch::nn::Sequential blocks{nullptr};  // one razor::OneShotOp per block, every stage in order
  torch::nn::Linear fc{nullptr};
  razor::Taps taps{nullptr};  // see backbone_taps.h
};
TORCH_MODULE(SposShuffleNet);

}  // namespace razor::models
