// Quantization: scale and zero point and the observers' ranges exactly; the plan of a traced ResNet;
// the simulated (fake-quantized) model against the int8 TorchScript module; float steps between int8
// kernels; QAT's batch norm (live, frozen) and LSQ's learned scales.
#include "razor_doctest.hpp"

#include <cmath>
#include <sstream>

#include <ATen/ATen.h>
#include <torch/nn/modules/activation.h>
#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/linear.h>
#include <torch/script.h>
#include <torch/serialize/input-archive.h>
#include <torch/serialize/output-archive.h>

#include "build_from_config.hpp"
#include "engine.h"
#include "fake_quant_model.h"
#include "observers.h"
#include "quant_range.h"
#include "quantize.h"
#include "razor/testing/fake_context.h"

using namespace razor;
using namespace razor::quantization;

namespace {

double item(const at::Tensor& t) { return t.item<double>(); }

std::string config(const std::string& keys = "") {
  return R"(
[data]
batch_size = 32
val_batch_size = 128
validation = "split"
val_split = 0.2
mean = [0.3]
std = [0.38]
[data.dataset]
type = "digits"
[algorithm]
type = "quantize"
)" + keys + R"(
[algorithm.architecture]
type = "resnet"
in_channels = 1
num_classes = 10
stem_channels = 8
widths = [8, 16]
blocks = [1, 1]
strides = [1, 2]
)";
}

FakeQuantModel& fake_quant(const test::BuiltAlgorithm& b) { return dynamic_cast<FakeQuantModel&>(b.algorithm->model()); }

std::int64_t count(const QuantPlan& plan, StepKind kind) {
  return std::count_if(plan.steps.begin(), plan.steps.end(), [&](const Step& s) { return s.kind == kind; });
}

// Calibrates on the digits' calibration images; returns the validation images.
at::Tensor calibrate(const test::BuiltAlgorithm& b) {
  auto data = b.session->data();
  auto& model = fake_quant(b);
  model.begin_calibration();
  for (std::int64_t i = 0; i < 2; ++i) model.calibrate(data.calibration->batch(0, i).inputs);
  model.end_calibration();
  return data.val->batch(0, 0).inputs;
}

std::string error_of_int8(const FakeQuantModel& model) {
  return test::error_of([&] { model.int8_module(); });
}

// conv -> x * sigmoid(x) (two ops without int8 kernels) -> pool -> linear.
class SiluNet final : public Model {
 public:
  SiluNet() {
    conv = register_module("conv", torch::nn::Conv2d(torch::nn::Conv2dOptions(1, 4, 3).padding(1)));
    fc = register_module("fc", torch::nn::Linear(4, 3));
  }
  at::Tensor forward(const at::Tensor& x) override {
    at::Tensor y = conv->forward(x);
    y = y * at::sigmoid(y);
    return fc->forward(at::adaptive_avg_pool2d(y, {1, 1}).flatten(1));
  }
  torch::nn::Conv2d conv{nullptr};
  torch::nn::Linear fc{nullptr};
};

// conv -> relu6 -> pool -> linear (MobileNet's clamp).
class Relu6Net final : public Model {
 public:
  Relu6Net() {
    conv = register_module("conv", torch::nn::Conv2d(torch::nn::Conv2dOptions(1, 4, 3).padding(1)));
    fc = register_module("fc", torch::nn::Linear(4, 3));
  }
  at::Tensor forward(const at::Tensor& x) override {
    return fc->forward(at::adaptive_avg_pool2d(at::hardtanh(conv->forward(x), 0, 6), {1, 1}).flatten(1));
  }
  torch::nn::Conv2d conv{nullptr};
  torch::nn::Linear fc{nullptr};
};

FakeQuantSetup setup_for(std::shared_ptr<Model> model, bool learnable = false) {
  FakeQuantSetup s;
  s.model = std::move(model);
  s.input_shape = {1, 1, 8, 8};
  s.weight_observer = [] { return std::make_shared<PerChannelMinMaxObserver>(); };
  s.activation_observer = [] { return std::make_shared<MinMaxObserver>(); };
  s.learnable_scales = learnable;
  return s;
}

at::Tensor run(torch::jit::Module& m, const at::Tensor& x) {
  c10::NoGradGuard no_grad;
  return m.forward({x}).toTensor();
}

}  // namespace

