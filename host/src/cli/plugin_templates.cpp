#include "cli/plugin_templates.h"

#include "razor/errors.h"

namespace razor::host {
namespace {

const char* kCMakeLists = R"tpl(# The @NAME@ razor plugin, built against an installed razor:
#   cmake -S . -B build -DCMAKE_PREFIX_PATH=/razor/prefix && cmake --build build && ctest --test-dir build
cmake_minimum_required(VERSION 3.22)
project(@NAME@ LANGUAGES CXX)
if(NOT CMAKE_BUILD_TYPE)
  set(CMAKE_BUILD_TYPE Release)
endif()

find_package(razor REQUIRED)  # razor::sdk, razor_add_plugin()
razor_add_plugin(@NAME@ src/@NAME@.cpp)

# The test compiles the plugin's source itself: a plugin (a MODULE library) cannot be linked.
find_package(doctest REQUIRED)
enable_testing()
add_executable(test_@NAME@ tests/test_@NAME@.cpp src/@NAME@.cpp)
target_link_libraries(test_@NAME@ PRIVATE razor::sdk doctest::doctest)
set_target_properties(test_@NAME@ PROPERTIES CXX_STANDARD 17)
add_test(NAME test_@NAME@ COMMAND test_@NAME@)
)tpl";

const char* kReadme = R"tpl(# @NAME@

A razor plugin providing `@KIND@/@NAME@`.

    cmake -S . -B build -DCMAKE_PREFIX_PATH=<razor install prefix>
    cmake --build build && ctest --test-dir build
    RAZOR_PLUGIN_PATH=build <prefix>/bin/razor-host plugins info @NAME@
    RAZOR_PLUGIN_PATH=build <prefix>/bin/razor-host run configs/@NAME@.toml

Install it next to razor's own plugins with `cmake --install build --prefix <razor install prefix>`,
or hand out `build/@NAME@.so` (built with the same LibTorch and compiler as razor-host; see
`razor-host version`).
)tpl";

// The doctest main: glog's header first, so that doctest's CHECK wins over glog's.
const char* kTestHead = R"tpl(#include <c10/util/Logging.h>
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>
)tpl";

// A run on razor's embedded digits (or the new data set), self-contained (no extends), using the new component.
const char* kConfigComment = R"tpl(# Trains with @KIND@/@NAME@:
#   RAZOR_PLUGIN_PATH=build razor-host run configs/@NAME@.toml
)tpl";

const char* kDigitsData = R"tpl(
[data]
batch_size = 64
validation = "split"
mean = [0.3]
std = [0.38]
[data.dataset]
type = "digits"
)tpl";

const char* kConfigCommon = R"tpl(
[optimizer]
type = "sgd"
lr = 0.1

[train]
epochs = 5
val_interval = 5
)tpl";

const char* kLossSource = R"tpl(// loss/@NAME@: the Brier score, the squared distance between the softmax of the logits and the
// one-hot labels, summed over classes and averaged over the batch, times `scale`.
#include <ATen/ATen.h>
#include <razor/sdk.h>

namespace @NAME@ {

// Each option once: its type, name, doc, default and checks (razor/options.h).
struct @CLASS@Options : razor::Options<@CLASS@Options> {
  RAZOR_OPTION(double, scale, "multiplier of the loss", 1.0).positive();
};

class @CLASS@ final : public razor::Loss {
 public:
  using Options = @CLASS@Options;
  @CLASS@(const razor::BuildContext&, const Options& options) : o_(options) {}
  at::Tensor forward(const at::Tensor& logits, const at::Tensor& labels) override {
    const at::Tensor one_hot = at::one_hot(labels, logits.size(1)).to(logits.dtype());
    return o_.scale * (at::softmax(logits, 1) - one_hot).pow(2).sum(1).mean();
  }

 private:
  Options o_;
};

}  // namespace @NAME@

