// The models family: classification networks (ResNet, MobileNetV2, ShuffleNetV2, MLP) and the SPOS
// ShuffleNetV2 supernet.
#include "mlp.h"
#include "mobilenet_v2.h"
#include "razor/plugin.h"
#include "resnet.h"
#include "shufflenet_v2.h"
#include "spos_shufflenet.h"

using namespace razor::models;

RAZOR_PLUGIN(
    "models", "0.2.0", "Classification networks (ResNet, MobileNetV2, ShuffleNetV2, SPOS supernet, MLP)",
    razor::component<ResNetImpl>("resnet", "ResNet with basic blocks; 3x3 stem without max-pooling, for small images"),
    razor::component<MobileNetV2Impl>("mobilenet_v2", "MobileNetV2 inverted residuals with ReLU6, for small images"),
    razor::component<ShuffleNetV2Impl>("shufflenet_v2", "ShuffleNetV2 units (channel split and shuffle), for small images"),
    razor::component<SposShuffleNetImpl>(
        "spos_shufflenet",
        "SPOS ShuffleNetV2 supernet: every block a one-shot op over shuffle 3x3/5x5/7x7 and Xception units, "
        "searched as blocks.0 ... blocks.N-1"),
    razor::component<MlpImpl>(
        "mlp", "Fully connected layers with ReLU on flattened images; no batch norm (exact reference runs, tiny baselines)"))
