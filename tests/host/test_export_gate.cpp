// The export gate: a static model that does not compute what its subnet computed, or whose estimated
// costs differ from the subnet's, is refused with one line (and the export stage writes nothing); the
// inference module the export also writes.
#include "razor_doctest.hpp"

#include <ATen/ATen.h>
#include <torch/nn/modules/activation.h>
#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/linear.h>
#include <torch/script.h>

#include "stages/export/export_stage.h"
#include "stages/export/inference_module.h"
#include "razor/torchscript_export.h"
#include "test_support.hpp"

using razor::host::check_export_gate;
using razor::host::ExportReport;

TEST_CASE("export gate: equal outputs and costs pass; a difference above 1e-5 or changed costs are refused") {
  ExportReport r;
  r.max_abs_diff_static = 1e-6;
  r.costs = {{"flops", 1000}, {"params", 50}};
  CHECK_NOTHROW(check_export_gate(r, {{"flops", 1000}, {"params", 50}}));
  CHECK_NOTHROW(check_export_gate(r, {}));  // no estimator: outputs only

  r.max_abs_diff_static = 2e-5;
  CHECK(razor::test::error_of([&] { check_export_gate(r, {}); }) ==
        "export refused: the static model's outputs differ from the subnet's by 2e-05 (more than 1e-05) on the check "
        "images");
  r.max_abs_diff_static = std::nan("");
  CHECK(razor::test::error_of([&] { check_export_gate(r, {}); }).rfind("export refused", 0) == 0);

  r.max_abs_diff_static = 0;
  CHECK(razor::test::error_of([&] { check_export_gate(r, {{"flops", 1000}, {"params", 49}}); }) ==
        "export refused: the static model's params is 50, the subnet's was 49");
}

TEST_CASE("int8 gate: too few equal predictions, or a top-1 gap above both the allowance and one image, are refused") {
  razor::host::Int8Check c;
  c.images = 10000, c.agreement = 0.999, c.top1_simulated = 92.25, c.top1_int8 = 92.20;
  CHECK_NOTHROW(razor::host::check_int8_gate(c, 0.995, 0.1));
  c.agreement = 0.99;
  CHECK(razor::test::error_of([&] { razor::host::check_int8_gate(c, 0.995, 0.1); }) ==
        "export refused: the int8 module predicts the simulated model's class on 99.00% of the 10000 validation images "
        "(export.int8_agreement asks for 99.50%)");
  c.agreement = 0.999, c.top1_int8 = 92.10;
  CHECK(razor::test::error_of([&] { razor::host::check_int8_gate(c, 0.995, 0.1); }) ==
        "export refused: the int8 module's top-1 is 92.10%, the simulated model's 92.25% (export.int8_top1_gap allows "
        "0.1 points, or one of the 10000 images)");
  c.images = 359, c.top1_simulated = 91.09, c.top1_int8 = 91.36;  // one image of 359: 0.28 points, allowed
  CHECK_NOTHROW(razor::host::check_int8_gate(c, 0.995, 0.1));
}

TEST_CASE("inference module: frozen, batch norm folded into the convolution, same outputs, loadable again") {
  torch::nn::Sequential net(torch::nn::Conv2d(torch::nn::Conv2dOptions(1, 4, 3).padding(1)), torch::nn::BatchNorm2d(4),
                            torch::nn::ReLU(), torch::nn::Flatten(), torch::nn::Linear(4 * 5 * 5, 3));
  at::manual_seed(0);
  net->train();
  net->forward(at::randn({8, 1, 5, 5}));  // running statistics away from 0 and 1
  net->eval();
  const torch::jit::Module scripted = razor::to_torchscript(*net);
  const torch::jit::Module inference = razor::host::inference_module(scripted);
  const std::string graph = inference.get_method("forward").graph()->toString();
  CHECK(graph.find("batch_norm") == std::string::npos);
  CHECK(graph.find("conv2d") != std::string::npos);
  CHECK(inference.parameters().size() == 0);

  razor::test::TempDir dir("inference_module");
  razor::save_script_module(inference, dir.file("inference.pt"));
  torch::jit::Module loaded = torch::jit::load(dir.file("inference.pt"), c10::Device(c10::kCPU));
  const at::Tensor x = at::randn({2, 1, 5, 5});
  torch::NoGradGuard no_grad;
  const at::Tensor expected = net->forward(x);
  CHECK((loaded.forward({x}).toTensor() - expected).abs().max().item<double>() <= razor::host::kMaxInferenceDiff);
  CHECK(scripted.parameters().size() > 0);  // left as it was
}