RAZOR_PLUGIN("@NAME@", "0.1.0", "The @NAME@ loss",
             razor::component<@NAME@::@CLASS@>(
                 "@NAME@", "Brier score: squared distance of the softmax to the one-hot labels"))
)tpl";

const char* kLossTest = R"tpl(
#include <ATen/ATen.h>
#include <razor/sdk.h>
#include <razor/testing/fake_context.h>

extern "C" const razor::PluginDescriptor* RAZOR_PLUGIN_ENTRY();

namespace {

std::shared_ptr<razor::Loss> make_loss(double scale) {
  razor::testing::Context ctx;
  ctx.options.numbers["scale"] = scale;
  return razor::testing::build<razor::Loss>(RAZOR_PLUGIN_ENTRY(), ctx);
}

}  // namespace

TEST_CASE("the plugin declares loss/@NAME@ and its options for this SDK") {
  const razor::PluginDescriptor* d = RAZOR_PLUGIN_ENTRY();
  CHECK(d->abi_version == razor::kSdkAbiVersion);
  CHECK(std::string(d->build_tag) == RAZOR_BUILD_TAG);
  REQUIRE(d->num_components == 1);
  CHECK(std::string(d->components[0].kind) == "loss");
  CHECK(std::string(d->components[0].name) == "@NAME@");
  CHECK(std::string(d->components[0].options.at(0).name) == "scale");
}

TEST_CASE("uniform logits score (C - 1) / C times scale; confident right answers score near 0") {
  const at::Tensor labels = at::tensor({0, 3, 1}, at::kLong);
  CHECK(make_loss(1.0)->forward(at::zeros({3, 4}), labels).item<double>() == doctest::Approx(0.75));
  CHECK(make_loss(2.0)->forward(at::zeros({3, 4}), labels).item<double>() == doctest::Approx(1.5));
  const at::Tensor confident = at::one_hot(labels, 4).to(at::kFloat) * 50;
  CHECK(make_loss(1.0)->forward(confident, labels).item<double>() < 1e-6);
  CHECK_THROWS_AS(make_loss(0.0), razor::ConfigError);
}
)tpl";

const char* kLossConfig = R"tpl(
[algorithm]
type = "classifier"
[algorithm.architecture]
type = "resnet"
[algorithm.loss]
type = "@NAME@"
scale = 1.0
)tpl";

const char* kModelSource = R"tpl(// model/@NAME@: a small two-layer perceptron on 4x4-pooled images; any image size fits.
#include <ATen/ATen.h>
#include <razor/sdk.h>
#include <torch/nn/modules/linear.h>

namespace @NAME@ {

struct @CLASS@Options : razor::Options<@CLASS@Options> {
  RAZOR_OPTION(std::int64_t, in_channels, "image channels", 1).positive();
  RAZOR_OPTION(std::int64_t, hidden, "hidden units", 64).positive();
  RAZOR_OPTION(std::int64_t, num_classes, "output logits", 10).positive();
};

class @CLASS@ final : public razor::Model {
 public:
  using Options = @CLASS@Options;
  @CLASS@(const razor::BuildContext&, const Options& o)
      : fc1_(register_module("fc1", torch::nn::Linear(o.in_channels * 16, o.hidden))),
        fc2_(register_module("fc2", torch::nn::Linear(o.hidden, o.num_classes))) {}
  at::Tensor forward(const at::Tensor& x) override {
    return fc2_->forward(at::relu(fc1_->forward(at::adaptive_avg_pool2d(x, {4, 4}).flatten(1))));
  }

 private:
  torch::nn::Linear fc1_{nullptr}, fc2_{nullptr};
};

}  // namespace @NAME@

RAZOR_PLUGIN("@NAME@", "0.1.0", "The @NAME@ model",
             razor::component<@NAME@::@CLASS@>("@NAME@", "Two-layer perceptron on 4x4-pooled images"))
)tpl";

const char* kModelTest = R"tpl(
#include <ATen/ATen.h>
#include <razor/sdk.h>
#include <razor/testing/fake_context.h>

