// torchvision-compatible networks (plugins/models/torchvision/): built through their registered
// factories, they have torchvision's state_dict names and shapes, load a state_dict that PyTorch saved,
// and compute what torchvision computes; the channel analysis finds their prunable units.
// The references come from make_torchvision_refs.py, run once with Debian's /usr/bin/python3.
#include <algorithm>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include <ATen/ATen.h>
#include <torch/script.h>

#include "razor/channel_units.h"
#include "razor/state_dict.h"
#include "razor/tap.h"
#include "razor_doctest.hpp"
#include "test_support.hpp"
#include "models_test_support.hpp"
#include "torchvision/cifar_resnet.h"
#include "torchvision/mobilenet_v2.h"
#include "torchvision/mobilenet_v3.h"
#include "torchvision/resnet.h"
#include "torchvision/shufflenet_v2.h"
#include "torchvision/vgg.h"

using namespace razor::models::torchvision;

namespace {

/// One reference network: its name in make_torchvision_refs.py and razor's equivalent.
struct Reference {
  std::string name;
  std::string type;                            // the registered component
  std::map<std::string, std::string> options;  // as the Python constructor's arguments
  std::string output_tap;                      // the final Linear's path
};

const std::vector<Reference> kReferences = {
    {"resnet18", "model/torchvision.resnet18", {{"num_classes", "10"}}, "fc"},
    {"resnet34", "model/torchvision.resnet34", {{"num_classes", "10"}, {"in_channels", "1"}}, "fc"},
    {"resnet50", "model/torchvision.resnet50", {{"num_classes", "10"}}, "fc"},
    {"cifar_resnet20", "model/cifar_resnet20", {}, "fc"},
    {"cifar_resnet56", "model/cifar_resnet56", {{"num_classes", "100"}}, "fc"},
    {"mobilenet_v2", "model/torchvision.mobilenet_v2", {{"num_classes", "10"}, {"width_mult", "0.75"}}, "classifier.1"},
    {"mobilenet_v3_small", "model/torchvision.mobilenet_v3_small", {{"num_classes", "10"}, {"width_mult", "0.75"}},
     "classifier.3"},
    {"mobilenet_v3_large", "model/torchvision.mobilenet_v3_large", {{"num_classes", "10"}}, "classifier.3"},
    {"shufflenet_v2_x0_5", "model/torchvision.shufflenet_v2_x0_5", {{"num_classes", "10"}}, "fc"},
    {"shufflenet_v2_x1_0", "model/torchvision.shufflenet_v2_x1_0", {{"num_classes", "10"}}, "fc"},
    {"vgg11_bn", "model/torchvision.vgg11_bn", {{"num_classes", "10"}}, "classifier.6"},
    {"vgg16_bn", "model/torchvision.vgg16_bn", {{"num_classes", "10"}}, "classifier.6"},
};

/// "64x3x7x7", or "scalar" for a 0-d tensor (num_batches_tracked), as layouts.txt writes shapes.
std::string shape_text(const at::Tensor& t) {
  std::string out;
  for (const auto d : t.sizes()) out += (out.empty() ? "" : "x") + std::to_string(d);
  return out.empty() ? "scalar" : out;
}

/// Key and shape of every state_dict entry, in order.
using Layout = std::vector<std::pair<std::string, std::string>>;

/// What a state_dict of the module would hold: its parameters, then its buffers.
Layout layout_of(torch::nn::Module& module) {
  Layout out;
  for (const auto& p : module.named_parameters()) out.emplace_back(p.key(), shape_text(p.value()));
  for (const auto& b : module.named_buffers()) out.emplace_back(b.key(), shape_text(b.value()));
  return out;
}

/// layouts.txt: network name -> its state_dict's keys and shapes, in the file's order.
std::map<std::string, Layout> read_layouts(const std::string& path) {
  std::map<std::string, Layout> out;
  std::ifstream in(path);
  for (std::string name, key, shape; in >> name >> key >> shape;) out[name].emplace_back(key, shape);
  return out;
}

/// The first differences between torchvision's layout and razor's, one line each ("" when equal as sets).
std::string differences(const Layout& torchvision, const Layout& razor) {
  const std::map<std::string, std::string> theirs(torchvision.begin(), torchvision.end());
  const std::map<std::string, std::string> ours(razor.begin(), razor.end());
  std::vector<std::string> lines;
  for (const auto& [key, shape] : theirs) {
    const auto it = ours.find(key);
    if (it == ours.end()) {
      lines.push_back("missing in razor: " + key + " " + shape);
    } else if (it->second != shape) {
      lines.push_back(key + ": razor " + it->second + ", torchvision " + shape);
    }
  }
  for (const auto& [key, shape] : ours)
    if (theirs.count(key) == 0) lines.push_back("not in torchvision: " + key + " " + shape);
  std::string out;
  for (std::size_t i = 0; i < std::min<std::size_t>(lines.size(), 8); ++i) out += lines[i] + "\n";
  if (lines.size() > 8) out += "... " + std::to_string(lines.size() - 8) + " more\n";
  return out;
}

/// The keys of `layout` that are among `keys`, in `layout`'s order.
std::vector<std::string> keys_among(const Layout& layout, const Layout& keys) {
  std::vector<std::string> wanted;
  for (const auto& [key, shape] : keys) wanted.push_back(key);
  std::sort(wanted.begin(), wanted.end());
  std::vector<std::string> out;
  for (const auto& [key, shape] : layout)
    if (std::binary_search(wanted.begin(), wanted.end(), key)) out.push_back(key);
  return out;
}

double max_abs_diff(const at::Tensor& a, const at::Tensor& b) { return (a - b).abs().max().item<double>(); }

bool has_module(const std::vector<razor::ChannelSlice>& slices, const std::string& module) {
  return std::any_of(slices.begin(), slices.end(), [&](const razor::ChannelSlice& s) { return s.module == module; });
}

/// The unit whose output-related slices include `module` (null when none does).
const razor::ChannelUnit* unit_of(const razor::ChannelAnalysis& analysis, const std::string& module) {
  for (const auto& unit : analysis.units)
    if (has_module(unit.output_related, module)) return &unit;
  return nullptr;
}

std::size_t prunable_units(const razor::ChannelAnalysis& analysis) {
  return static_cast<std::size_t>(std::count_if(analysis.units.begin(), analysis.units.end(),
                                                [](const razor::ChannelUnit& u) { return u.prunable; }));
}

/// Every block of a ResNet stage adds into one residual stream, so the last batch norm of each block
/// (and the projection shortcut, or the stem when the first stage has none) is in one prunable unit.
void check_residual_stages(razor::Model& net, const at::Tensor& input, const std::vector<std::int64_t>& blocks,
                           const std::string& last_bn, bool first_stage_projects) {
  const razor::ChannelAnalysis analysis = razor::analyse_channels(net, input);
  CHECK(prunable_units(analysis) > 0);
  const razor::ChannelUnit* previous = nullptr;
  for (std::size_t s = 0; s < blocks.size(); ++s) {
    const std::string stage = "layer" + std::to_string(s + 1);
    CAPTURE(stage);
    const razor::ChannelUnit* unit = unit_of(analysis, stage + ".0." + last_bn);
    REQUIRE(unit != nullptr);
    CHECK(unit->prunable);
    CHECK(unit != previous);
    for (std::int64_t b = 1; b < blocks[s]; ++b) CHECK(has_module(unit->output_related, stage + "." + std::to_string(b) + "." + last_bn));
    if (s > 0 || first_stage_projects) {
      CHECK(has_module(unit->output_related, stage + ".0.downsample.1"));
    } else {
      CHECK(has_module(unit->output_related, "bn1"));
    }
    previous = unit;
  }
}

}  // namespace

