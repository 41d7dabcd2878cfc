#include "razor_doctest.hpp"
// TorchScript export: the exported module computes what the LibTorch model computes in eval mode,
// in C++ (before and after save + load) and in Python's torch.jit.load.

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>

#include <sys/wait.h>

#include <torch/csrc/jit/api/module.h>
#include <torch/csrc/jit/serialization/import.h>
#include <torch/nn/modules/activation.h>
#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/dropout.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/pooling.h>
#include <torch/serialize.h>

#include "razor/errors.h"
#include "razor/one_shot_op.h"
#include "razor/scriptable.h"
#include "razor/torchscript_export.h"
#include "test_support.hpp"

namespace nn = torch::nn;
using razor::test::error_of;

namespace {

/// A residual conv-bn-relu block with its own TorchScript forward (a Scriptable with children).
struct ResidualImpl : nn::Module, razor::Scriptable {
  explicit ResidualImpl(int64_t channels)
      : conv(register_module("conv", nn::Conv2d(nn::Conv2dOptions(channels, channels, 3).padding(1)))),
        bn(register_module("bn", nn::BatchNorm2d(channels))) {}
  at::Tensor forward(const at::Tensor& x) { return at::relu(bn->forward(conv->forward(x))) + x; }
  std::string torchscript_forward() const override {
    return "def forward(self, x: Tensor) -> Tensor:\n"
           "    return torch.relu(self.bn.forward(self.conv.forward(x))) + x\n";
  }
  nn::Conv2d conv;
  nn::BatchNorm2d bn;
};
TORCH_MODULE(Residual);

/// The root: a Scriptable holding a Sequential of every known layer and a Linear head.
struct NetImpl : nn::Module, razor::Scriptable {
  NetImpl() {
    choice = razor::OneShotOp("mid");
    choice->add("conv3x3", nn::Conv2d(nn::Conv2dOptions(8, 8, 3).padding(1)));
    choice->add("residual", Residual(8));
    features = register_module(
        "features",
        nn::Sequential(nn::Conv2d(nn::Conv2dOptions(3, 8, 3).stride(2).padding(1)), nn::BatchNorm2d(8), nn::ReLU(),
                       nn::Conv2d(nn::Conv2dOptions(8, 8, 3).padding(1).groups(2).bias(false)),
                       nn::BatchNorm2d(nn::BatchNorm2dOptions(8).eps(1e-3).momentum(0.3)), nn::ReLU6(), choice,
                       nn::MaxPool2d(nn::MaxPool2dOptions(3).stride(2).padding(1)), nn::AdaptiveAvgPool2d(2),
                       nn::Flatten(), nn::Dropout(0.5), nn::Identity()));
    head = register_module("head", nn::Linear(32, 5));
  }
  at::Tensor forward(const at::Tensor& x) { return head->forward(features->forward(x)); }
  std::string torchscript_forward() const override {
    return "def forward(self, x: Tensor) -> Tensor:\n"
           "    return self.head.forward(self.features.forward(x))\n";
  }
  razor::OneShotOp choice{nullptr};
  nn::Sequential features{nullptr};
  nn::Linear head{nullptr};
};
TORCH_MODULE(Net);

/// A layer the exporter does not know and that does not implement Scriptable.
struct OpaqueImpl : nn::Module {
  at::Tensor forward(const at::Tensor& x) { return x * 2; }
};
TORCH_MODULE(Opaque);

/// A Net with `choice` picked, running statistics moved away from 0/1 by a few train-mode
/// forwards, then in eval mode.
Net trained_net(const std::string& choice) {
  torch::manual_seed(3);
  Net net;
  net->choice->set_choice(choice);
  net->train();
  torch::NoGradGuard no_grad;
  for (int i = 0; i < 3; ++i) net->forward(torch::randn({4, 3, 16, 16}) * 2 + 0.5);
  net->eval();
  return net;
}

double max_abs_diff(const at::Tensor& a, const at::Tensor& b) {
  REQUIRE(a.sizes() == b.sizes());
  return (a - b).abs().max().item<double>();
}

at::Tensor run(torch::jit::Module& m, const at::Tensor& x) {
  torch::NoGradGuard no_grad;
  return m.forward({x}).toTensor();
}

at::Tensor run(Net& net, const at::Tensor& x) {
  torch::NoGradGuard no_grad;
  return net->forward(x);
}

void write_bytes(const std::string& path, const std::vector<char>& bytes) {
  std::ofstream(path, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}


}  // namespace

TEST_CASE("TorchScript export: same eval forward in C++, before and after save + load, and in Python") {
  Net net = trained_net("residual");
  const at::Tensor x = torch::randn({2, 3, 16, 16});
  const at::Tensor expected = run(net, x);

  torch::jit::Module exported = razor::to_torchscript(*net);
  CHECK_FALSE(exported.is_training());
  CHECK(max_abs_diff(run(exported, x), expected) <= 1e-6);

  razor::test::TempDir dir("torchscript");
  const std::string path = dir.file("net.pt");
  razor::save_torchscript(*net, path);
  CHECK(std::filesystem::exists(path));
  CHECK_FALSE(std::filesystem::exists(path + ".tmp"));
  torch::jit::Module loaded = torch::jit::load(path);
  loaded.eval();
  CHECK(max_abs_diff(run(loaded, x), expected) <= 1e-6);
  // A batch size other than the one used above: the sources are shape-generic.
  const at::Tensor x5 = torch::randn({5, 3, 20, 20});
  CHECK(max_abs_diff(run(loaded, x5), run(net, x5)) <= 1e-6);

  REQUIRE_MESSAGE(razor::test::python_has_torch(), "python3-torch is not installed (tools/bootstrap installs it)");
  write_bytes(dir.file("input.pt"), torch::pickle_save(x));
  write_bytes(dir.file("expected.pt"), torch::pickle_save(expected));
  const razor::test::Output py = razor::test::run_command("/usr/bin/python3 " RAZOR_SOURCE_DIR "/tests/sdk/check_torchscript.py " + path + " " +
                                dir.file("input.pt") + " " + dir.file("expected.pt") + " --tolerance 1e-5");
  MESSAGE("Python torch.jit.load check: " << py.text);
  CHECK(py.exit_code == 0);
  CHECK(py.text.find("max |diff|") != std::string::npos);
}

TEST_CASE("TorchScript export: only the chosen candidate, copied tensors, requires_grad kept") {
  Net net = trained_net("residual");
  torch::jit::Module exported = razor::to_torchscript(*net);

  std::map<std::string, at::Tensor> params;
  for (const auto& p : exported.named_parameters(/*recurse=*/true)) params[p.name] = p.value;
  // Sequential children are renamed (_0, _1, ...); the one-shot op holds only its choice.
  CHECK(params.count("features._0.weight") == 1);
  CHECK(params.count("features._0.bias") == 1);
  CHECK(params.count("features._3.weight") == 1);
  CHECK(params.count("features._3.bias") == 0);  // Conv2d without bias
  CHECK(params.count("features._6.residual.conv.weight") == 1);
  CHECK(params.count("head.weight") == 1);
  for (const auto& param : params) {  // not a structured binding: INFO's lambda captures the name
    const std::string& name = param.first;
    INFO(name);
    CHECK(name.find("conv3x3") == std::string::npos);
    CHECK(param.second.requires_grad());
  }
  const auto live = net->named_parameters();
  std::size_t live_kept = 0;
  for (const auto& p : live) live_kept += p.key().find("conv3x3") == std::string::npos;
  CHECK(params.size() == live_kept);

  std::map<std::string, at::Tensor> buffers;
  for (const auto& b : exported.named_buffers(/*recurse=*/true)) buffers[b.name] = b.value;
  const at::Tensor running_var = net->features->named_buffers()["1.running_var"];
  CHECK_FALSE(torch::allclose(running_var, torch::ones_like(running_var)));  // the statistics did move
  CHECK(torch::equal(buffers.at("features._1.running_var"), running_var));

  // Changing the live model afterwards leaves the export as it was.
  const at::Tensor x = torch::randn({2, 3, 16, 16});
  const at::Tensor before = run(exported, x);
  {
    torch::NoGradGuard no_grad;
    for (auto& p : net->parameters()) p.add_(1.0);
    for (auto& b : net->buffers()) b.fill_(3);
  }
  CHECK(torch::equal(run(exported, x), before));
  CHECK(max_abs_diff(run(net, x), before) > 1e-3);

  // Frozen parameters stay frozen.
  for (auto& p : net->head->parameters()) p.set_requires_grad(false);
  torch::jit::Module frozen = razor::to_torchscript(*net);
  for (const auto& p : frozen.named_parameters(/*recurse=*/true)) {
    INFO(p.name);
    CHECK(p.value.requires_grad() == (p.name.rfind("head.", 0) != 0));
  }
}

TEST_CASE("TorchScript export: a fixed one-shot op exports its choice; the other candidate works too") {
  Net net = trained_net("conv3x3");
  net->choice->fix("conv3x3");
  const at::Tensor x = torch::randn({2, 3, 16, 16});
  torch::jit::Module exported = razor::to_torchscript(*net);
  CHECK(max_abs_diff(run(exported, x), run(net, x)) <= 1e-6);
  bool has_conv3x3 = false;
  for (const auto& p : exported.named_parameters(/*recurse=*/true)) {
    has_conv3x3 = has_conv3x3 || p.name == "features._6.conv3x3.weight";
    CHECK(p.name.find("residual") == std::string::npos);
  }
  CHECK(has_conv3x3);
}

TEST_CASE("TorchScript export: clear errors for unknown modules, undecided one-shot ops, bad sources") {
  nn::Sequential unknown{nn::ReLU(), Opaque()};
  const std::string e = error_of([&] { razor::to_torchscript(*unknown); });
  CHECK(e.find("path '1'") != std::string::npos);
  CHECK(e.find("OpaqueImpl") != std::string::npos);
  CHECK(e.find("implement razor::Scriptable") != std::string::npos);

  torch::manual_seed(1);
  Net undecided;
  const std::string u = error_of([&] { razor::to_torchscript(*undecided); });
  CHECK(u.find("path 'features.6'") != std::string::npos);
  CHECK(u.find("cannot export a one-shot op with no choice: set or fix a subnet first") != std::string::npos);
  CHECK(error_of([&] { razor::save_torchscript(*undecided, "/nonexistent/x.pt"); }) == u);

  nn::Sequential reflect(nn::Conv2d(nn::Conv2dOptions(1, 1, 3).padding(1).padding_mode(torch::kReflect)));
  CHECK(error_of([&] { razor::to_torchscript(*reflect); }).find("padding mode kReflect") != std::string::npos);

  struct BadSourceImpl : nn::Module, razor::Scriptable {
    std::string torchscript_forward() const override {
      return "def forward(self, x: Tensor) -> Tensor:\n    return torch.nn.functional.relu(x)\n";
    }
  };
  const std::string b = error_of([&] { razor::to_torchscript(BadSourceImpl()); });
  CHECK(b.find("path '(root)'") != std::string::npos);
  CHECK(b.find("does not compile") != std::string::npos);

  nn::Sequential fine{nn::ReLU()};
  CHECK(error_of([&] { razor::save_torchscript(*fine, "/nonexistent/dir/x.pt"); }).find("cannot write") !=
        std::string::npos);
}

TEST_CASE("TorchScript export: padding 'same', unset adaptive pool sizes, no affine, no running stats") {
  torch::manual_seed(5);
  nn::Sequential model(nn::Conv2d(nn::Conv2dOptions(2, 4, 3).padding(torch::kSame).dilation(2)),
                       nn::BatchNorm2d(nn::BatchNorm2dOptions(4).affine(false)),
                       nn::BatchNorm2d(nn::BatchNorm2dOptions(4).track_running_stats(false)),
                       nn::AdaptiveAvgPool2d(nn::AdaptiveAvgPool2dOptions({c10::nullopt, 3})), nn::Flatten(),
                       nn::Linear(nn::LinearOptions(4 * 5 * 3, 3).bias(false)));
  {
    torch::NoGradGuard no_grad;
    model->train();
    for (int i = 0; i < 2; ++i) model->forward(torch::randn({3, 2, 5, 7}) + 1);
  }
  model->eval();
  const at::Tensor x = torch::randn({3, 2, 5, 7});
  torch::NoGradGuard no_grad;
  torch::jit::Module exported = razor::to_torchscript(*model);
  CHECK(max_abs_diff(run(exported, x), model->forward(x)) <= 1e-6);
}

namespace {

/// A model of one's own with no TorchScript source: a Sequential body (Python-style names "body.0"),
/// a residual add, a mean over the picture and a Linear head.
struct PlainModelImpl : razor::Model {
  PlainModelImpl()
      : body(register_module("body", nn::Sequential(nn::Conv2d(nn::Conv2dOptions(3, 6, 3).padding(1)),
                                                    nn::BatchNorm2d(6), nn::ReLU()))),
        head(register_module("head", nn::Linear(6, 4))) {}
  at::Tensor forward(const at::Tensor& x) override {
    at::Tensor y = body->forward(x);
    return head->forward((y + at::relu(y)).mean({2, 3}));
  }
  nn::Sequential body;
  nn::Linear head;
};

}  // namespace

TEST_CASE("a model with no TorchScript source is traced: its own names, the same outputs in C++ and Python") {
  torch::manual_seed(5);
  PlainModelImpl model;
  model.train();
  {
    torch::NoGradGuard no_grad;
    for (int i = 0; i < 3; ++i) model.forward(torch::randn({4, 3, 8, 8}) * 2 + 0.5);
  }
  model.train();  // tracing runs in eval mode and gives the mode back
  razor::ScriptPath path = razor::ScriptPath::source;
  torch::jit::Module traced = razor::to_torchscript(model, torch::randn({2, 3, 8, 8}), &path);
  CHECK(path == razor::ScriptPath::traced);
  CHECK(model.is_training());
  model.eval();

  std::vector<std::string> names;
  for (const auto& p : traced.named_parameters(/*recurse=*/true)) names.push_back(p.name);
  CHECK(names == std::vector<std::string>{"body.0.weight", "body.0.bias", "body.1.weight", "body.1.bias", "head.weight",
                                          "head.bias"});
  // Copies: training the model on does not change the export.
  const at::Tensor x = torch::randn({5, 3, 12, 12});  // another batch size and picture size than traced
  const at::Tensor expected = run(traced, x);
  CHECK(max_abs_diff(expected, [&] {
          torch::NoGradGuard no_grad;
          return model.forward(x);
        }()) <= 1e-6);
  {
    torch::NoGradGuard no_grad;
    model.head->weight.add_(1);
  }
  CHECK(max_abs_diff(run(traced, x), expected) == 0);

  razor::test::TempDir dir("traced");
  razor::save_script_module(traced, dir.file("traced.pt"));
  REQUIRE_MESSAGE(razor::test::python_has_torch(), "python3-torch is not installed (tools/bootstrap installs it)");
  write_bytes(dir.file("input.pt"), torch::pickle_save(x));
  write_bytes(dir.file("expected.pt"), torch::pickle_save(expected));
  const auto py = razor::test::run_command("/usr/bin/python3 " RAZOR_SOURCE_DIR "/tests/sdk/check_torchscript.py " +
                                           dir.file("traced.pt") + " " + dir.file("input.pt") + " " +
                                           dir.file("expected.pt") + " --tolerance 1e-5");
  INFO(py.text);
  CHECK(py.exit_code == 0);
}

TEST_CASE("a model with a TorchScript source keeps the source path; tracing it gives the same outputs") {
  struct Scripted : razor::Model, razor::Scriptable {
    Scripted() : net(register_module("net", trained_net("residual"))) {}
    at::Tensor forward(const at::Tensor& x) override { return net->forward(x); }
    std::string torchscript_forward() const override {
      return "def forward(self, x: Tensor) -> Tensor:\n    return self.net.forward(x)\n";
    }
    Net net;
  } model;
  model.eval();
  const at::Tensor x = torch::randn({3, 3, 16, 16});
  razor::ScriptPath path = razor::ScriptPath::traced;
  torch::jit::Module scripted = razor::to_torchscript(model, x, &path);
  CHECK(path == razor::ScriptPath::source);
  torch::jit::Module traced = razor::trace_torchscript(model, x);
  CHECK(max_abs_diff(run(traced, x), run(scripted, x)) <= 1e-6);
}