extern "C" const razor::PluginDescriptor* RAZOR_PLUGIN_ENTRY();

namespace {

std::shared_ptr<razor::Model> make_model(double hidden) {
  razor::testing::Context ctx;
  ctx.options.numbers = {{"in_channels", 3}, {"hidden", hidden}, {"num_classes", 5}};  // else the defaults
  return razor::testing::build<razor::Model>(RAZOR_PLUGIN_ENTRY(), ctx);
}

}  // namespace

TEST_CASE("model/@NAME@: logits for any image size, the parameters of its two layers") {
  auto model = make_model(8);
  CHECK(model->forward(at::randn({2, 3, 8, 8})).sizes() == at::IntArrayRef({2, 5}));
  CHECK(model->forward(at::randn({1, 3, 28, 28})).sizes() == at::IntArrayRef({1, 5}));
  std::int64_t params = 0;
  for (const auto& p : model->parameters()) params += p.numel();
  CHECK(params == (3 * 16 * 8 + 8) + (8 * 5 + 5));
  CHECK_THROWS_AS(make_model(0), razor::ConfigError);
}
)tpl";

const char* kModelConfig = R"tpl(
[algorithm]
type = "classifier"
[algorithm.architecture]
type = "@NAME@"
hidden = 64
)tpl";

const char* kDatasetSource = R"tpl(// dataset/@NAME@: oriented stripes. Class k is a grating at k * 180 / classes degrees, with a phase,
// frequency and contrast drawn per sample; pixels are made when a sample is read (as a data set of
// files would decode them), so the index is all that is held in memory.
#include <cmath>

#include <string>

#include <ATen/ATen.h>
#include <razor/sdk.h>

namespace @NAME@ {

struct @CLASS@Options : razor::Options<@CLASS@Options> {
  RAZOR_OPTION(std::int64_t, size, "picture height and width", 16).in_range(4, 512);
  RAZOR_OPTION(std::int64_t, classes, "orientations, one class each", 4).in_range(2, 180);
  RAZOR_OPTION(std::int64_t, train_samples, "samples of the train split", 2000).positive();
  RAZOR_OPTION(std::int64_t, test_samples, "samples of the test split", 500).positive();
};

/// One split: sample i's label and pixels are functions of (split, i).
class Stripes final : public razor::ImageSource {
 public:
  Stripes(const @CLASS@Options& o, std::int64_t samples, std::uint64_t salt) : o_(o), samples_(samples), salt_(salt) {}
  std::int64_t size() const override { return samples_; }
  std::int64_t label(std::int64_t i) const override { return i % o_.classes; }
  at::Tensor read(std::int64_t i) const override {
    razor::SampleRandom random(salt_ * 1000003 + static_cast<std::uint64_t>(i));
    const double angle = M_PI * static_cast<double>(label(i)) / static_cast<double>(o_.classes);
    const double frequency = random.uniform(0.15, 0.45), phase = random.uniform(0, 2 * M_PI);
    const double contrast = random.uniform(0.2, 0.5);
    const at::Tensor y = at::arange(o_.size, at::kFloat).view({-1, 1}), x = at::arange(o_.size, at::kFloat).view({1, -1});
    const at::Tensor along = x * std::cos(angle) + y * std::sin(angle);
    return (0.5 + contrast * at::sin(along * frequency * 2 * M_PI + phase)).unsqueeze(0);  // float [1, H, W]
  }
  std::string name(std::int64_t i) const override { return "@NAME@ sample " + std::to_string(i); }