TEST_CASE("scale and zero point follow PyTorch's rules") {
  auto [s, z] = qparams(at::scalar_tensor(-1.0), at::scalar_tensor(3.0), activation_range(false));
  CHECK(item(s) == doctest::Approx(4.0 / 255));
  CHECK(item(z) == 64);  // 0 - round(-1 / (4/255)) = round(63.75)
  std::tie(s, z) = qparams(at::scalar_tensor(2.0), at::scalar_tensor(4.0), activation_range(false));
  CHECK(item(s) == doctest::Approx(4.0 / 255));  // the range is widened to hold 0
  CHECK(item(z) == 0);
  std::tie(s, z) = qparams(at::scalar_tensor(-1.0), at::scalar_tensor(3.0), activation_range(true));
  CHECK(item(s) == doctest::Approx(4.0 / 127));
  std::tie(s, z) = qparams(at::tensor({-0.5, -1.0}), at::tensor({0.25, 2.0}), weight_range());
  CHECK(item(s[0]) == doctest::Approx(0.5 / 127.5));
  CHECK(item(s[1]) == doctest::Approx(2.0 / 127.5));
  CHECK(z.eq(0).all().item<bool>());
}

TEST_CASE("observers give the ranges their definitions say") {
  testing::Context ctx;
  MinMaxObserver min_max;
  CHECK_THROWS_AS(min_max.range(), Error);
  min_max.observe(at::tensor({1.0, -2.0, 3.0}));
  min_max.observe(at::tensor({5.0}));
  CHECK(item(min_max.range().first) == -2);
  CHECK(item(min_max.range().second) == 5);

  MovingAverageMinMaxObserverOptions mo;
  mo.averaging_constant = 0.5;
  MovingAverageMinMaxObserver moving(ctx, mo);
  moving.observe(at::tensor({0.0, 4.0}));
  moving.observe(at::tensor({2.0, 2.0}));
  CHECK(item(moving.range().first) == doctest::Approx(1.0));   // 0 + 0.5 * (2 - 0)
  CHECK(item(moving.range().second) == doctest::Approx(3.0));  // 4 + 0.5 * (2 - 4)

  PerChannelMinMaxObserver per_channel;
  per_channel.observe(at::tensor({1.0, -1.0, 2.0, 5.0}).reshape({2, 2}));
  per_channel.observe(at::tensor({3.0, 0.0, 0.0, 0.0}).reshape({2, 2}));
  CHECK(per_channel.range().first.equal(at::tensor({-1.0f, 0.0f})));
  CHECK(per_channel.range().second.equal(at::tensor({3.0f, 5.0f})));
  CHECK_THROWS_AS(per_channel.observe(at::zeros({3, 2})), Error);

  HistogramObserverOptions ho;
  ho.bins = 1000;
  ho.percentile = 99.0;
  HistogramObserver percentile(ctx, ho);
  percentile.observe(at::arange(1000, at::kFloat));  // 0 .. 999: 0.5 % cut at each end
  CHECK(item(percentile.range().first) == doctest::Approx(5.0).epsilon(0.3));
  CHECK(item(percentile.range().second) == doctest::Approx(995.0).epsilon(0.01));

  ho.percentile = 0;  // least squared error: a far outlier is clipped where the grid it costs the bulk is worse
  HistogramObserver mse(ctx, ho);
  at::manual_seed(0);
  mse.observe(at::rand({1000000}));  // 1e6 values in [0, 1)
  mse.observe(at::tensor({100.0f}));  // one at 100: widens the histogram, no count lost
  // Over [0, h] the error is 1e6 (h/255)^2 / 12 (rounding) + (100 - h)^2 (the outlier clipped): least at
  // h = 100 / (1 + 1e6 / (255^2 x 12)) = 43.83.
  auto [lo, hi] = mse.range();
  CHECK(item(lo) < 1e-3);
  CHECK(item(hi) == doctest::Approx(43.83).epsilon(0.005));
  HistogramObserver uniform(ctx, ho);
  uniform.observe(at::rand({100000}) * 2 - 1);  // nothing worth clipping
  CHECK(item(uniform.range().first) == doctest::Approx(-1.0).epsilon(0.01));
  CHECK(item(uniform.range().second) == doctest::Approx(1.0).epsilon(0.01));
  std::ostringstream names;
  for (const auto& b : mse.named_buffers()) names << b.key() << ' ';
  CHECK(names.str() == "histogram min_val max_val ");
  CHECK(item(mse.named_buffers()["histogram"].sum()) == 1000001);
}

