// The `torchscript` architecture (plugins/models/torchscript/): a network scripted or traced by Python
// (make_scripted_nets.py, run with Debian's /usr/bin/python3) computes what Python computed, holds its
// tensors under Python's state_dict names, trains them and its batch-norm statistics in place, is
// counted per module by the FLOPs estimator, has the channel units of razor's own network of the same
// names (torchvision's), and each file that cannot be one is refused in one line.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include <ATen/ATen.h>
#include <torch/csrc/jit/api/module.h>
#include <torch/optim/sgd.h>
#include <torch/serialize.h>
#include <torch/utils.h>

#include "flops_estimator.h"
#include "razor/channel_slicer.h"
#include "razor/channel_units.h"
#include "razor/errors.h"
#include "razor/module_type_name.h"
#include "razor/state_dict.h"
#include "razor/tap.h"
#include "razor/torchscript_export.h"
#include "razor_doctest.hpp"
#include "test_support.hpp"
#include "models_test_support.hpp"
#include "torchscript/torchscript_model.h"

namespace {

/// Runs make_scripted_nets.py into `dir` (with `options`, e.g. " --torchvision").
void make_scripted_nets(const razor::test::TempDir& dir, const std::string& options = "") {
  const razor::test::Output py = razor::test::run_command(
      "/usr/bin/python3 " RAZOR_SOURCE_DIR "/plugins/models/tests/make_scripted_nets.py " + dir.path.string() + options);
  REQUIRE_MESSAGE(py.exit_code == 0, py.text);
}

std::shared_ptr<razor::Model> build_scripted(const std::string& file) {
  return razor::models::test::build<razor::Model>("model/torchscript", {{"file", "'" + file + "'"}});
}

std::vector<std::string> sorted_lines(const std::string& path) {
  std::vector<std::string> out;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::string> sorted_state_keys(torch::nn::Module& m) {
  std::vector<std::string> out;
  for (const auto& p : m.named_parameters()) out.push_back(p.key());
  for (const auto& b : m.named_buffers()) out.push_back(b.key());
  std::sort(out.begin(), out.end());
  return out;
}

double max_abs_diff(const at::Tensor& a, const at::Tensor& b) { return (a - b).abs().max().item<double>(); }

at::Tensor forward_no_grad(razor::Model& net, const at::Tensor& x) {
  torch::NoGradGuard no_grad;
  return net.forward(x);
}

std::string pickled(const at::Tensor& t) {
  const std::vector<char> bytes = torch::pickle_save(t);
  return {bytes.begin(), bytes.end()};
}

/// The analysis as text: each unit with its channels, prunability and slices, then where each barrier
/// starts (the view ops that continue a channel shuffle differ: torchvision's view of a contiguous copy,
/// razor's flatten).
std::string analysis_text(const razor::ChannelAnalysis& analysis) {
  std::string out;
  for (const auto& u : analysis.units) {
    out += u.name + " " + std::to_string(u.channels) + (u.prunable ? " prunable\n" : " not prunable: " + u.why_not + "\n");
    for (const auto* slices : {&u.output_related, &u.input_related}) {
      for (const auto& s : *slices) {
        out += "  " + s.module + " " + razor::to_string(s.role) + " [" + std::to_string(s.start) + ", " +
               std::to_string(s.end) + ")\n";
      }
    }
  }
  for (const auto& b : analysis.barriers) out += "barrier " + b.substr(0, b.find(" (then ")) + "\n";
  return out;
}

}  // namespace

TEST_CASE("torchscript architecture: Python's network, its names and outputs, trained in place") {
  REQUIRE_MESSAGE(razor::test::python_has_torch(), "python3-torch is not installed (tools/bootstrap installs it)");
  razor::test::TempDir dir("scripted_nets");
  make_scripted_nets(dir);
  std::map<std::string, at::Tensor> io;
  for (const auto& [key, tensor] : razor::read_state_dict(dir.file("io.pt")).tensors) io[key] = tensor;
  const at::Tensor x = io.at("x");

  for (const std::string name : {"tiny_scripted.pt", "tiny_traced.pt"}) {
    CAPTURE(name);
    auto net = build_scripted(dir.file(name));
    CHECK(sorted_state_keys(*net) == sorted_lines(dir.file("keys.txt")));
    CHECK(razor::module_type_name(*net->named_children()["conv1"]) == "Conv2d");
    CHECK(razor::module_type_name(*net->named_modules()["head.2"]) == "Linear");
    net->eval();
    CHECK(max_abs_diff(net->forward(x), io.at("y")) <= 1e-5);

    // Costs per module, exactly: conv 8x16x16 outputs x (3x3x3 MACs + bias), batch norm 2 per output,
    // linear 8x10 + bias.
    const auto layers = razor::estimators::FlopsEstimator().estimate_layers(*net, {1, 3, 16, 16});
    REQUIRE(layers.size() == 3);
    CHECK(layers[0].module == "conv1");
    CHECK(layers[0].type == "Conv2d");
    CHECK(layers[0].costs == razor::Costs{{"flops", 2048 * 27 + 2048}, {"params", 224}});
    CHECK(layers[1].module == "bn1");
    CHECK(layers[1].costs == razor::Costs{{"flops", 2 * 2048}, {"params", 16}});
    CHECK(layers[2].module == "head.2");
    CHECK(layers[2].costs == razor::Costs{{"flops", 90}, {"params", 90}});
  }

  // Scripted and traced, the same units: tracing records aten::_convolution (ConvolutionBackward1).
  const at::Tensor one = x.narrow(0, 0, 1);
  const std::string units = analysis_text(razor::analyse_channels(*build_scripted(dir.file("tiny_scripted.pt")), one));
  CHECK(analysis_text(razor::analyse_channels(*build_scripted(dir.file("tiny_traced.pt")), one)) == units);
  CHECK(units.find("conv1_(0, 8)_8 8 prunable\n") == 0);

  auto net = build_scripted(dir.file("tiny_scripted.pt"));
  auto* scripted = dynamic_cast<razor::models::TorchScriptModelImpl*>(net.get());
  REQUIRE(scripted);
  // Train mode is the scripted module's: batch statistics, and the running ones updated in place.
  net->train();
  const at::Tensor running_mean = net->named_buffers()["bn1.running_mean"].clone();
  CHECK(max_abs_diff(net->forward(x), io.at("y_train")) <= 1e-5);
  CHECK(max_abs_diff(net->named_buffers()["bn1.running_mean"], running_mean) > 1e-4);

  // One SGD step on razor's parameters moves the scripted module's own.
  for (const auto& p : net->parameters()) CHECK(p.requires_grad());
  torch::optim::SGD sgd(net->parameters(), torch::optim::SGDOptions(0.1));
  net->forward(x).square().mean().backward();
  sgd.step();
  const at::Tensor script_weight = scripted->script().attr("conv1").toModule().attr("weight").toTensor();
  CHECK(script_weight.is_same(net->named_parameters()["conv1.weight"]));
  net->eval();
  CHECK(max_abs_diff(net->forward(x), io.at("y")) > 1e-4);
}

TEST_CASE("torchscript architecture: each file that cannot be one is refused in one line") {
  REQUIRE_MESSAGE(razor::test::python_has_torch(), "python3-torch is not installed (tools/bootstrap installs it)");
  razor::test::TempDir dir("scripted_bad");
  make_scripted_nets(dir);
  {  // a damaged zip: the first half of a good file
    std::ifstream in(dir.file("tiny_scripted.pt"), std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::ofstream(dir.file("damaged.pt"), std::ios::binary) << bytes.substr(0, bytes.size() / 2);
    // One bit of the first entry's data (a tensor, stored) changed: its data follows the local header at
    // 0 (30 bytes, the name, the extra field).
    std::string flipped = bytes;
    const auto u16 = [&](std::size_t at) { return static_cast<unsigned char>(bytes[at]) | static_cast<unsigned char>(bytes[at + 1]) << 8; };
    flipped[30 + u16(26) + u16(28) + 10] ^= 0x01;
    std::ofstream(dir.file("flipped.pt"), std::ios::binary) << flipped;
  }
  std::ofstream(dir.file("text.pt")) << "not a model\n";

  const auto refusal = [&](const std::string& name) {
    return razor::test::error_of([&] { build_scripted(dir.file(name)); });
  };
  const std::string at = "t.toml:1:1: model.file: " + dir.file("");
  CHECK(refusal("frozen.pt") == at + "frozen.pt: the module has no parameters to train (torch.jit.freeze folds weights "
                                     "into constants; save the module before freezing it)");
  CHECK(refusal("two_inputs.pt") == at + "two_inputs.pt: forward(Tensor x, Tensor y) -> Tensor takes other arguments "
                                         "than one tensor (expected forward(self, x: Tensor) -> Tensor)");
  CHECK_MESSAGE(refusal("returns_tuple.pt").find(at + "returns_tuple.pt: forward(Tensor x) -> Tuple[Tensor, Tensor] returns something "
                                              "else than one tensor") == 0, refusal("returns_tuple.pt"));
  CHECK(refusal("missing.pt") == at + "missing.pt: no such file");
  CHECK(refusal("no_forward.pt") == at + "no_forward.pt: the module has no forward method");
  // Damaged archives are refused before LibTorch's reader sees them.
  for (const std::string name : {"damaged.pt", "text.pt"}) {
    CAPTURE(name);
    CHECK(refusal(name) == at + name + ": not a zip archive: no end-of-central-directory record");
  }
  CHECK_MESSAGE(refusal("flipped.pt").rfind(at + "flipped.pt: damaged zip archive: entry '", 0) == 0, refusal("flipped.pt"));
  CHECK(refusal("flipped.pt").find("' fails its CRC-32 check") != std::string::npos);
  CHECK(razor::test::error_of([] { razor::models::test::build<razor::Model>("model/torchscript", {}); }) ==
        "t.toml:1:1: model.file: give the TorchScript file to load");
}


TEST_CASE("torchscript architecture: torchvision networks scripted by Python have the units of razor's own") {
  REQUIRE_MESSAGE(razor::test::python_has_torch(), "python3-torch is not installed (tools/bootstrap installs it)");
  razor::test::TempDir dir("scripted_torchvision");
  make_scripted_nets(dir, " --torchvision");
  // razor's torchvision-compatible networks have torchvision's module names, so the analysis of the
  // scripted file and of razor's network must agree unit for unit, slice for slice.
  const at::Tensor x = at::randn({1, 3, 32, 32});
  for (const std::string name : {"resnet18", "mobilenet_v2", "shufflenet_v2_x0_5"}) {
    CAPTURE(name);
    auto scripted = build_scripted(dir.file("tv_" + name + ".pt"));
    auto own = razor::models::test::build<razor::Model>("model/torchvision." + name, {{"num_classes", "10"}});
    const std::string expected = analysis_text(razor::analyse_channels(*own, x));
    CHECK(analysis_text(razor::analyse_channels(*scripted, x)) == expected);
    CHECK(expected.find(" prunable\n") != std::string::npos);
  }
}

TEST_CASE("torchscript architecture: pruned by the channel slicer, slimmed, exported as its own code that Python runs") {
  REQUIRE_MESSAGE(razor::test::python_has_torch(), "python3-torch is not installed (tools/bootstrap installs it)");
  razor::test::TempDir dir("scripted_slim");
  make_scripted_nets(dir, " --torchvision");
  const at::Tensor x = at::randn({2, 3, 32, 32});
  razor::estimators::FlopsEstimator flops;
  for (const std::string name : {"tiny_scripted", "tiny_traced", "tv_resnet18", "tv_mobilenet_v2", "tv_shufflenet_v2_x0_5"}) {
    CAPTURE(name);
    auto net = build_scripted(dir.file(name + ".pt"));
    const double full = flops.estimate(*net, {1, 3, 32, 32}).at("flops");
    razor::ChannelSlicer slicer(*net, razor::analyse_channels(*net, x.narrow(0, 0, 1)).units);
    REQUIRE_FALSE(slicer.units().empty());
    // Every other channel of every unit: scattered slices (copies, not views), and depthwise
    // convolutions with half their groups.
    std::map<std::string, std::vector<std::int64_t>> keep;
    for (const auto& u : slicer.units()) {
      for (std::int64_t c = 0; c < u.channels; c += 2) keep[u.name].push_back(c);
    }
    slicer.keep(keep);
    net->eval();
    const at::Tensor masked = forward_no_grad(*net, x);  // a graph kept alive would pin the full shapes
    const double masked_flops = flops.estimate(*net, {1, 3, 32, 32}).at("flops");
    CHECK(masked_flops < 0.6 * full);
    slicer.slim();
    const at::Tensor slim = forward_no_grad(*net, x);
    CHECK(max_abs_diff(slim, masked) <= 1e-4);  // the export gate's tolerance
    CHECK(flops.estimate(*net, {1, 3, 32, 32}).at("flops") == masked_flops);
    if (name == "tiny_scripted") {  // conv1 8 -> 4 channels: its weight and the Linear's columns
      CHECK(net->named_parameters()["conv1.weight"].sizes() == at::IntArrayRef{4, 3, 3, 3});
      CHECK(net->named_parameters()["head.2.weight"].sizes() == at::IntArrayRef{10, 4});
    }

    // Exported as the scripted module itself, with the narrowed tensors and sizes.
    razor::ScriptPath path = razor::ScriptPath::source;
    torch::jit::Module exported = razor::to_torchscript(*net, x, &path);
    CHECK(path == razor::ScriptPath::script);
    CHECK(max_abs_diff(exported.forward({x}).toTensor().detach(), slim) <= 1e-6);
    const std::string file = dir.file(name + "_slim.pt");
    razor::save_script_module(exported, file);
    const razor::test::Output py = razor::test::run_command(
        "/usr/bin/python3 " RAZOR_SOURCE_DIR "/tests/sdk/check_torchscript.py " + file + " " +
        dir.write("x.pt", pickled(x)) + " " + dir.write("y.pt", pickled(slim)) + " --tolerance 1e-5");
    CHECK_MESSAGE(py.exit_code == 0, py.text);
    CHECK(max_abs_diff(forward_no_grad(*net, x), slim) <= 1e-6);  // the copy left the model as it was

    // Still trainable at its new size.
    net->train();
    net->forward(x).square().mean().backward();
    for (const auto& p : net->parameters()) CHECK(p.grad().sizes() == p.sizes());
  }
}

TEST_CASE("torchscript architecture: taps at submodule paths, and units through a layer razor cannot slice") {
  REQUIRE_MESSAGE(razor::test::python_has_torch(), "python3-torch is not installed (tools/bootstrap installs it)");
  razor::test::TempDir dir("scripted_taps");
  make_scripted_nets(dir);
  const at::Tensor x = at::randn({2, 3, 16, 16});
  auto net = build_scripted(dir.file("tiny_scripted.pt"));
  auto* model = dynamic_cast<razor::models::TorchScriptModelImpl*>(net.get());
  REQUIRE(model);
  net->eval();
  net->forward(x);  // the graphs have run before the tap is added
  CHECK(razor::output_tap(*net) == "output");
  auto bn1 = razor::attach_tap(*net, "bn1");
  auto output = razor::attach_tap(*net, "output");
  bn1->recording = output->recording = true;
  const at::Tensor y = net->forward(x);
  torch::jit::Module& script = model->script();
  const at::Tensor expected =
      script.attr("bn1").toModule().forward({script.attr("conv1").toModule().forward({x})}).toTensor();
  REQUIRE(bn1->tensors.size() == 1);
  CHECK(max_abs_diff(bn1->tensors[0], expected) <= 1e-6);
  REQUIRE(output->tensors.size() == 1);
  CHECK(output->tensors[0].is_same(y));
  CHECK(razor::test::error_of([&] { razor::attach_tap(*net, "bn2"); }).find("no tap 'bn2'; did you mean 'bn1'?") == 0);
  // The export leaves the taps out.
  const torch::jit::Module exported = razor::to_torchscript(*net, x);
  CHECK_FALSE(exported.attr("bn1").toModule().hasattr("_razor_tap"));

  // A convolution of the network's own class: its channels are reported, not pruned.
  auto own = build_scripted(dir.file("own_conv.pt"));
  const auto analysis = razor::analyse_channels(*own, x.narrow(0, 0, 1));
  REQUIRE_FALSE(analysis.units.empty());
  CHECK(analysis.units[0].name == "conv1_(0, 8)_8");
  CHECK_FALSE(analysis.units[0].prunable);
  CHECK(analysis.units[0].why_not == "'conv1' is a OwnConv, not a layer the slicer can narrow");
}
