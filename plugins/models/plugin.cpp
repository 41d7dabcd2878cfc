// The models family: classification networks (ResNet, MobileNetV2, ShuffleNetV2, MLP) and the SPOS
// ShuffleNetV2 supernet.
#include "razor/plugin.h"
#include "model_options.h"

namespace {

template <class Impl, class Options, Options (*read)(const razor::ConfigView&)>
std::shared_ptr<razor::Component> make_model(const razor::BuildContext& ctx) {
  return std::make_shared<Impl>(read(ctx.config()));
}

}  // namespace

#define RAZOR_ZOO_COMMON_OPTIONS                                                   \
  {"in_channels", "int", "1", "image channels (1 grey, 3 colour)"},                \
      {"num_classes", "int", "10", "output logits"},                               \
      {"stem_channels", "int", "16", "width of the 3x3 stem convolution"},         \
      {"strides", "int[]", "[1, 2, 2]", "stride of each stage's first block"}

RAZOR_PLUGIN(
    "models", "0.2.0", "Classification networks (ResNet, MobileNetV2, ShuffleNetV2, SPOS supernet, MLP)",
    {"model", "resnet", "ResNet with basic blocks; 3x3 stem without max-pooling, for small images",
     {RAZOR_ZOO_COMMON_OPTIONS,
      {"widths", "int[]", "[16, 32, 64]", "output channels of each stage"},
      {"blocks", "int[]", "[1, 1, 1]", "basic blocks per stage"}},
     &make_model<razor::models::ResNetImpl, razor::models::ResNetOptions, &razor::models::resnet_options>},
    {"model", "mobilenet_v2", "MobileNetV2 inverted residuals with ReLU6, for small images",
     {RAZOR_ZOO_COMMON_OPTIONS,
      {"widths", "int[]", "[16, 24, 32]", "output channels of each stage"},
      {"repeats", "int[]", "[1, 2, 2]", "blocks per stage"},
      {"expand_ratio", "int", "4", "hidden width multiplier (the first stage uses 1)"},
      {"last_channels", "int", "128", "width of the final 1x1 convolution"}},
     &make_model<razor::models::MobileNetV2Impl, razor::models::MobileNetV2Options, &razor::models::mobilenet_v2_options>},
    {"model", "shufflenet_v2", "ShuffleNetV2 units (channel split and shuffle), for small images",
     {RAZOR_ZOO_COMMON_OPTIONS,
      {"widths", "int[]", "[32, 64, 128]", "output channels of each stage (even)"},
      {"repeats", "int[]", "[2, 2, 2]", "units per stage"},
      {"last_channels", "int", "256", "width of the final 1x1 convolution"}},
     &make_model<razor::models::ShuffleNetV2Impl, razor::models::ShuffleNetV2Options, &razor::models::shufflenet_v2_options>},
    {"model", "spos_shufflenet",
     "SPOS ShuffleNetV2 supernet: every block a one-shot op over shuffle 3x3/5x5/7x7 and Xception units, "
     "searched as blocks.0 ... blocks.N-1",
     {RAZOR_ZOO_COMMON_OPTIONS,
      {"stem_stride", "int", "1", "stride of the stem convolution (2 for ImageNet)"},
      {"stem_pool", "bool", "false", "3x3 max-pooling with stride 2 after the stem (ImageNet)"},
      {"widths", "int[]", "[32, 64, 128]", "output channels of each stage (even)"},
      {"repeats", "int[]", "[2, 2, 2]", "searchable blocks per stage"},
      {"last_channels", "int", "256", "width of the 1x1 convolution before pooling; 0 = none"},
      {"candidates", "string[]", "['shuffle_3x3', 'shuffle_5x5', 'shuffle_7x7', 'shuffle_xception']",
       "operations every block chooses among, in choice order (of shuffle_3x3, shuffle_5x5, shuffle_7x7, "
       "shuffle_xception)"},
      {"candidate_probs", "float[]", "[]", "sampling probability of each candidate (summing to 1); [] = uniform"}},
     &make_model<razor::models::SposShuffleNetImpl, razor::models::SposShuffleNetOptions,
                 &razor::models::spos_shufflenet_options>},
    {"model", "mlp",
     "Fully connected layers with ReLU on flattened images; no batch norm (exact reference runs, tiny baselines)",
     {{"in_features", "int", "64", "values per image: channels x height x width (64 for 8x8 digits)"},
      {"num_classes", "int", "10", "output logits"},
      {"hidden", "int[]", "[64]", "width of each hidden layer ([] = a linear classifier)"}},
     &make_model<razor::models::MlpImpl, razor::models::MlpOptions, &razor::models::mlp_options>})
