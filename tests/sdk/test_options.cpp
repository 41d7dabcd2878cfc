// razor/options.h: one declaration gives the option table, the defaults, the reading and the checks;
// razor/testing/fake_context.h gives a plugin's tests the declared defaults and list options.
#include <cmath>
#include <limits>

#include <ATen/ATen.h>

#include "razor/errors.h"
#include "razor/loss.h"
#include "razor/options.h"
#include "razor/plugin.h"
#include "razor/testing/fake_context.h"
#include "razor_doctest.hpp"
#include "test_support.hpp"

namespace {

struct ScaleOptions : razor::Options<ScaleOptions> {
  RAZOR_OPTION(double, factor, "what the input is multiplied by", 2.0).positive();
  RAZOR_OPTION(std::int64_t, repeats, "how many times", 1).in_range(1, 8);
  RAZOR_OPTION(std::string, mode, "how repeats combine", "sum").one_of({"sum", "mean"});
  RAZOR_OPTION(std::vector<double>, weights, "one per repeat", std::vector<double>{0.5, 1.0}).non_negative();
  RAZOR_OPTION(std::vector<std::string>, names, "labels", razor::required).not_empty();
  void validate(const razor::ConfigView& cfg) const {
    if (mode == "mean" && repeats == 1) cfg.fail("mode", "'mean' needs repeats > 1");
  }
};

// TORCH_ARG-style accessors from the same declaration.
struct NetOptions : razor::Options<NetOptions> {
  RAZOR_ARG(std::vector<std::int64_t>, widths, "output channels of each stage", std::vector<std::int64_t>{8, 16})
      .positive();
  RAZOR_ARG(bool, pool, "pool at the end", true);
};

// A loss whose value is factor * repeats * sum(weights): what it read, visible in one number.
class Scale final : public razor::Loss {
 public:
  using Options = ScaleOptions;
  Scale(const razor::BuildContext&, const Options& o) : o_(o) {}
  at::Tensor forward(const at::Tensor&, const at::Tensor&) override {
    double sum = 0;
    for (double w : o_.weights) sum += w;
    return at::scalar_tensor(o_.factor * static_cast<double>(o_.repeats) * sum);
  }

 private:
  Options o_;
};

razor::testing::Options with_names() {
  razor::testing::Options o;
  o.string_lists["names"] = {"a"};
  return o;
}

ScaleOptions read(razor::testing::Options o) {
  o.apply_defaults(razor::component<Scale>("scale", "doc"));
  return ScaleOptions::read(o);
}

}  // namespace

TEST_CASE("the option table comes from the declarations, in order, with TOML defaults") {
  const auto& infos = ScaleOptions::option_infos();
  REQUIRE(infos.size() == 5);
  CHECK(std::string(infos[0].name) == "factor");
  CHECK(std::string(infos[0].type) == "float");
  CHECK(std::string(infos[0].default_toml) == "2.0");
  CHECK(std::string(infos[0].doc) == "what the input is multiplied by");
  CHECK(std::string(infos[1].type) == "int");
  CHECK(std::string(infos[1].default_toml) == "1");
  CHECK(std::string(infos[2].default_toml) == "'sum'");
  CHECK(std::string(infos[3].type) == "float[]");
  CHECK(std::string(infos[3].default_toml) == "[0.5, 1.0]");
  CHECK(std::string(infos[4].type) == "string[]");
  CHECK(infos[4].default_toml == nullptr);  // required

  const auto component = razor::component<Scale>("scale", "Scaled sums");
  CHECK(std::string(component.kind) == "loss");
  CHECK(component.options.size() == 5);
}

