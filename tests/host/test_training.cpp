// Training runtime pieces: deterministic batching, splits, checkpoints, metrics on resume.
#include <filesystem>
#include <fstream>

#include <ATen/ATen.h>
#include <torch/nn/modules/linear.h>
#include <torch/optim/sgd.h>

#include "config/config_loader.h"
#include "config/toml_config_view.h"
#include "razor/transform.h"
#include "session/batch_loader.h"
#include "session/source_subsets.h"
#include "transforms/random_crop.h"
#include "transforms/random_flip.h"
#include "stages/train/checkpoint.h"
#include "base/metrics_log.h"
#include "razor_doctest.hpp"

namespace fs = std::filesystem;
using namespace razor::host;

namespace {

razor::LabelledImages numbered(std::int64_t n) {
  // Image i is filled with the value i, so batches reveal which samples they hold.
  at::Tensor images = at::arange(n, at::kFloat).view({n, 1, 1, 1}).expand({n, 1, 4, 4}).contiguous();
  return {images, at::arange(n, at::kLong) % 10};
}

class TinyAlgorithm final : public razor::Algorithm {
 public:
  struct Net final : razor::Model {
    Net() : fc(register_module("fc", torch::nn::Linear(4, 3))) {}
    at::Tensor forward(const at::Tensor& x) override { return fc->forward(x.flatten(1)); }
    torch::nn::Linear fc;
  };
  TinyAlgorithm() : net(register_module("net", std::make_shared<Net>())) {}
  razor::Losses train_step(const razor::Batch& b) override {
    at::Tensor loss = net->forward(b.inputs).pow(2).mean();
    loss.backward();
    return {{"loss", loss}};
  }
  at::Tensor predict(const at::Tensor& x) override { return net->forward(x); }
  razor::Model& model() override { return *net; }
  std::shared_ptr<Net> net;
};

}  // namespace

TEST_CASE("batches are a pure function of (seed, epoch, index)") {
  BatchLoader a(numbered(103), 10, true, 7);
  BatchLoader b(numbered(103), 10, true, 7);
  CHECK(a.batches_per_epoch() == 10);  // the last 3 samples are dropped in training
  CHECK(at::equal(a.batch(2, 3).inputs, b.batch(2, 3).inputs));
  CHECK(at::equal(a.batch(2, 3).inputs, a.batch(2, 3).inputs));
  CHECK_FALSE(at::equal(a.batch(1, 0).targets, a.batch(2, 0).targets));
  // One epoch visits 100 distinct samples.
  std::vector<at::Tensor> seen;
  for (std::int64_t i = 0; i < a.batches_per_epoch(); ++i) seen.push_back(a.batch(0, i).inputs.select(2, 0).select(2, 0).flatten());
  CHECK(std::get<0>(at::_unique(at::cat(seen))).numel() == 100);

  BatchLoader eval(numbered(103), 10, false, 7);
  CHECK(eval.batches_per_epoch() == 11);
  CHECK(eval.batch(0, 10).targets.size(0) == 3);
  CHECK(eval.batch(0, 1).inputs[0][0][0][0].item<float>() == 10.0f);

  // Augmentation keeps shapes; a crop never invents values other than the image's and zero.
  razor::core::RandomCropOptions crop;
  crop.padding = 2;
  LoaderSettings settings;
  settings.pipeline = {std::make_shared<razor::core::RandomCrop>(crop),
                       std::make_shared<razor::core::RandomFlip>(razor::core::RandomFlipOptions{})};
  settings.mean = {0.5};
  settings.std = {2.0};
  BatchLoader aug(numbered(40), 8, true, 1, settings);
  auto batch = aug.batch(0, 0);
  CHECK(batch.inputs.sizes() == at::IntArrayRef({8, 1, 4, 4}));
  at::Tensor raw = batch.inputs * 2.0 + 0.5;  // undo normalisation
  for (std::int64_t i = 0; i < 8; ++i) {
    at::Tensor values = std::get<0>(at::_unique(raw[i].round()));
    CHECK(values.numel() <= 2);
  }
}