TEST_CASE("torchvision models: torchvision's state_dict names and shapes, its weights load, same eval output") {
  REQUIRE_MESSAGE(razor::test::python_has_torch(), "python3-torch is not installed (tools/bootstrap installs it)");
  razor::test::TempDir dir("torchvision_refs");
  const razor::test::Output py = razor::test::run_command(
      "/usr/bin/python3 " RAZOR_SOURCE_DIR "/plugins/models/tests/make_torchvision_refs.py " + dir.path.string());
  REQUIRE_MESSAGE(py.exit_code == 0, py.text);
  const std::map<std::string, Layout> layouts = read_layouts(dir.file("layouts.txt"));
  torch::jit::Module io = torch::jit::load(dir.file("io.pt"));

  for (const Reference& ref : kReferences) {
    CAPTURE(ref.name);
    auto net = razor::models::test::build<razor::Model>(ref.type, ref.options);
    REQUIRE(layouts.count(ref.name) == 1);
    const Layout& expected = layouts.at(ref.name);
    const Layout actual = layout_of(*net);
    const std::string diff = differences(expected, actual);
    CHECK_MESSAGE(diff.empty(), diff);
    // Registration follows torchvision's order, so the parameters come in the state_dict's order.
    Layout parameters;
    std::vector<std::string> parameter_keys;
    for (const auto& p : net->named_parameters()) {
      parameters.emplace_back(p.key(), "");
      parameter_keys.push_back(p.key());
    }
    CHECK(keys_among(expected, parameters) == parameter_keys);

    const razor::StateDict weights = razor::read_state_dict(dir.file(ref.name + ".pth"));
    const razor::LoadReport report = razor::load_state_dict(*net, weights);
    CHECK(report.loaded == static_cast<std::int64_t>(expected.size()));
    CHECK(report.missing.empty());
    CHECK(report.unexpected.empty());

    net->eval();
    const at::Tensor input = io.attr(ref.name + "_input").toTensor();
    const at::Tensor reference = io.attr(ref.name + "_output").toTensor();
    at::Tensor output;
    {
      at::NoGradGuard no_grad;
      output = net->forward(input);
    }
    REQUIRE(output.sizes() == reference.sizes());
    const double deviation = max_abs_diff(output, reference);
    CAPTURE(deviation);
    CHECK(deviation <= 1e-5);

    CHECK(razor::output_tap(*net) == ref.output_tap);
    const auto taps = razor::tap_paths(*net);
    CHECK(std::find(taps.begin(), taps.end(), "avgpool") != taps.end());
  }
}

