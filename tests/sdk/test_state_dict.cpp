// Weights from PyTorch: state_dicts, checkpoints and TorchScript files written by Debian's python3-torch
// (make_state_dicts.py) load by name into the same layers built in LibTorch and give Python's outputs;
// key maps; every refused file is one line naming it and the fault, the model unchanged.
#include "razor_doctest.hpp"

#include <map>
#include <string>

#include <ATen/ATen.h>
#include <torch/nn/modules/activation.h>
#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/linear.h>
#include <torch/utils.h>

#include "razor/model_weights.h"
#include "razor/state_dict.h"
#include "test_support.hpp"

using razor::test::error_of;

namespace {

// The layers of make_state_dicts.py's net(), so the names are Python's: 0.weight, 1.running_mean, 4.bias, ...
torch::nn::Sequential net(std::int64_t classes = 5) {
  return torch::nn::Sequential(torch::nn::Conv2d(torch::nn::Conv2dOptions(3, 4, 3)), torch::nn::BatchNorm2d(4),
                               torch::nn::ReLU(), torch::nn::Flatten(), torch::nn::Linear(4 * 6 * 6, classes));
}

// The files, written once per test run.
const razor::test::TempDir& files() {
  static const razor::test::TempDir dir("state_dicts");
  static const bool written = [] {
    REQUIRE_MESSAGE(razor::test::python_has_torch(), "python3-torch is not installed (tools/bootstrap installs it)");
    const auto py = razor::test::run_command("/usr/bin/python3 " RAZOR_SOURCE_DIR "/tests/sdk/make_state_dicts.py " +
                                             dir.path.string());
    INFO(py.text);
    REQUIRE(py.exit_code == 0);
    return true;
  }();
  (void)written;
  return dir;
}

std::map<std::string, at::Tensor> tensors(const std::string& name) {
  std::map<std::string, at::Tensor> out;
  for (const auto& [key, t] : razor::read_state_dict(files().file(name)).tensors) out[key] = t;
  return out;
}

// Python's eval output on Python's input, against this model's.
double output_error(torch::nn::Sequential& model) {
  auto io = tensors("io.pt");
  model->eval();
  torch::NoGradGuard no_grad;
  return (model->forward(io.at("input")) - io.at("output")).abs().max().item<double>();
}

}  // namespace

TEST_CASE("a PyTorch state_dict loads by name and gives Python's outputs") {
  auto model = net();
  const razor::LoadReport report = razor::load_weights(*model, files().file("state_dict.pt"));
  CHECK(report.loaded == 9);  // conv 2, batch norm 5 (with num_batches_tracked), linear 2
  CHECK(report.missing.empty());
  CHECK(report.unexpected.empty());
  CHECK(report.summary() == "loaded 9 tensors from '" + files().file("state_dict.pt") + "' (PyTorch state_dict)");
  CHECK(output_error(model) <= 1e-6);
}

TEST_CASE("checkpoints, TorchScript files, plain dicts and float16 weights load too") {
  for (const char* name : {"checkpoint.pt", "scripted.pt", "plain_dict.pt", "half.pt"}) {
    CAPTURE(name);
    auto model = net();
    const auto report = razor::load_weights(*model, files().file(name));
    CHECK(report.loaded == 9);
    CHECK(output_error(model) <= (std::string(name) == "half.pt" ? 2e-2 : 1e-6));
  }
  CHECK(razor::read_state_dict(files().file("checkpoint.pt")).format == "PyTorch checkpoint, its 'state_dict'");
  CHECK(razor::read_state_dict(files().file("scripted.pt")).format == "TorchScript module");
}

TEST_CASE("views of one storage, non-contiguous tensors and integer dtypes read as Python wrote them") {
  auto t = tensors("views.pt");
  const at::Tensor base = at::arange(12, at::kFloat).reshape({3, 4});
  CHECK(at::equal(t.at("whole"), base));
  CHECK(at::equal(t.at("row"), base[1]));
  CHECK(at::equal(t.at("column"), base.select(1, 2)));
  CHECK(at::equal(t.at("transposed"), base.t()));
  CHECK(at::equal(t.at("long"), at::tensor({1, -2, 3}, at::kLong)));
  CHECK((t.at("flag").scalar_type() == at::kBool));
  CHECK(t.at("flag")[0].item<bool>());
}