TEST_CASE("a traced ResNet: convolutions with batch norm and relu, residual adds, the classifier") {
  test::TempDir dir("quant_plan");
  auto b = test::build_algorithm(dir, config());
  const QuantPlan& plan = fake_quant(b).plan();
  CHECK(count(plan, StepKind::conv) == 6);  // stem, 2 per block, the second block's shortcut
  CHECK(count(plan, StepKind::add) == 2);
  CHECK(count(plan, StepKind::linear) == 1);
  CHECK(plan.float_ops.empty());
  for (const Step& s : plan.steps)
    if (s.kind == StepKind::conv) CHECK(s.has_bn);
  CHECK(plan.activations.front().name == "input");
  CHECK(fake_quant(b).weight(0).per_channel());
}

TEST_CASE("before calibration the model computes in float; after, int8 kernels match the simulation") {
  test::TempDir dir("quant_int8");
  auto b = test::build_algorithm(dir, config());
  auto& model = fake_quant(b);
  model.eval();
  const at::Tensor x = b.session->data().val->batch(0, 0).inputs;
  {
    c10::NoGradGuard no_grad;
    CHECK(at::allclose(model.forward(x), model.float_model().forward(x), 1e-5, 1e-5));  // batch norm folded
  }
  CHECK(error_of_int8(model).find("has no scale yet") != std::string::npos);
  calibrate(b);
  model.eval();
  c10::NoGradGuard no_grad;
  const at::Tensor simulated = model.forward(x), exact = model.float_model().forward(x);
  CHECK_FALSE(simulated.equal(exact));
  CHECK(simulated.argmax(1).eq(exact.argmax(1)).to(at::kFloat).mean().item<double>() > 0.9);
  torch::jit::Module int8 = model.int8_module();
  const at::Tensor kernels = run(int8, x);
  const double step = (simulated.max() - simulated.min()).item<double>() / 255;  // one output grid step, about
  CHECK((kernels - simulated).abs().max().item<double>() < 4 * step);
  CHECK(kernels.argmax(1).eq(simulated.argmax(1)).to(at::kFloat).mean().item<double>() >= 0.99);
  // What was saved runs the same after loading.
  std::stringstream bytes;
  int8.save(bytes);
  torch::jit::Module back = torch::jit::load(bytes);
  CHECK(run(back, x).equal(kernels));
  // The file holds quantized operators, not float convolutions.
  const std::string code = back.get_method("forward").graph()->toString();
  CHECK(code.find("quantized::conv2d_relu") != std::string::npos);
  CHECK(code.find("quantized::add") != std::string::npos);
  CHECK(code.find("quantized::linear") != std::string::npos);
  CHECK(code.find("aten::conv2d") == std::string::npos);
}

TEST_CASE("ops without int8 kernels run in float between a dequantize and a quantize") {
  at::manual_seed(0);
  FakeQuantModel model(setup_for(std::make_shared<SiluNet>()));
  const QuantPlan& plan = model.plan();
  CHECK(plan.float_ops == std::vector<std::string>{"aten::mul", "aten::sigmoid"});
  CHECK(count(plan, StepKind::conv) == 1);
  CHECK(count(plan, StepKind::linear) == 1);
  CHECK(count(plan, StepKind::requant) == 1);  // the average pool keeps its input's scale
  const at::Tensor x = at::randn({16, 1, 8, 8});
  model.begin_calibration();
  model.calibrate(x);
  model.end_calibration();
  model.eval();
  c10::NoGradGuard no_grad;
  const at::Tensor simulated = model.forward(x);
  torch::jit::Module int8 = model.int8_module();
  const at::Tensor kernels = run(int8, x);
  const double step = (simulated.max() - simulated.min()).item<double>() / 255;
  CHECK((kernels - simulated).abs().max().item<double>() < 4 * step);
  const std::string code = int8.get_method("forward").graph()->toString();
  CHECK(code.find("aten::sigmoid") != std::string::npos);
  CHECK(code.find("aten::dequantize") != std::string::npos);
}

