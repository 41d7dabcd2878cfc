#include "scaffold/plugin_templates.h"

#include "razor/errors.h"

namespace razor::host {
namespace {

const char* kCMakeLists = R"(# The @NAME@ razor plugin, built against an installed razor:
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
)";

const char* kReadme = R"(# @NAME@

A razor plugin providing `@KIND@/@NAME@`.

    cmake -S . -B build -DCMAKE_PREFIX_PATH=<razor install prefix>
    cmake --build build && ctest --test-dir build
    RAZOR_PLUGIN_PATH=build <prefix>/bin/razor-host plugins info @NAME@
    RAZOR_PLUGIN_PATH=build <prefix>/bin/razor-host run configs/@NAME@.toml

Install it next to razor's own plugins with `cmake --install build --prefix <razor install prefix>`,
or hand out `build/@NAME@.so` (built with the same LibTorch and compiler as razor-host; see
`razor-host version`).
)";

// The doctest main: glog's header first, so that doctest's CHECK wins over glog's.
const char* kTestHead = R"(#include <c10/util/Logging.h>
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>
)";

// A run on razor's embedded digits, self-contained (no extends), using the new component.
const char* kConfigHead = R"(# Trains on razor's embedded digits with @KIND@/@NAME@:
#   RAZOR_PLUGIN_PATH=build razor-host run configs/@NAME@.toml
[data]
batch_size = 64
validation = "split"
mean = [0.3]
std = [0.38]
[data.dataset]
type = "digits"

[optimizer]
type = "sgd"
lr = 0.1

[train]
epochs = 5
val_interval = 5
)";

const char* kLossSource = R"(// loss/@NAME@: the Brier score, the squared distance between the softmax of the logits and the
// one-hot labels, summed over classes and averaged over the batch, times `scale`.
#include <ATen/ATen.h>
#include <razor/sdk.h>

namespace @NAME@ {

class @CLASS@ final : public razor::Loss {
 public:
  explicit @CLASS@(const razor::BuildContext& ctx) : scale_(ctx.config().get<double>("scale")) {
    if (scale_ <= 0) ctx.config().fail("scale", "must be positive");
  }
  at::Tensor forward(const at::Tensor& logits, const at::Tensor& labels) override {
    const at::Tensor one_hot = at::one_hot(labels, logits.size(1)).to(logits.dtype());
    return scale_ * (at::softmax(logits, 1) - one_hot).pow(2).sum(1).mean();
  }

 private:
  double scale_;
};

}  // namespace @NAME@

RAZOR_PLUGIN("@NAME@", "0.1.0", "The @NAME@ loss",
             {"loss", "@NAME@", "Brier score: squared distance of the softmax to the one-hot labels",
              {{"scale", "float", "1.0", "multiplier of the loss"}},
              &razor::make_component<@NAME@::@CLASS@>})
)";

const char* kLossTest = R"(
#include <map>

#include <ATen/ATen.h>
#include <razor/sdk.h>

extern "C" const razor::PluginDescriptor* RAZOR_PLUGIN_ENTRY();

namespace {

// Just enough of razor-host's config view for this component: numeric options by name.
struct Options final : razor::ConfigView {
  std::map<std::string, double> values;
  bool has(const std::string& k) const override { return values.count(k) > 0; }
  std::vector<std::string> keys() const override {
    std::vector<std::string> out;
    for (const auto& [k, v] : values) out.push_back(k);
    return out;
  }
  double get_double(const std::string& k) const override { return values.at(k); }
  bool get_bool(const std::string&) const override { throw razor::Error("not in this test"); }
  std::int64_t get_int(const std::string&) const override { throw razor::Error("not in this test"); }
  std::string get_string(const std::string&) const override { throw razor::Error("not in this test"); }
  std::vector<std::int64_t> get_int_list(const std::string&) const override { throw razor::Error("not in this test"); }
  std::vector<double> get_double_list(const std::string&) const override { throw razor::Error("not in this test"); }
  std::vector<std::string> get_string_list(const std::string&) const override { throw razor::Error("not in this test"); }
  std::shared_ptr<const ConfigView> table(const std::string&) const override { throw razor::Error("not in this test"); }
  std::string path() const override { return "loss"; }
  std::string where(const std::string&) const override { return "test"; }
};

struct Context final : razor::BuildContext {
  Options options;
  const razor::ConfigView& config() const override { return options; }
  std::shared_ptr<razor::Component> build(const razor::ConfigView&, const std::string&) const override {
    throw razor::Error("not in this test");
  }
  c10::Device device() const override { return c10::kCPU; }
  std::uint64_t seed() const override { return 0; }
  spdlog::logger& logger() const override { throw razor::Error("not in this test"); }
};

std::shared_ptr<razor::Loss> make_loss(double scale) {
  Context ctx;
  ctx.options.values["scale"] = scale;
  return std::dynamic_pointer_cast<razor::Loss>(RAZOR_PLUGIN_ENTRY()->components[0].create(ctx));
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
)";

const char* kLossConfig = R"(
[algorithm]
type = "classifier"
[algorithm.architecture]
type = "resnet"
[algorithm.loss]
type = "@NAME@"
scale = 1.0
)";

}  // namespace

const std::vector<std::string>& scaffold_kinds() {
  static const std::vector<std::string> kinds{"loss"};
  return kinds;
}

std::vector<TemplateFile> plugin_templates(const std::string& kind) {
  if (kind != "loss") throw Error("no template for kind '" + kind + "'");
  return {{"CMakeLists.txt", kCMakeLists},
          {"README.md", kReadme},
          {"src/@NAME@.cpp", kLossSource},
          {"tests/test_@NAME@.cpp", std::string(kTestHead) + kLossTest},
          {"configs/@NAME@.toml", std::string(kConfigHead) + kLossConfig}};
}

}  // namespace razor::host