TEST_CASE("torchvision models: options set the widths, the input channels and the classes") {
  CHECK(TorchvisionResNetOptions().num_classes() == 1000);
  CHECK(CifarResNetOptions().num_classes() == 10);
  // _make_divisible: 32 * 0.35 = 11.2 rounds to 16 (8 would lose more than 10 %), 1280 stays at width < 1.
  TorchvisionMobileNetV2 small(TorchvisionMobileNetV2Options().width_mult(0.35).num_classes(7).in_channels(1));
  CHECK(small->features[0]->named_parameters()["0.weight"].sizes() == at::IntArrayRef({16, 1, 3, 3}));
  CHECK(small->classifier[1]->named_parameters()["weight"].sizes() == at::IntArrayRef({7, 1280}));
  MobileNetV3Large wide(TorchvisionMobileNetV3Options().width_mult(1.25));
  CHECK(wide->classifier[3]->named_parameters()["weight"].sizes() == at::IntArrayRef({1000, 1600}));
  CHECK(layout_of(*CifarResNet20()).size() < layout_of(*CifarResNet56()).size());

  CHECK_THROWS_WITH_AS(razor::models::test::build<razor::Model>("model/torchvision.mobilenet_v2", {{"width_mult", "0"}}),
                       "t.toml:1:1: model.width_mult: must be positive", razor::ConfigError);
  CHECK_THROWS_WITH_AS(razor::models::test::build<razor::Model>("model/torchvision.vgg11_bn", {{"num_classes", "0"}}),
                       "t.toml:1:1: model.num_classes: must be positive", razor::ConfigError);

  // The taps name the module paths whose outputs they carry; the last one is the logits.
  CHECK(razor::tap_paths(*CifarResNet20()) == std::vector<std::string>{"relu", "layer1", "layer2", "layer3", "avgpool", "fc"});
  CHECK(razor::tap_paths(*ShuffleNetV2X05()) ==
        std::vector<std::string>{"maxpool", "stage2", "stage3", "stage4", "conv5", "avgpool", "fc"});
  const auto vgg_taps = razor::tap_paths(*Vgg11Bn(TorchvisionVggOptions().num_classes(10)));
  CHECK(vgg_taps.front() == "features.2");
  CHECK(vgg_taps.size() == 8 + 5 + 2);  // each conv block, each max-pool, avgpool, classifier.6
}