TEST_CASE("a clamp after a convolution (ReLU6) is observed clamped: its range starts at 0") {
  at::manual_seed(0);
  FakeQuantModel model(setup_for(std::make_shared<Relu6Net>()));
  const Step& conv = *std::find_if(model.plan().steps.begin(), model.plan().steps.end(),
                                   [](const Step& s) { return s.kind == StepKind::conv; });
  REQUIRE(conv.clamp != nullptr);
  CHECK(conv.clamp_max == 6);
  const at::Tensor x = at::randn({16, 1, 8, 8}) * 4;
  model.begin_calibration();
  model.calibrate(x);
  model.end_calibration();
  const auto& point = model.activation(conv.points[0]);
  CHECK(point.zero_point().item<std::int64_t>() == 0);  // no part of the grid wasted below the clamp
  CHECK(point.scale().item<double>() <= 6.0 / 255 + 1e-7);
  model.eval();
  c10::NoGradGuard no_grad;
  torch::jit::Module int8 = model.int8_module();
  const at::Tensor simulated = model.forward(x), kernels = run(int8, x);
  const double step = (simulated.max() - simulated.min()).item<double>() / 255;
  CHECK((kernels - simulated).abs().max().item<double>() < 4 * step);
}

TEST_CASE("QAT: live batch norm trains on batch statistics; frozen, it is the folded convolution") {
  test::TempDir dir("quant_qat");
  auto b = test::build_algorithm(dir, config("freeze_bn_after = 1\ndisable_observer_after = 1\n"));
  auto& model = fake_quant(b);
  auto& algorithm = dynamic_cast<EpochListener&>(*b.algorithm);
  const at::Tensor x = calibrate(b);
  const Step& stem = *std::find_if(model.plan().steps.begin(), model.plan().steps.end(),
                                   [](const Step& s) { return s.kind == StepKind::conv; });
  algorithm.epoch_begins(0);
  model.train();
  const at::Tensor mean_before = stem.bn_mean.clone();
  at::Tensor live = model.forward(x);
  CHECK_FALSE(stem.bn_mean.equal(mean_before));  // running statistics follow the batches
  CHECK(model.activation(0).observing());
  const at::Tensor scales_before = model.activation(1).scale();
  algorithm.epoch_begins(1);  // from now on: batch norm frozen, observers stopped
  CHECK(model.batch_norm_frozen());
  CHECK_FALSE(model.activation(0).observing());
  model.train();
  const at::Tensor mean_frozen = stem.bn_mean.clone();
  const at::Tensor trained = model.forward(x);
  CHECK(stem.bn_mean.equal(mean_frozen));
  CHECK(model.activation(1).scale().equal(scales_before));
  model.eval();
  c10::NoGradGuard no_grad;
  CHECK(at::allclose(trained, model.forward(x), 1e-5, 1e-5));
  (void)live;
}

TEST_CASE("LSQ: learnable scales are parameters that training moves") {
  at::manual_seed(0);
  FakeQuantModel model(setup_for(std::make_shared<SiluNet>(), /*learnable=*/true));
  const at::Tensor x = at::randn({16, 1, 8, 8});
  model.begin_calibration();
  model.calibrate(x);
  model.end_calibration();
  model.set_observing(false);
  model.train();
  std::int64_t scales = 0;
  for (const auto& p : model.named_parameters())
    if (p.key().find(".scale") != std::string::npos) ++scales;
  CHECK(scales == static_cast<std::int64_t>(model.plan().activations.size() + 2));  // and the 2 weights'
  model.forward(x).pow(2).sum().backward();
  for (const auto& p : model.named_parameters()) {
    if (p.key().find("activation_quant.1.scale") == std::string::npos) continue;
    REQUIRE(p.value().grad().defined());
    CHECK(p.value().grad().abs().sum().item<double>() > 0);
  }
}

TEST_CASE("what the quantize algorithm refuses, in one line each") {
  test::TempDir dir("quant_errors");
  CHECK(test::error_of([&] { test::build_algorithm(dir, config("activation_observer = { type = 'per_channel_min_max' }\n")); })
            .find("algorithm.activation_observer: activations are quantized per tensor") != std::string::npos);
#if defined(__x86_64__)
  CHECK(test::error_of([&] { test::build_algorithm(dir, config("engine = 'qnnpack'\n")); })
            .find("algorithm.engine: qnnpack's kernels are made for ARM") != std::string::npos);
#endif
  if (!engine_refusal("fbgemm").empty()) {  // Debian's LibTorch has none
    CHECK(test::error_of([&] { test::build_algorithm(dir, config("engine = 'fbgemm'\n")); })
              .find("this LibTorch build has no fbgemm") != std::string::npos);
  }
  CHECK(test::error_of([&] { test::build_algorithm(dir, config("float_weights = 'missing.pt'\n")); })
            .find("algorithm.float_weights") != std::string::npos);
  CHECK(test::error_of([&] { test::build_algorithm(dir, config("float_keys = { strip_prefix = 'module.' }\n")); })
            .find("algorithm.float_keys: maps the keys of `float_weights`, which is not given") != std::string::npos);
  auto built = test::build_algorithm(dir, config());
  fake_quant(built).begin_calibration();  // and no images
  CHECK(test::error_of([&] { fake_quant(built).end_calibration(); }) ==
        "calibration saw no values at 'input': no images were calibrated on");
}