TEST_CASE("reading: declared defaults, set values, and every check's one-line error") {
  const ScaleOptions defaults = read(with_names());
  CHECK(defaults.factor == 2.0);
  CHECK(defaults.repeats == 1);
  CHECK(defaults.mode == "sum");
  CHECK(defaults.weights == std::vector<double>{0.5, 1.0});
  CHECK(defaults.names == std::vector<std::string>{"a"});

  auto o = with_names();
  o.numbers["repeats"] = 3;
  o.strings["mode"] = "mean";
  const ScaleOptions set = read(o);
  CHECK(set.repeats == 3);
  CHECK(set.mode == "mean");

  const auto error = [](razor::testing::Options opts) {
    return razor::test::error_of([&] { read(opts); });
  };
  o = with_names();
  o.numbers["factor"] = 0;
  CHECK(error(o) == "test: component.factor: must be positive");
  o = with_names();
  o.numbers["factor"] = std::numeric_limits<double>::quiet_NaN();
  CHECK(error(o).find("test: component.factor:") == 0);
  o = with_names();
  o.numbers["repeats"] = 9;
  CHECK(error(o) == "test: component.repeats: must be in [1, 8]");
  o = with_names();
  o.strings["mode"] = "max";
  CHECK(error(o) == "test: component.mode: expected sum or mean, got 'max'");
  o = with_names();
  o.number_lists["weights"] = {1.0, -1.0};
  CHECK(error(o) == "test: component.weights: values must not be negative");
  o = with_names();
  o.number_lists["weights"] = {1.0, std::numeric_limits<double>::infinity()};
  CHECK(error(o).find("test: component.weights:") == 0);
  o = with_names();
  o.string_lists["names"] = {};
  CHECK(error(o) == "test: component.names: must not be empty");
  o = with_names();
  o.strings["mode"] = "mean";  // repeats stays 1: the cross-field check
  CHECK(error(o) == "test: component.mode: 'mean' needs repeats > 1");
  CHECK(error(razor::testing::Options{}) == "test: option 'names' is not set");  // required, no default
}

TEST_CASE("RAZOR_ARG: LibTorch accessors that chain, the same option table and reading") {
  NetOptions n;
  CHECK(n.widths() == std::vector<std::int64_t>{8, 16});
  CHECK(n.pool());
  n.widths({4}).pool(false);
  CHECK(n.widths() == std::vector<std::int64_t>{4});
  CHECK_FALSE(n.pool());
  REQUIRE(NetOptions::option_infos().size() == 2);
  CHECK(std::string(NetOptions::option_infos()[0].default_toml) == "[8, 16]");
  CHECK(std::string(NetOptions::option_infos()[1].default_toml) == "true");

  razor::testing::Options o;
  o.number_lists["widths"] = {32, 64, 128};
  o.numbers["pool"] = 0;
  const NetOptions read_back = NetOptions::read(o);
  CHECK(read_back.widths() == std::vector<std::int64_t>{32, 64, 128});
  CHECK_FALSE(read_back.pool());
  o.number_lists["widths"] = {32, 0};
  CHECK_THROWS_WITH_AS(NetOptions::read(o), "test: component.widths: values must be positive", razor::ConfigError);
}

TEST_CASE("testing::build gives the component its declared defaults, lists included") {
  static const razor::ComponentInfo components[] = {razor::component<Scale>("scale", "Scaled sums")};
  const razor::PluginDescriptor plugin{razor::kSdkAbiVersion, sizeof(razor::PluginDescriptor), RAZOR_BUILD_TAG,
                                       "test", "1.0", "a test plugin", components, 1};
  razor::testing::Context ctx;
  ctx.options.string_lists["names"] = {"a"};
  auto loss = razor::testing::build<razor::Loss>(&plugin, ctx);
  REQUIRE(loss);
  const at::Tensor none;
  CHECK(loss->forward(none, none).item<double>() == doctest::Approx(2.0 * 1 * 1.5));  // all defaults
  ctx.options.number_lists["weights"] = {1.0, 2.0, 3.0};
  ctx.options.numbers["repeats"] = 2;
  CHECK(razor::testing::build<razor::Loss>(&plugin, ctx)->forward(none, none).item<double>() ==
        doctest::Approx(2.0 * 2 * 6.0));
}