TEST_CASE("torchvision models: channel units") {
  at::manual_seed(0);
  const at::Tensor imagenet = at::randn({1, 3, 64, 64});

  SUBCASE("ResNet: each residual stage is one unit") {
    ResNet18 resnet18(TorchvisionResNetOptions().num_classes(10));
    check_residual_stages(*resnet18, imagenet, {2, 2, 2, 2}, "bn2", false);
    ResNet34 resnet34(TorchvisionResNetOptions().num_classes(10));
    check_residual_stages(*resnet34, imagenet, {3, 4, 6, 3}, "bn2", false);
    ResNet50 resnet50(TorchvisionResNetOptions().num_classes(10));
    check_residual_stages(*resnet50, imagenet, {3, 4, 6, 3}, "bn3", true);  // layer1 widens 64 -> 256
    CifarResNet20 resnet20;
    check_residual_stages(*resnet20, at::randn({1, 3, 32, 32}), {3, 3, 3}, "bn2", false);
    CifarResNet56 resnet56;
    check_residual_stages(*resnet56, at::randn({1, 3, 32, 32}), {9, 9, 9}, "bn2", false);
  }

  SUBCASE("MobileNetV2: expansion and depthwise share a unit; residual blocks share their projection") {
    TorchvisionMobileNetV2 net(TorchvisionMobileNetV2Options().num_classes(10));
    const auto analysis = razor::analyse_channels(*net, imagenet);
    CHECK(prunable_units(analysis) > 0);
    const razor::ChannelUnit* expansion = unit_of(analysis, "features.2.conv.0.1");
    REQUIRE(expansion != nullptr);
    CHECK(expansion->prunable);
    CHECK(has_module(expansion->output_related, "features.2.conv.1.0"));  // the depthwise conv
    const razor::ChannelUnit* projection = unit_of(analysis, "features.2.conv.3");
    REQUIRE(projection != nullptr);
    CHECK(has_module(projection->output_related, "features.3.conv.3"));  // 24 -> 24, stride 1: residual
  }

  SUBCASE("MobileNetV3: a squeeze-excitation gate joins the expanded channels it scales") {
    MobileNetV3Small small(TorchvisionMobileNetV3Options().num_classes(10));
    MobileNetV3Large large(TorchvisionMobileNetV3Options().num_classes(10));
    for (razor::Model* net : {static_cast<razor::Model*>(small.get()), static_cast<razor::Model*>(large.get())}) {
      const auto analysis = razor::analyse_channels(*net, imagenet);
      CHECK(prunable_units(analysis) > 0);
      // features.4 of both: 1x1 expansion (block.0), depthwise (block.1), squeeze-excitation (block.2).
      const razor::ChannelUnit* expanded = unit_of(analysis, "features.4.block.0.1");
      REQUIRE(expanded != nullptr);
      CAPTURE(expanded->why_not);
      CHECK(expanded->prunable);
      CHECK(has_module(expanded->output_related, "features.4.block.1.0"));
      CHECK(has_module(expanded->output_related, "features.4.block.2.fc2"));
      CHECK(has_module(expanded->input_related, "features.4.block.2.fc1"));
    }
  }

  SUBCASE("ShuffleNetV2: channel shuffles are barriers; inside branch2 the channels are free") {
    ShuffleNetV2X05 x05(TorchvisionShuffleNetV2Options().num_classes(10));
    ShuffleNetV2X10 x10(TorchvisionShuffleNetV2Options().num_classes(10));
    for (razor::Model* net : {static_cast<razor::Model*>(x05.get()), static_cast<razor::Model*>(x10.get())}) {
      const auto analysis = razor::analyse_channels(*net, imagenet);
      CHECK(prunable_units(analysis) > 0);
      CHECK(analysis.barriers.size() == 4 + 8 + 4);  // one shuffle per block
      const razor::ChannelUnit* inner = unit_of(analysis, "stage2.1.branch2.0");
      REQUIRE(inner != nullptr);
      CHECK(inner->prunable);
      CHECK(has_module(inner->output_related, "stage2.1.branch2.3"));  // the depthwise conv
    }
  }

  SUBCASE("VGG: every conv with its batch norm is a unit; the last one feeds 7x7 features per channel") {
    Vgg11Bn net(TorchvisionVggOptions().num_classes(10));
    const auto analysis = razor::analyse_channels(*net, imagenet);
    std::size_t convs = 0;
    for (std::size_t i = 0; i < net->features->size(); ++i) {
      if (!net->features[i]->as<torch::nn::Conv2d>()) continue;
      const std::string conv = "features." + std::to_string(i);
      CAPTURE(conv);
      const razor::ChannelUnit* unit = unit_of(analysis, conv);
      REQUIRE(unit != nullptr);
      CHECK(unit->prunable);
      CHECK(has_module(unit->output_related, "features." + std::to_string(i + 1)));
      ++convs;
    }
    CHECK(convs == 8);
    const razor::ChannelUnit* last = unit_of(analysis, "features.25");
    REQUIRE(last != nullptr);
    REQUIRE(last->input_related.size() == 1);
    CHECK(last->input_related[0].module == "classifier.0");
    CHECK(last->input_related[0].end - last->input_related[0].start == 512 * 7 * 7);
  }
}