TEST_CASE("a checkpoint's scales are refused under other activation bits") {
  test::TempDir dir("quant_resume");
  auto eight = test::build_algorithm(dir, config());
  auto seven = test::build_algorithm(dir, config("reduce_range = true\n"));
  torch::serialize::OutputArchive out;
  eight.algorithm->save_state(out);
  std::stringstream bytes;
  out.save_to(bytes);
  torch::serialize::InputArchive in;
  in.load_from(bytes);
  CHECK(test::error_of([&] { seven.algorithm->load_state(in); }) ==
        "its scales were found for onednn, 8-bit activations; this run quantizes for onednn, 7-bit activations "
        "(algorithm.engine, algorithm.reduce_range)");
  torch::serialize::InputArchive again;
  bytes.seekg(0);
  again.load_from(bytes);
  CHECK_NOTHROW(eight.algorithm->load_state(again));
}

TEST_CASE("a diverged model is named as such, not left to LibTorch's histogram") {
  FakeQuantModel model(setup_for(std::make_shared<SiluNet>()));
  model.train();
  CHECK(test::error_of([&] { model.forward(at::full({2, 1, 8, 8}, std::nan(""))); }).find(
            "non-finite values (NaN or infinity) reached an observer: the model has diverged") != std::string::npos);
}

// conv -> relu -> batch norm (not foldable into the convolution) -> dropout -> pool -> linear.
class LooseBatchNormNet final : public Model {
 public:
  LooseBatchNormNet() {
    conv = register_module("conv", torch::nn::Conv2d(torch::nn::Conv2dOptions(1, 4, 3).padding(1)));
    bn = register_module("bn", torch::nn::BatchNorm2d(4));
    fc = register_module("fc", torch::nn::Linear(4, 3));
  }
  at::Tensor forward(const at::Tensor& x) override {
    at::Tensor y = at::dropout(bn->forward(at::relu(conv->forward(x))), 0.5, is_training());
    return fc->forward(at::adaptive_avg_pool2d(y, {1, 1}).flatten(1));
  }
  torch::nn::Conv2d conv{nullptr};
  torch::nn::BatchNorm2d bn{nullptr};
  torch::nn::Linear fc{nullptr};
};

TEST_CASE("QAT: a batch norm the trace could not fold, and dropout, train as in the float model") {
  at::manual_seed(0);
  auto net = std::make_shared<LooseBatchNormNet>();
  FakeQuantModel model(setup_for(net));
  CHECK(model.plan().float_ops == std::vector<std::string>{"aten::batch_norm"});
  const at::Tensor x = at::randn({16, 1, 8, 8});
  model.train();
  const at::Tensor before = net->bn->running_mean.clone();
  const at::Tensor a = model.forward(x), b = model.forward(x);
  CHECK_FALSE(net->bn->running_mean.equal(before));  // batch statistics, running ones updated
  CHECK_FALSE(a.equal(b));                             // dropout draws
  model.eval();
  c10::NoGradGuard no_grad;
  const at::Tensor mean = net->bn->running_mean.clone();
  CHECK(model.forward(x).equal(model.forward(x)));
  CHECK(net->bn->running_mean.equal(mean));
}

// A forward LibTorch's tracer cannot follow: it reads a value of its input as a number.
class DataDependentNet final : public Model {
 public:
  at::Tensor forward(const at::Tensor& x) override {
    TORCH_CHECK(x.sum().item<double>() > 1e9, "this network refuses small inputs");
    return x.flatten(1);
  }
};

TEST_CASE("a model that cannot be traced is refused with the tracer's reason") {
  CHECK(test::error_of([&] { FakeQuantModel model(setup_for(std::make_shared<DataDependentNet>())); }) ==
        "cannot trace the model's forward for TorchScript: this network refuses small inputs");
}