TEST_CASE("key maps: a prefix stripped or added, regex renames in order; strict = false reports") {
  razor::KeyMap keys;
  keys.strip_prefix = "module.";
  keys.rename = {{"^(\\d+)\\.", "layer$1."}, {"running_", "r_"}};
  keys.add_prefix = "net.";
  CHECK(keys.map("module.1.running_mean") == "net.layer1.r_mean");
  CHECK(keys.map("head.bias") == "net.head.bias");  // no prefix to strip: kept

  const std::string ddp = files().file("data_parallel.pt");
  auto model = net();
  const at::Tensor before = model[0]->named_parameters()["weight"].clone();
  CHECK(error_of([&] { razor::load_weights(*model, ddp); }) ==
        "cannot load weights from '" + ddp +
            "' (PyTorch state_dict): 8 missing (0.weight, 0.bias, 1.weight, ...); 8 unexpected (module.0.weight, "
            "module.0.bias, module.1.weight, ...) (a key map — strip_prefix, rename, add_prefix — or strict = false may "
            "help)");
  CHECK(at::equal(model[0]->named_parameters()["weight"], before));  // nothing loaded

  razor::KeyMap strip;
  strip.strip_prefix = "module.";
  CHECK(razor::load_weights(*model, ddp, strip).loaded == 9);
  CHECK(output_error(model) <= 1e-6);

  // A model with a layer more: strict refuses, strict = false loads the rest and names what is missing.
  auto bigger = net();
  bigger->push_back(torch::nn::Linear(5, 2));
  razor::KeyMap lenient;
  lenient.strict = false;
  const auto report = razor::load_weights(*bigger, files().file("state_dict.pt"), lenient);
  CHECK(report.missing == std::vector<std::string>{"5.weight", "5.bias"});
  CHECK(report.summary().find("; 2 missing, left as they were (5.weight, 5.bias)") != std::string::npos);
}

TEST_CASE("another shape is refused whatever strict says, naming the tensor and both shapes") {
  auto model = net(/*classes=*/7);
  razor::KeyMap lenient;
  lenient.strict = false;
  const std::string file = files().file("state_dict.pt");
  CHECK(error_of([&] { razor::load_weights(*model, file, lenient); }) ==
        "cannot load weights from '" + file +
            "' (PyTorch state_dict): 2 of another shape (4.weight: [5, 144] in the file, [7, 144] in the model, 4.bias: "
            "[5] in the file, [7] in the model)");
}

TEST_CASE("razor's own weights files round-trip through the same reader") {
  auto trained = net();
  razor::load_weights(*trained, files().file("state_dict.pt"));
  const std::string mine = files().file("mine.pt");
  razor::save_weights(*trained, mine);
  auto model = net();
  CHECK(razor::load_weights(*model, mine).loaded == 9);
  CHECK(razor::read_state_dict(mine).format == "razor weights");
  CHECK(output_error(model) <= 1e-6);
}

TEST_CASE("files that are not a state_dict are one line naming the file and the fault") {
  const auto error = [](const std::string& name) { return error_of([&] { razor::read_state_dict(files().file(name)); }); };
  const auto prefix = [](const std::string& name) { return "cannot load weights from '" + files().file(name) + "': "; };
  CHECK(error("legacy.pt") == prefix("legacy.pt") +
                                  "it is in torch.save's legacy format (PyTorch < 1.6): load it in Python and "
                                  "torch.save it again");
  CHECK(error("whole_model.pt") == prefix("whole_model.pt") +
                                       "it holds a pickled `torch.nn.modules.container.Sequential` object, not a "
                                       "state_dict (save model.state_dict() in Python instead)");
  CHECK(error("foreign_object.pt") ==
        prefix("foreign_object.pt") +
            "its dict (keys 'weight', 'when') is not a state_dict: 'when' is a `datetime.date` object, and no "
            "state_dict/model/model_state_dict/module/net entry holds one");
  CHECK(error("no_tensors.pt") == prefix("no_tensors.pt") +
                                      "its dict (keys 'epoch', 'best') is not a state_dict: 'epoch' is an int, and no "
                                      "state_dict/model/model_state_dict/module/net entry holds one");
  CHECK(error("no_data_pkl.pt") == prefix("no_data_pkl.pt") +
                                       "a zip archive without the records torch.save writes (no version, no data.pkl)");
  CHECK(error("text.pt") == prefix("text.pt") + "not a PyTorch or razor weights file (it is not a zip archive)");
  CHECK(error("empty.pt") == prefix("empty.pt") + "the file is empty");
  CHECK(error("absent.pt") == prefix("absent.pt") + "no such file");
  const std::string truncated = error("truncated.pt");
  CHECK(truncated.rfind(prefix("truncated.pt"), 0) == 0);
  CHECK(truncated.find('\n') == std::string::npos);
}
