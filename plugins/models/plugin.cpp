// The models family: classification networks for small images (ResNet, MobileNetV2, ShuffleNetV2,
// MLP), the SPOS ShuffleNetV2 supernet, and torchvision-compatible networks (torchvision/: the module
// and parameter names of torchvision 0.14, so PyTorch state_dicts load by name), and any network
// scripted or traced in Python (torchscript/).
#include "mlp.h"
#include "mobilenet_v2.h"
#include "razor/plugin.h"
#include "resnet.h"
#include "shufflenet_v2.h"
#include "spos_shufflenet.h"
#include "torchvision/cifar_resnet.h"
#include "torchvision/mobilenet_v2.h"
#include "torchvision/mobilenet_v3.h"
#include "torchvision/resnet.h"
#include "torchvision/shufflenet_v2.h"
#include "torchvision/vgg.h"
#include "torchscript/torchscript_model.h"

using namespace razor::models;
namespace tv = razor::models::torchvision;

RAZOR_PLUGIN(
    "models", "0.2.0",
    "Classification networks (ResNet, MobileNetV2, ShuffleNetV2, SPOS supernet, MLP; torchvision-compatible "
    "ResNet, CIFAR ResNet, MobileNetV2/V3, ShuffleNetV2, VGG)",
    razor::component<ResNetImpl>("resnet", "ResNet with basic blocks; 3x3 stem without max-pooling, for small images"),
    razor::component<MobileNetV2Impl>("mobilenet_v2", "MobileNetV2 inverted residuals with ReLU6, for small images"),
    razor::component<ShuffleNetV2Impl>("shufflenet_v2", "ShuffleNetV2 units (channel split and shuffle), for small images"),
    razor::component<SposShuffleNetImpl>(
        "spos_shufflenet",
        "SPOS ShuffleNetV2 supernet: every block a one-shot op over shuffle 3x3/5x5/7x7 and Xception units, "
        "searched as blocks.0 ... blocks.N-1"),
    razor::component<MlpImpl>(
        "mlp", "Fully connected layers with ReLU on flattened images; no batch norm (exact reference runs, tiny baselines)"),
    razor::component<tv::ResNet18Impl>("torchvision.resnet18", "torchvision's resnet18 (same module names; loads its state_dict)"),
    razor::component<tv::ResNet34Impl>("torchvision.resnet34", "torchvision's resnet34 (same module names; loads its state_dict)"),
    razor::component<tv::ResNet50Impl>("torchvision.resnet50", "torchvision's resnet50, Bottleneck blocks (same module names; loads its state_dict)"),
    razor::component<tv::CifarResNet20Impl>(
        "cifar_resnet20", "CIFAR ResNet-20: 3x3 stem, 3x3 BasicBlocks at 16/32/64 channels, torchvision-style names"),
    razor::component<tv::CifarResNet56Impl>(
        "cifar_resnet56", "CIFAR ResNet-56: 3x3 stem, 3x9 BasicBlocks at 16/32/64 channels, torchvision-style names"),
    razor::component<tv::TorchvisionMobileNetV2Impl>(
        "torchvision.mobilenet_v2", "torchvision's mobilenet_v2 with width_mult (same module names; loads its state_dict)"),
    razor::component<tv::MobileNetV3SmallImpl>(
        "torchvision.mobilenet_v3_small",
        "torchvision's mobilenet_v3_small: squeeze-excitation, hardswish (same module names; loads its state_dict)"),
    razor::component<tv::MobileNetV3LargeImpl>(
        "torchvision.mobilenet_v3_large",
        "torchvision's mobilenet_v3_large: squeeze-excitation, hardswish (same module names; loads its state_dict)"),
    razor::component<tv::ShuffleNetV2X05Impl>(
        "torchvision.shufflenet_v2_x0_5", "torchvision's shufflenet_v2_x0_5 (same module names; loads its state_dict)"),
    razor::component<tv::ShuffleNetV2X10Impl>(
        "torchvision.shufflenet_v2_x1_0", "torchvision's shufflenet_v2_x1_0 (same module names; loads its state_dict)"),
    razor::component<tv::Vgg11BnImpl>("torchvision.vgg11_bn", "torchvision's vgg11_bn (same module names; loads its state_dict)"),
    razor::component<tv::Vgg16BnImpl>("torchvision.vgg16_bn", "torchvision's vgg16_bn (same module names; loads its state_dict)"),
    razor::component<TorchScriptModelImpl>(
        "torchscript", "a network saved from Python with torch.jit.script or torch.jit.trace; its parameters train"))