 private:
  @CLASS@Options o_;
  std::int64_t samples_;
  std::uint64_t salt_;
};

class @CLASS@ final : public razor::Dataset {
 public:
  using Options = @CLASS@Options;
  @CLASS@(const razor::BuildContext&, const Options& o) : o_(o) {}
  bool has_split(razor::Split split) const override { return split != razor::Split::val; }
  std::shared_ptr<const razor::ImageSource> open(razor::Split split) const override {
    if (split == razor::Split::val) throw razor::DataError("@NAME@ has no val split");
    const bool train = split == razor::Split::train;
    return std::make_shared<Stripes>(o_, train ? o_.train_samples : o_.test_samples, train ? 1 : 2);
  }
  std::int64_t num_classes() const override { return o_.classes; }
  std::string describe() const override {
    return "@NAME@ (" + std::to_string(o_.classes) + " orientations, " + std::to_string(o_.size) + "x" +
           std::to_string(o_.size) + ", " + std::to_string(o_.train_samples) + " + " + std::to_string(o_.test_samples) +
           " samples)";
  }

 private:
  Options o_;
};

}  // namespace @NAME@

RAZOR_PLUGIN("@NAME@", "0.1.0", "The @NAME@ data set",
             razor::component<@NAME@::@CLASS@>("@NAME@", "Oriented stripes, one class per orientation, made as read"))
)tpl";

const char* kDatasetTest = R"tpl(
#include <ATen/ATen.h>
#include <razor/sdk.h>
#include <razor/testing/fake_context.h>

extern "C" const razor::PluginDescriptor* RAZOR_PLUGIN_ENTRY();

TEST_CASE("dataset/@NAME@: splits of the configured sizes, labels by orientation, the same pixels each read") {
  razor::testing::Context ctx;
  ctx.options.numbers = {{"size", 8}, {"classes", 3}, {"train_samples", 30}};  // else the defaults
  auto set = razor::testing::build<razor::Dataset>(RAZOR_PLUGIN_ENTRY(), ctx);
  REQUIRE(set);
  CHECK(set->num_classes() == 3);
  CHECK_FALSE(set->has_split(razor::Split::val));
  auto train = set->open(razor::Split::train);
  CHECK(train->size() == 30);
  CHECK(set->open(razor::Split::test)->size() == 500);
  CHECK(train->label(4) == 1);
  const at::Tensor a = train->read(4);
  CHECK(a.sizes() == at::IntArrayRef({1, 8, 8}));
  CHECK(at::equal(a, train->read(4)));
  CHECK_FALSE(at::equal(a, train->read(7)));  // same class, another phase and frequency
  CHECK(a.min().item<float>() >= 0.0f);
  CHECK(a.max().item<float>() <= 1.0f);
  const auto all = razor::read_all(*train);
  CHECK(all.images.sizes() == at::IntArrayRef({30, 1, 8, 8}));
}
)tpl";

const char* kDatasetData = R"tpl(
[data]
batch_size = 64
[data.dataset]
type = "@NAME@"
size = 16
)tpl";

const char* kDatasetConfig = R"tpl(
[algorithm]
type = "classifier"
[algorithm.architecture]
type = "resnet"
num_classes = 4
)tpl";

const char* kAlgorithmSource = R"tpl(// algorithm/@NAME@: supervised training with a logit penalty: cross-entropy + beta * mean(logits^2),
// which keeps logits small (a simple confidence regulariser).
#include <ATen/ATen.h>
#include <razor/sdk.h>

namespace @NAME@ {

struct @CLASS@Options : razor::Options<@CLASS@Options> {
  RAZOR_OPTION(razor::Nested<razor::Model>, architecture, "the network to train", razor::required);
  RAZOR_OPTION(double, beta, "weight of the logit penalty", 0.01).non_negative();
};

class @CLASS@ final : public razor::Algorithm {
 public:
  using Options = @CLASS@Options;
  @CLASS@(const razor::BuildContext& ctx, const Options& options)
      : model_(register_module("architecture", ctx.build(options.architecture))), beta_(options.beta) {}
  // One forward pass per step: the inherited train_step back-propagates the sum of the terms whose
  // names contain "loss", and the algorithm can also be distilled (single_teacher_distill's student).
  razor::Losses forward_losses(const razor::Batch& batch) override {
    const at::Tensor logits = model_->forward(batch.inputs);
    return {{"loss", at::cross_entropy_loss(logits, batch.targets)}, {"loss_penalty", beta_ * logits.pow(2).mean()}};
  }
  at::Tensor predict(const at::Tensor& inputs) override { return model_->forward(inputs); }
  razor::Model& model() override { return *model_; }

