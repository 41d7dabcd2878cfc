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
#include <torch/optim/sgd.h>

#include "flops_estimator.h"
#include "razor/channel_units.h"
#include "razor/errors.h"
#include "razor/module_type_name.h"
#include "razor/state_dict.h"
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
  for (const std::string name : {"damaged.pt", "text.pt"}) {
    CAPTURE(name);
    const std::string error = refusal(name);
    CHECK(error.find(at + name + ": not a TorchScript file LibTorch can load: ") == 0);
    CHECK(error.find('\n') == std::string::npos);
  }
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
