#include <c10/util/Logging.h>
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

#include <algorithm>

#include <ATen/ATen.h>
#include <razor/channel_units.h>
#include <razor/sdk.h>
#include <razor/testing/fake_context.h>

#include "../src/tiny_vgg.h"

extern "C" const razor::PluginDescriptor* RAZOR_PLUGIN_ENTRY();

namespace {

std::shared_ptr<razor::Model> make_model(double stem_channels) {
  razor::testing::Context ctx;
  ctx.options.numbers = {{"in_channels", 1},         {"num_classes", 10},        {"stem_channels", stem_channels},
                         {"branch1x1_channels", 16}, {"branch3x3_channels", 24}, {"head_channels", 64}};
  return razor::testing::build<razor::Model>(RAZOR_PLUGIN_ENTRY(), ctx);
}

const razor::ChannelUnit& unit(const razor::ChannelAnalysis& analysis, const std::string& name) {
  const auto it = std::find_if(analysis.units.begin(), analysis.units.end(),
                               [&](const razor::ChannelUnit& u) { return u.name == name; });
  if (it == analysis.units.end()) throw razor::Error("no unit " + name);
  return *it;
}

bool has_slice(const std::vector<razor::ChannelSlice>& slices, const std::string& module,
               razor::ChannelSlice::Role role, std::int64_t start, std::int64_t end) {
  return std::any_of(slices.begin(), slices.end(), [&](const razor::ChannelSlice& s) {
    return s.module == module && s.role == role && s.start == start && s.end == end;
  });
}

}  // namespace

TEST_CASE("the plugin declares model/tiny_vgg and its options for this SDK") {
  const razor::PluginDescriptor* d = RAZOR_PLUGIN_ENTRY();
  CHECK(d->abi_version == razor::kSdkAbiVersion);
  CHECK(std::string(d->build_tag) == RAZOR_BUILD_TAG);
  REQUIRE(d->num_components == 1);
  CHECK(std::string(d->components[0].kind) == "model");
  CHECK(std::string(d->components[0].name) == "tiny_vgg");
  CHECK(d->components[0].options.size() == 6);
}

TEST_CASE("model/tiny_vgg: logits for 8x8 and 28x28 images; a zero width is refused") {
  auto model = make_model(16);
  CHECK(model->forward(at::randn({2, 1, 8, 8})).sizes() == at::IntArrayRef({2, 10}));
  CHECK(model->forward(at::randn({1, 1, 28, 28})).sizes() == at::IntArrayRef({1, 10}));
  CHECK_THROWS_AS(make_model(0), razor::ConfigError);
}

TEST_CASE("razor's channel analysis finds the residual add and the concatenation, no barrier") {
  using Role = razor::ChannelSlice::Role;
  auto model = make_model(16);
  const razor::ChannelAnalysis analysis = razor::analyse_channels(*model, at::zeros({1, 1, 8, 8}));
  CHECK(analysis.barriers.empty());

  // The residual add ties the stem's channels to res2's: one unit, read by res1 and both branches.
  const razor::ChannelUnit& residual = unit(analysis, "stem.conv_(0, 16)_16");
  CHECK(residual.prunable);
  CHECK(has_slice(residual.output_related, "res2.conv", Role::conv_out, 0, 16));
  CHECK(has_slice(residual.output_related, "res2.bn", Role::bn, 0, 16));
  CHECK(has_slice(residual.input_related, "res1.conv", Role::conv_in, 0, 16));
  CHECK(has_slice(residual.input_related, "branch3x3.conv", Role::conv_in, 0, 16));

  // The concatenation: each branch is its own unit, and head reads it at its offset.
  const razor::ChannelUnit& b1 = unit(analysis, "branch1x1.conv_(0, 16)_16");
  const razor::ChannelUnit& b3 = unit(analysis, "branch3x3.conv_(0, 24)_24");
  CHECK(b1.prunable);
  CHECK(b3.prunable);
  CHECK(has_slice(b1.input_related, "head.conv", Role::conv_in, 0, 16));
  CHECK(has_slice(b3.input_related, "head.conv", Role::conv_in, 16, 40));

  // The global pool and flatten lead head's channels into fc; fc's outputs are the network's.
  CHECK(has_slice(unit(analysis, "head.conv_(0, 64)_64").input_related, "fc", Role::linear_in, 0, 64));
  CHECK_FALSE(unit(analysis, "fc_(0, 10)_10").prunable);
}