 private:
  std::shared_ptr<razor::Model> model_;
  double beta_;
};

}  // namespace @NAME@

RAZOR_PLUGIN("@NAME@", "0.1.0", "The @NAME@ algorithm",
             razor::component<@NAME@::@CLASS@>("@NAME@", "Cross-entropy plus beta times the mean squared logit"))
)tpl";

const char* kAlgorithmTest = R"tpl(
#include <cmath>

#include <ATen/ATen.h>
#include <razor/sdk.h>
#include <torch/nn/modules/linear.h>

#include <razor/testing/fake_context.h>

extern "C" const razor::PluginDescriptor* RAZOR_PLUGIN_ENTRY();

namespace {

// The nested architecture: flattened 2x2 images to 3 logits, weights set by the test.
struct Linear final : razor::Model {
  torch::nn::Linear fc{register_module("fc", torch::nn::Linear(4, 3))};
  at::Tensor forward(const at::Tensor& x) override { return fc->forward(x.flatten(1)); }
};

std::shared_ptr<razor::Algorithm> make_algorithm(double beta, std::shared_ptr<Linear> model) {
  razor::testing::Context ctx;
  ctx.options.numbers["beta"] = beta;
  ctx.options.tables["architecture"] = std::make_shared<razor::testing::Options>();
  ctx.nested = [model](const std::string&) { return model; };
  return razor::testing::build<razor::Algorithm>(RAZOR_PLUGIN_ENTRY(), ctx);
}

}  // namespace

TEST_CASE("algorithm/@NAME@: cross-entropy and the logit penalty, back-propagated") {
  auto model = std::make_shared<Linear>();
  {
    at::NoGradGuard no_grad;
    model->fc->weight.zero_();
    model->fc->bias.copy_(at::tensor({1.0, -1.0, 0.0}));
  }
  auto algorithm = make_algorithm(0.5, model);
  const razor::Batch batch{at::randn({2, 1, 2, 2}), at::tensor({0, 2}, at::kLong)};
  const razor::Losses losses = algorithm->train_step(batch);
  // Logits (1, -1, 0) for both images: the penalty is 0.5 * mean(1, 1, 0) = 1/3.
  const double log_sum = std::log(std::exp(1.0) + std::exp(-1.0) + 1.0);
  CHECK(losses.at("loss").item<double>() == doctest::Approx(((log_sum - 1.0) + (log_sum - 0.0)) / 2));
  CHECK(losses.at("loss_penalty").item<double>() == doctest::Approx(1.0 / 3));
  CHECK(model->fc->bias.grad().defined());
  CHECK_THROWS_AS(make_algorithm(-1.0, model), razor::ConfigError);
}
)tpl";

const char* kAlgorithmConfig = R"tpl(
[algorithm]
type = "@NAME@"
beta = 0.01
[algorithm.architecture]
type = "resnet"
)tpl";

const char* kSearcherSource = R"tpl(// searcher/@NAME@: random search. It draws `num_candidates` subnets uniformly, `per_round` at a time,
// keeps only those within `max_flops` (0: no limit), and reports the best score seen.
#include <random>
#include <sstream>
#include <string>

#include <razor/sdk.h>

namespace @NAME@ {

struct @CLASS@Options : razor::Options<@CLASS@Options> {
  RAZOR_OPTION(std::int64_t, num_candidates, "subnets scored in all", 50).at_least(1);
  RAZOR_OPTION(std::int64_t, per_round, "subnets scored per round (the run checkpoints after each)", 10).at_least(1);
  RAZOR_OPTION(double, max_flops, "FLOPs limit of a subnet (0: none)", 0.0).non_negative();
};

class @CLASS@ final : public razor::Searcher {
 public:
  using Options = @CLASS@Options;
  @CLASS@(const razor::BuildContext& ctx, const Options& options)
      : total_(options.num_candidates),
        per_round_(options.per_round),
        max_flops_(options.max_flops),
        rng_(ctx.seed() ^ 0x5eed) {}

