// The zoo plugin: small classification networks and the FLOPs/params estimator.
#include "flops_estimator.h"
#include "razor/plugin.h"
#include "zoo_options.h"

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
    "zoo", "0.1.0", "Small classification networks (ResNet, MobileNetV2, ShuffleNetV2) and a FLOPs estimator",
    {"model", "resnet", "ResNet with basic blocks; 3x3 stem without max-pooling, for small images",
     {RAZOR_ZOO_COMMON_OPTIONS,
      {"widths", "int[]", "[16, 32, 64]", "output channels of each stage"},
      {"blocks", "int[]", "[1, 1, 1]", "basic blocks per stage"}},
     &make_model<razor::zoo::ResNetImpl, razor::zoo::ResNetOptions, &razor::zoo::resnet_options>},
    {"model", "mobilenet_v2", "MobileNetV2 inverted residuals with ReLU6, for small images",
     {RAZOR_ZOO_COMMON_OPTIONS,
      {"widths", "int[]", "[16, 24, 32]", "output channels of each stage"},
      {"repeats", "int[]", "[1, 2, 2]", "blocks per stage"},
      {"expand_ratio", "int", "4", "hidden width multiplier (the first stage uses 1)"},
      {"last_channels", "int", "128", "width of the final 1x1 convolution"}},
     &make_model<razor::zoo::MobileNetV2Impl, razor::zoo::MobileNetV2Options, &razor::zoo::mobilenet_v2_options>},
    {"model", "shufflenet_v2", "ShuffleNetV2 units (channel split and shuffle), for small images",
     {RAZOR_ZOO_COMMON_OPTIONS,
      {"widths", "int[]", "[32, 64, 128]", "output channels of each stage (even)"},
      {"repeats", "int[]", "[2, 2, 2]", "units per stage"},
      {"last_channels", "int", "256", "width of the final 1x1 convolution"}},
     &make_model<razor::zoo::ShuffleNetV2Impl, razor::zoo::ShuffleNetV2Options, &razor::zoo::shufflenet_v2_options>},
    {"estimator", "flops", "Multiply-accumulates and parameters of what one forward pass runs (mmcv convention)",
     {}, &razor::make_component<razor::zoo::FlopsEstimator>})
