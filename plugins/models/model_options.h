#pragma once
// Reading the zoo networks' options from a config, with the checks the networks rely on.
#include "mlp.h"
#include "mobilenet_v2.h"
#include "razor/config.h"
#include "resnet.h"
#include "shufflenet_v2.h"
#include "spos_shufflenet.h"

namespace razor::models {

ResNetOptions resnet_options(const razor::ConfigView& cfg);
MobileNetV2Options mobilenet_v2_options(const razor::ConfigView& cfg);
ShuffleNetV2Options shufflenet_v2_options(const razor::ConfigView& cfg);
SposShuffleNetOptions spos_shufflenet_options(const razor::ConfigView& cfg);
MlpOptions mlp_options(const razor::ConfigView& cfg);

}  // namespace razor::models