TEST_CASE("validation split is seeded, disjoint and complete") {
  const auto source = razor::in_memory_source(numbered(50), "numbered");
  auto [train_source, val_source] = split_train_val(source, 0.2, 3);
  const auto train = razor::read_all(*train_source), val = razor::read_all(*val_source);
  CHECK(train.labels.size(0) == 40);
  CHECK(val.labels.size(0) == 10);
  at::Tensor all = at::cat({train.images.flatten(1).select(1, 0), val.images.flatten(1).select(1, 0)});
  CHECK(std::get<0>(at::_unique(all)).numel() == 50);
  CHECK(at::equal(val.images, razor::read_all(*split_train_val(source, 0.2, 3).second).images));
  CHECK_FALSE(at::equal(val.images, razor::read_all(*split_train_val(source, 0.2, 4).second).images));
}

TEST_CASE("checkpoints restore model, optimizer, generators and position exactly") {
  const fs::path dir = fs::temp_directory_path() / ("razor_ckpt_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const std::string file = (dir / "c.pt").string();
  auto algo = std::make_shared<TinyAlgorithm>();
  torch::optim::SGD opt(algo->parameters(), torch::optim::SGDOptions(0.1).momentum(0.9));
  razor::Batch b{at::randn({5, 1, 2, 2}), at::zeros({5}, at::kLong)};
  opt.zero_grad();
  algo->train_step(b);
  opt.step();
  save_checkpoint(file, *algo, opt, {2, 3, 17, 88.5}, c10::Device(c10::kCPU));
  CHECK_FALSE(fs::exists(file + ".tmp"));

  // What happens next in the original...
  const at::Tensor next_random = at::rand({3});
  opt.zero_grad();
  algo->train_step(b);
  opt.step();
  const at::Tensor next_weight = algo->net->fc->weight.detach().clone();

  // ...happens again after restoring into a fresh algorithm and optimizer.
  auto fresh = std::make_shared<TinyAlgorithm>();
  torch::optim::SGD opt2(fresh->parameters(), torch::optim::SGDOptions(0.1).momentum(0.9));
  TrainPosition p = load_checkpoint(file, *fresh, opt2, c10::Device(c10::kCPU));
  CHECK(p.epoch == 2);
  CHECK(p.batch == 3);
  CHECK(p.step == 17);
  CHECK(p.best_top1 == 88.5);
  CHECK(at::equal(at::rand({3}), next_random));
  opt2.zero_grad();
  fresh->train_step(b);
  opt2.step();
  CHECK(at::equal(fresh->net->fc->weight, next_weight));  // momentum buffers came back too

  std::ofstream(dir / "broken.pt") << "not a checkpoint";
  try {
    load_checkpoint((dir / "broken.pt").string(), *fresh, opt2, c10::Device(c10::kCPU));
    FAIL("broken checkpoint accepted");
  } catch (const razor::Error& e) {
    CHECK(std::string(e.what()) == (dir / "broken.pt").string() + ": not a razor checkpoint (no 'razor-sealed 1' header)");
  }
  fs::remove_all(dir);
}

TEST_CASE("metrics log drops records written after the checkpoint a run resumes from") {
  const fs::path file = fs::temp_directory_path() / ("razor_metrics_" + std::to_string(::getpid()) + ".jsonl");
  {
    MetricsLog log(file.string());
    for (int step : {10, 20, 30}) log.write("train", 1, step, {{"loss", 0.5}});
  }
  {
    MetricsLog log(file.string(), 20);
    log.write("train", 1, 30, {{"loss", 0.25}});
  }
  std::ifstream in(file);
  std::vector<std::string> lines;
  for (std::string l; std::getline(in, l);) lines.push_back(l);
  REQUIRE(lines.size() == 3);
  CHECK(lines[0] == R"({"type":"train","epoch":1,"step":10,"loss":0.5})");
  CHECK(lines[2] == R"({"type":"train","epoch":1,"step":30,"loss":0.25})");

  // A run killed in the middle of a line: the half line is dropped, not glued to the next record.
  for (const std::string cut : {R"({"type":"val","epoch":1,"st)", R"({"type":"train","epoch":1,"step":)", "{"}) {
    CAPTURE(cut);
    std::ofstream(file, std::ios::app) << cut;
    { MetricsLog log(file.string(), 30); }
    CHECK(complete_lines(file.string()) == std::vector<std::string>(lines.begin(), lines.end()));
  }
  fs::remove(file);
}