  // Every random draw happens here, so a search resumed from save_state proposes what it would have.
  std::vector<razor::Subnet> propose(razor::SearchContext& context) override {
    std::vector<razor::Subnet> out;
    const std::int64_t want = std::min(per_round_, total_ - drawn_);
    for (std::int64_t tries = 0; static_cast<std::int64_t>(out.size()) < want && tries < 1000 * want; ++tries) {
      razor::Subnet s = razor::sample_subnet(context.groups(), razor::SampleKind::random, rng_);
      if (max_flops_ <= 0 || context.costs(s).at("flops") <= max_flops_) out.push_back(std::move(s));
    }
    if (want > 0 && out.empty()) throw razor::Error("searcher/@NAME@: no subnet within " + std::to_string(max_flops_) + " FLOPs");
    drawn_ += static_cast<std::int64_t>(out.size());
    return out;
  }
  void report(const std::vector<razor::Candidate>& scored) override {
    for (const auto& c : scored)
      if (best_.empty() || c.score > best_.front().score) best_ = {c};
    ++rounds_;
  }
  std::optional<razor::Candidate> best() const override {
    if (best_.empty()) return std::nullopt;
    return best_.front();
  }
  std::int64_t rounds_done() const override { return rounds_; }

  void save_state(torch::serialize::OutputArchive& archive) const override {
    razor::write_rng(archive, "rng", rng_);
    razor::write_text(archive, "counts", std::to_string(drawn_) + " " + std::to_string(rounds_));
    razor::write_candidates(archive, "best", best_);
  }
  void load_state(torch::serialize::InputArchive& archive) override {
    razor::read_rng(archive, "rng", rng_);
    std::istringstream(razor::read_text(archive, "counts")) >> drawn_ >> rounds_;
    best_ = razor::read_candidates(archive, "best");
  }

 private:
  std::int64_t total_, per_round_;
  double max_flops_;
  std::mt19937_64 rng_;
  std::int64_t drawn_ = 0, rounds_ = 0;
  std::vector<razor::Candidate> best_;  // empty or one
};

}  // namespace @NAME@

RAZOR_PLUGIN("@NAME@", "0.1.0", "The @NAME@ searcher",
             razor::component<@NAME@::@CLASS@>(
                 "@NAME@", "Random search: uniformly drawn subnets within a FLOPs limit; the best score wins"))
)tpl";

const char* kSearcherTest = R"tpl(
#include <sstream>

#include <razor/sdk.h>
#include <torch/serialize/input-archive.h>
#include <torch/serialize/output-archive.h>

#include <razor/testing/fake_context.h>

extern "C" const razor::PluginDescriptor* RAZOR_PLUGIN_ENTRY();

namespace {

// Three groups of choices "0", "1", "2"; a subnet's FLOPs are the sum of its choices.
struct Space final : razor::SearchContext {
  std::vector<razor::SearchGroup> g{{"a", {"0", "1", "2"}, {}}, {"b", {"0", "1", "2"}, {}}, {"c", {"0", "1", "2"}, {}}};
  const std::vector<razor::SearchGroup>& groups() const override { return g; }
  razor::Costs costs(const razor::Subnet& s) override {
    double flops = 0;
    for (const auto& [k, v] : s) flops += std::stod(v);
    return {{"flops", flops}};
  }
};

std::shared_ptr<razor::Searcher> make_searcher(double max_flops) {
  razor::testing::Context ctx;
  ctx.options.numbers = {{"num_candidates", 25}, {"per_round", 10}, {"max_flops", max_flops}};
  return razor::testing::build<razor::Searcher>(RAZOR_PLUGIN_ENTRY(), ctx);
}

std::vector<razor::Candidate> score(Space& space, const std::vector<razor::Subnet>& subnets) {
  std::vector<razor::Candidate> out;
  for (const auto& s : subnets) out.push_back({s, 10 - space.costs(s).at("flops") + (s.at("a") == "1"), space.costs(s)});
  return out;
}

}  // namespace

TEST_CASE("searcher/@NAME@: 25 subnets in rounds of 10, 10, 5, all within the limit; the best wins") {
  Space space;
  auto searcher = make_searcher(3);
  std::vector<std::size_t> rounds;
  double best = -1;
  for (auto pool = searcher->propose(space); !pool.empty(); pool = searcher->propose(space)) {
    rounds.push_back(pool.size());
    for (const auto& s : pool) CHECK(space.costs(s).at("flops") <= 3);
    const auto scored = score(space, pool);
    for (const auto& c : scored) best = std::max(best, c.score);
    searcher->report(scored);
  }
  CHECK(rounds == std::vector<std::size_t>{10, 10, 5});
  CHECK(searcher->rounds_done() == 3);
  CHECK(searcher->best()->score == best);
}

TEST_CASE("searcher/@NAME@: a searcher restored from its state proposes what the original would") {
  Space space;
  auto original = make_searcher(0);
  original->report(score(space, original->propose(space)));
  torch::serialize::OutputArchive out;
  original->save_state(out);
  std::stringstream bytes;
  out.save_to(bytes);
  torch::serialize::InputArchive in;
  in.load_from(bytes);
  auto restored = make_searcher(0);
  restored->load_state(in);
  CHECK(restored->propose(space) == original->propose(space));
  CHECK(restored->best()->subnet == original->best()->subnet);
}
)tpl";

// A SPOS supernet (razor's spos, nas and zoo plugins) trained on the digits, searched by the new searcher.
const char* kSearcherTop = R"tpl(stages = ["train", "search"]
)tpl";

const char* kSearcherConfig = R"tpl(
[estimator]
type = "flops"

[algorithm]
type = "spos"
[algorithm.architecture]
type = "spos_shufflenet"
widths = [32, 64]
repeats = [3, 3]
strides = [1, 2]
last_channels = 128

[search]
calibrate_samples = 512
[search.searcher]
type = "@NAME@"
num_candidates = 30
per_round = 10
max_flops = 6.0e5
)tpl";

struct KindTemplates {
  const char* source;
  const char* test;
  const char* config;      // tables after the common ones
  const char* top = "";    // top-level keys (before any table)
  const char* data = kDigitsData;  // the [data] section
};

const std::map<std::string, KindTemplates>& kinds() {
  static const std::map<std::string, KindTemplates> k{
      {"algorithm", {kAlgorithmSource, kAlgorithmTest, kAlgorithmConfig}},
      {"dataset", {kDatasetSource, kDatasetTest, kDatasetConfig, "", kDatasetData}},
      {"loss", {kLossSource, kLossTest, kLossConfig}},
      {"model", {kModelSource, kModelTest, kModelConfig}},
      {"searcher", {kSearcherSource, kSearcherTest, kSearcherConfig, kSearcherTop}},
  };
  return k;
}

}  // namespace

const std::vector<std::string>& scaffold_kinds() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> out;
    for (const auto& [name, t] : kinds()) out.push_back(name);
    return out;
  }();
  return names;
}

std::vector<TemplateFile> plugin_templates(const std::string& kind) {
  const auto it = kinds().find(kind);
  if (it == kinds().end()) throw Error("no template for kind '" + kind + "'");
  return {{"CMakeLists.txt", kCMakeLists},
          {"README.md", kReadme},
          {"src/@NAME@.cpp", it->second.source},
          {"tests/test_@NAME@.cpp", std::string(kTestHead) + it->second.test},
          {"configs/@NAME@.toml",
           std::string(kConfigComment) + it->second.top + it->second.data + kConfigCommon + it->second.config}};
}

}  // namespace razor::host
