// One-shot mutables (SDK) and mutator/nas: forward semantics, fixing, aliases and custom groups,
// sampling, subnets set and checked, subnet files round-tripped into a fresh supernet (invariants 1-4, 14).
#include "razor_doctest.hpp"

#include <algorithm>
#include <map>
#include <set>

#include <ATen/ATen.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/linear.h>

#include "config/config_loader.h"
#include "config/toml_config_view.h"
#include "nas_mutator.h"
#include "loader/host_context.h"
#include "razor/errors.h"
#include "razor/one_shot_op.h"
#include "razor/one_shot_value.h"
#include "razor/plugin.h"
#include "razor/subnet_file.h"
#include "base/logging.h"
#include "test_support.hpp"

extern "C" const razor::PluginDescriptor* RAZOR_PLUGIN_ENTRY();

using namespace razor;

namespace {

// Three one-shot ops over Linear(4, 4) candidates ("a" and "c" share the alias "shared") and a value.
struct Net final : Model {
  Net() {
    for (const char* name : {"a", "b", "c"}) {
      OneShotOp op(std::string(name) == "b" ? "" : "shared");
      op->add("small", torch::nn::Linear(4, 4));
      op->add("large", torch::nn::Linear(4, 4));
      op->add("skip", torch::nn::Linear(torch::nn::LinearOptions(4, 4).bias(false)));
      ops.push_back(register_module(name, op));
    }
    depth = register_module("depth", OneShotValue(std::vector<std::int64_t>{1, 2, 3}));
  }
  at::Tensor forward(const at::Tensor& x) override {
    at::Tensor y = x;
    for (auto& op : ops) y = op->forward(y);
    return y * static_cast<double>(depth->as_int());
  }
  std::vector<OneShotOp> ops;
  OneShotValue depth{nullptr};
};

// A mutator/nas built from a TOML table, the way the host builds it.
struct Built {
  std::shared_ptr<host::ConfigDocument> doc;
  std::shared_ptr<nas::NasMutator> mutator;
};

Built mutator(const std::string& toml = "", std::uint64_t seed = 0) {
  static test::TempDir dir("nas_mutator");
  static host::Registry registry;
  static host::RunSettings settings{c10::Device(c10::kCPU), 0, host::make_logger()};
  settings.seed = seed;
  Built b;
  b.doc = host::load_config(dir.write("m.toml", "[mutator]\ntype = 'nas'\n" + toml), {});
  auto table = std::dynamic_pointer_cast<const host::TomlConfigView>(host::TomlConfigView(b.doc).table("mutator"));
  const auto& info = *find_component(*RAZOR_PLUGIN_ENTRY(), "mutator", "nas");
  host::HostContext ctx(registry, table->bind(&info.options, "mutator/nas"), settings);
  b.mutator = std::dynamic_pointer_cast<nas::NasMutator>(info.create(ctx));
  return b;
}

}  // namespace

TEST_CASE("one-shot op: the chosen candidate only; the sum with no choice; fix frees the others") {
  OneShotOp op;
  torch::nn::Linear a(3, 2), b(3, 2);
  op->add("a", a);
  op->add("b", b);
  const at::Tensor x = at::randn({5, 3});
  CHECK(at::allclose(op->forward(x), a(x) + b(x)));  // no choice: all candidates, summed
  op->set_choice("b");
  const at::Tensor y = op->forward(x);
  CHECK(at::equal(y, b(x)));
  y.sum().backward();
  CHECK_FALSE(a->weight.grad().defined());  // the other candidate is untouched
  CHECK(b->weight.grad().defined());
  CHECK_THROWS_WITH_AS(op->set_choice("c"), "unknown choice 'c' (choices: a, b)", Error);
  CHECK_THROWS_AS(op->add("a", torch::nn::Linear(3, 2)), Error);  // duplicate name

  op->fix("b");
  CHECK(op->is_fixed());
  CHECK(op->choices() == std::vector<std::string>{"b"});
  CHECK(op->named_parameters().size() == 2);  // b.weight, b.bias
  CHECK(op->named_parameters().contains("b.weight"));
  CHECK(at::equal(op->forward(x), b(x)));  // fixed forward == unfixed forward with the same choice
  CHECK_THROWS_WITH_AS(op->fix("b"), "cannot fix to 'b': already fixed to 'b'", Error);
  CHECK_THROWS_AS(op->set_choice("a"), Error);
  CHECK_THROWS_AS(op->candidate("a"), Error);
}

TEST_CASE("mutator/nas: groups by alias, then path; aliased mutables always share a choice") {
  Net net;
  auto m = mutator().mutator;
  CHECK_THROWS_WITH_AS(m->groups(), "mutator/nas: prepare() was not called", Error);
  m->prepare(net);
  std::vector<std::string> keys;
  for (const auto& g : m->groups()) keys.push_back(g.key);
  CHECK(keys == std::vector<std::string>{"shared", "b", "depth"});
  for (int i = 0; i < 50; ++i) {
    const Subnet s = m->sample(SampleKind::random);
    CHECK(*net.ops[0]->current_choice() == *net.ops[2]->current_choice());
    CHECK(*net.ops[0]->current_choice() == s.at("shared"));
    CHECK(net.depth->as_int() == std::stoll(s.at("depth")));
    CHECK(m->current() == s);
  }
  CHECK(m->sample(SampleKind::max) == Subnet{{"shared", "skip"}, {"b", "skip"}, {"depth", "3"}});
  CHECK(m->sample(SampleKind::min) == Subnet{{"shared", "small"}, {"b", "small"}, {"depth", "1"}});
}

TEST_CASE("mutator/nas: custom groups; bad groups are config errors") {
  Net net;
  auto m = mutator("[mutator.groups]\nall = ['a', 'b', 'c']\n").mutator;
  m->prepare(net);
  REQUIRE(m->groups().size() == 2);
  CHECK(m->groups()[0].key == "all");
  m->set({{"all", "large"}, {"depth", "2"}});
  for (auto& op : net.ops) CHECK(*op->current_choice() == "large");

  CHECK_THROWS_AS(mutator("[mutator.groups]\nx = ['a', 'nope']\n").mutator->prepare(net), ConfigError);
  CHECK_THROWS_AS(mutator("[mutator.groups]\nx = ['a']\ny = ['a']\n").mutator->prepare(net), ConfigError);
  Net other;
  const auto mixed = test::error_of([&] { mutator("[mutator.groups]\nx = ['a', 'depth']\n").mutator->prepare(other); });
  CHECK(mixed.find("search group 'x': 'a' has choices [small, large, skip] but 'depth' has [1, 2, 3]") !=
        std::string::npos);
}

TEST_CASE("mutator/nas: set checks keys and choices; sampling follows probabilities") {
  Net net;
  auto m = mutator().mutator;
  m->prepare(net);
  CHECK(test::error_of([&] { m->set({{"shared", "small"}, {"b", "small"}}); }) == "subnet: missing key 'depth'");
  CHECK(test::error_of([&] { m->set({{"shared", "small"}, {"bb", "small"}, {"depth", "1"}}); }) ==
        "subnet: unknown key 'bb' (did you mean 'b'?)");
  CHECK(test::error_of([&] { m->set({{"shared", "small"}, {"b", "huge"}, {"depth", "1"}}); }) ==
        "subnet: 'b': unknown choice 'huge' (choices: small, large, skip)");

  Net weighted;
  weighted.ops[1]->set_probs({0.6, 0.4, 0.0});
  auto w = mutator().mutator;
  w->prepare(weighted);
  std::map<std::string, int> seen;
  const int n = 20000;
  for (int i = 0; i < n; ++i) ++seen[w->sample(SampleKind::random).at("b")];
  CHECK(std::abs(seen["small"] / double(n) - 0.6) < 0.02);
  CHECK(seen.count("skip") == 0);
}

TEST_CASE("mutator/nas: a seeded generator, saved and restored with the state") {
  Net net;
  auto a = mutator("", 7).mutator, b = mutator("", 7).mutator;
  a->prepare(net);
  b->prepare(net);
  CHECK(a->sample(SampleKind::random) == b->sample(SampleKind::random));
  torch::serialize::OutputArchive out;
  a->save_state(out);
  std::vector<Subnet> expected;
  for (int i = 0; i < 5; ++i) expected.push_back(a->sample(SampleKind::random));
  std::stringstream bytes;
  out.save_to(bytes);
  torch::serialize::InputArchive in;
  in.load_from(bytes);
  auto c = mutator("", 99).mutator;
  c->prepare(net);
  c->load_state(in);
  for (const auto& s : expected) CHECK(c->sample(SampleKind::random) == s);
}

TEST_CASE("subnet file round trip: a fresh supernet gets identical choices and outputs") {
  test::TempDir dir("nas_roundtrip");
  at::manual_seed(0);
  Net first;
  auto m = mutator("", 3).mutator;
  m->prepare(first);
  const Subnet chosen = m->sample(SampleKind::random);
  save_subnet(dir.file("subnet.toml"), chosen);

  at::manual_seed(0);  // same weights
  Net fresh;
  auto f = mutator().mutator;
  f->prepare(fresh);
  f->fix(load_subnet(dir.file("subnet.toml"), m->groups()));
  CHECK(f->groups().empty());
  for (auto& op : fresh.ops) CHECK(op->is_fixed());
  const at::Tensor x = at::randn({2, 4});
  CHECK(at::equal(first.forward(x), fresh.forward(x)));
  CHECK(fresh.parameters().size() < first.parameters().size());

  // Bad files: one line with file:line:col.
  const auto bad = [&](const std::string& text) {
    return test::error_of([&] { load_subnet(dir.write("bad.toml", text), m->groups()); });
  };
  const std::string f0 = dir.file("bad.toml");
  CHECK(bad("[subnet]\nshared = 'small'\nb = 'small'\ndepth = 2\nextra = 'x'\n") ==
        f0 + ":5:9: unknown search group 'extra' (this space has 3 groups, e.g. 'shared')");
  CHECK(bad("[subnet]\nshared = 'small'\nb = 'small'\n") == f0 + ":1:1: missing search group 'depth' (choices: 1, 2, 3)");
  CHECK(bad("[subnet]\nshared = 'small'\nb = 'tiny'\ndepth = 2\n") ==
        f0 + ":3:5: 'b': 'tiny' is not a choice of this group (choices: small, large, skip)");
  CHECK(bad("[subnet]\nshared = 'small'\nb = 'small'\ndepth = 2\n").find("no error") != std::string::npos);
  CHECK(bad("[subnet\n").rfind(f0 + ":1:", 0) == 0);
  CHECK(bad("[other]\n").rfind(f0 + ":1:1: unknown key 'other'", 0) == 0);
}

namespace {

// Convolution candidates: "s0" and "s1" share the alias "kernel"; "s2" decides alone; a value
// scales the output. Candidates keep the shape, so any path runs.
struct ConvNet final : Model {
  ConvNet() {
    for (const char* name : {"s0", "s1", "s2"}) {
      OneShotOp op(std::string(name) == "s2" ? "" : "kernel");
      op->add("conv1x1", torch::nn::Conv2d(torch::nn::Conv2dOptions(3, 3, 1)));
      op->add("conv3x3", torch::nn::Conv2d(torch::nn::Conv2dOptions(3, 3, 3).padding(1)));
      op->add("conv5x5", torch::nn::Conv2d(torch::nn::Conv2dOptions(3, 3, 5).padding(2)));
      ops.push_back(register_module(name, op));
    }
    scale = register_module("scale", OneShotValue(std::vector<double>{0.5, 1.0, 2.0}));
  }
  at::Tensor forward(const at::Tensor& x) override {
    at::Tensor y = x;
    for (auto& op : ops) y = op->forward(y);
    return y * scale->value();
  }
  std::vector<OneShotOp> ops;
  OneShotValue scale{nullptr};
};

std::size_t count_params(torch::nn::Module& m) { return m.parameters().size(); }

}  // namespace

TEST_CASE("one-shot op with convolutions: exact candidate output, gradients only on the chosen one") {
  at::manual_seed(1);
  ConvNet net;
  const at::Tensor x = at::randn({2, 3, 6, 6});
  auto* conv5 = net.ops[0]->candidate("conv5x5")->as<torch::nn::Conv2d>();
  auto* conv3 = net.ops[0]->candidate("conv3x3")->as<torch::nn::Conv2d>();
  auto* conv1 = net.ops[0]->candidate("conv1x1")->as<torch::nn::Conv2d>();
  REQUIRE(conv5);
  CHECK(at::allclose(net.ops[0]->forward(x), conv1->forward(x) + conv3->forward(x) + conv5->forward(x)));
  net.ops[0]->set_choice("conv5x5");
  CHECK(at::equal(net.ops[0]->forward(x), conv5->forward(x)));
  for (auto& op : net.ops) op->set_choice("conv5x5");
  net.forward(x).sum().backward();
  for (auto& op : net.ops) {
    CHECK(op->candidate("conv5x5")->parameters()[0].grad().defined());
    for (const char* other : {"conv1x1", "conv3x3"})
      for (const auto& p : op->candidate(other)->parameters()) CHECK_FALSE(p.grad().defined());
  }
}

TEST_CASE("one-shot value: the maximum before a choice; bad choices and fixing twice throw") {
  OneShotValue depth(std::vector<std::int64_t>{2, 3, 4}, "d");
  CHECK(depth->choices() == std::vector<std::string>{"2", "3", "4"});
  CHECK_FALSE(depth->current_choice());
  CHECK(depth->as_int() == 4);
  depth->set_choice("2");
  CHECK(depth->as_int() == 2);
  CHECK(test::error_of([&] { depth->set_choice("5"); }) == "unknown choice '5' (choices: 2, 3, 4)");
  CHECK(depth->as_int() == 2);  // a rejected choice changes nothing
  depth->fix("3");
  CHECK(depth->is_fixed());
  CHECK(depth->choices() == std::vector<std::string>{"3"});
  CHECK(depth->as_int() == 3);
  CHECK(test::error_of([&] { depth->fix("3"); }) == "cannot fix to '3': already fixed to '3'");
  CHECK_THROWS_AS(depth->set_choice("4"), Error);

  OneShotValue ratio(std::vector<double>{0.5, 1.5});
  CHECK(ratio->value() == 1.5);
  ratio->set_choice("0.5");
  CHECK(ratio->value() == 0.5);
  CHECK_THROWS_AS(ratio->as_int(), Error);
  CHECK_THROWS_AS(OneShotValue(std::vector<std::int64_t>{3, 2}), Error);  // not ascending
}

TEST_CASE("mutator/nas on convolutions: sampled choices are members; max/min are the last/first") {
  ConvNet net;
  auto m = mutator("", 11).mutator;
  CHECK(test::error_of([&] { m->sample(SampleKind::random); }) == "mutator/nas: prepare() was not called");
  CHECK(test::error_of([&] { m->set({}); }) == "mutator/nas: prepare() was not called");
  m->prepare(net);
  CHECK(test::error_of([&] { m->current(); }) == "search group 'kernel' has no choice yet");
  std::map<std::string, std::set<std::string>> seen;
  for (int i = 0; i < 300; ++i) {
    const Subnet s = m->sample(SampleKind::random);
    REQUIRE(s.size() == m->groups().size());
    for (const auto& g : m->groups()) {
      CHECK(std::find(g.choices.begin(), g.choices.end(), s.at(g.key)) != g.choices.end());
      seen[g.key].insert(s.at(g.key));
    }
    CHECK(*net.ops[0]->current_choice() == *net.ops[1]->current_choice());
  }
  for (const auto& g : m->groups()) CHECK(seen[g.key].size() == g.choices.size());  // every choice drawn
  CHECK(m->sample(SampleKind::max) == Subnet{{"kernel", "conv5x5"}, {"s2", "conv5x5"}, {"scale", "2"}});
  CHECK(net.scale->value() == 2.0);
  CHECK(m->sample(SampleKind::min) == Subnet{{"kernel", "conv1x1"}, {"s2", "conv1x1"}, {"scale", "0.5"}});
  CHECK(net.scale->value() == 0.5);
}

TEST_CASE("mutator/nas: fix keeps only the chosen candidates, once; a bad subnet fixes nothing") {
  ConvNet net;
  auto m = mutator().mutator;
  m->prepare(net);
  const std::size_t before = count_params(net);
  CHECK(test::error_of([&] { m->fix({{"kernel", "conv3x3"}, {"s2", "conv9x9"}, {"scale", "1"}}); }) ==
        "subnet: 's2': unknown choice 'conv9x9' (choices: conv1x1, conv3x3, conv5x5)");
  for (auto& op : net.ops) CHECK_FALSE(op->is_fixed());  // checked before anything changed
  CHECK(count_params(net) == before);

  const Subnet chosen{{"kernel", "conv3x3"}, {"s2", "conv1x1"}, {"scale", "1"}};
  m->set(chosen);
  const at::Tensor x = at::randn({1, 3, 5, 5});
  const at::Tensor unfixed = net.forward(x);
  m->fix(chosen);
  CHECK(at::equal(net.forward(x), unfixed));  // fixed forward == unfixed forward, same choice
  CHECK(count_params(net) == 6);              // one conv (weight, bias) per op
  for (const auto& p : net.named_parameters()) {
    const bool kept = p.key().rfind("s0.conv3x3.", 0) == 0 || p.key().rfind("s1.conv3x3.", 0) == 0 ||
                      p.key().rfind("s2.conv1x1.", 0) == 0;
    CHECK_MESSAGE(kept, p.key());
  }
  CHECK(m->groups().empty());  // nothing left to choose
  CHECK(test::error_of([&] { m->fix(chosen); }) ==
        "mutator/nas: the model is already fixed to a subnet (fix() can run once)");
  CHECK(test::error_of([&] { m->set(chosen); }) == "mutator/nas: the model is fixed; it has no choices left to set");

  // A second mutator over the fixed model finds nothing to search.
  auto again = mutator().mutator;
  again->prepare(net);
  CHECK(again->groups().empty());
}

TEST_CASE("mutator/nas: keys from different sources never merge; aliases are never split") {
  // "s2" as an alias would silently join the module "s2"'s decision.
  struct Clash final : Model {
    Clash() {
      for (const char* name : {"s2", "x"}) {
        OneShotValue v(std::vector<std::int64_t>{1, 2}, std::string(name) == "x" ? "s2" : "");
        register_module(name, v);
      }
    }
    at::Tensor forward(const at::Tensor& x) override { return x; }
  } clash;
  CHECK(test::error_of([&] { mutator().mutator->prepare(clash); }) ==
        "search group key 's2' is both the module path of 's2' and the alias of 'x'; rename one");

  ConvNet net;
  const auto named_like_path = test::error_of([&] { mutator("[mutator.groups]\ns2 = ['s0', 's1']\n").mutator->prepare(net); });
  CHECK(named_like_path.find("m.toml:4:") != std::string::npos);
  CHECK(named_like_path.find("search group key 's2' is both the custom group of 's0' and the module path of 's2'") !=
        std::string::npos);
  const auto split = test::error_of([&] { mutator("[mutator.groups]\nfirst = ['s0', 's2']\n").mutator->prepare(net); });
  CHECK(split.find("m.toml:4:") != std::string::npos);
  CHECK(split.find("'s0' and 's1' share the alias 'kernel' but are in different search groups ('first' and 'kernel')") !=
        std::string::npos);
  // The whole alias in one custom group is fine.
  auto whole = mutator("[mutator.groups]\nconvs = ['s0', 's1', 's2']\n").mutator;
  whole->prepare(net);
  REQUIRE(whole->groups().size() == 2);
  whole->sample(SampleKind::random);
  CHECK(*net.ops[0]->current_choice() == *net.ops[2]->current_choice());
  const auto fixed_path =
      test::error_of([&] { mutator("[mutator.groups]\nz = ['scale', 'nothing.here']\n").mutator->prepare(net); });
  CHECK(fixed_path.find("'nothing.here' is not a searchable (unfixed) module of the model") != std::string::npos);
}

TEST_CASE("subnet file into a fresh model and mutator: identical current() and outputs, set or fixed") {
  test::TempDir dir("nas_conv_roundtrip");
  at::manual_seed(4);
  ConvNet first;
  auto m = mutator("", 21).mutator;
  m->prepare(first);
  const Subnet chosen = m->sample(SampleKind::random);
  save_subnet(dir.file("subnet.toml"), chosen);
  const at::Tensor x = at::randn({2, 3, 7, 7});
  const at::Tensor expected = first.forward(x);

  at::manual_seed(4);
  ConvNet fresh;
  auto f = mutator().mutator;
  f->prepare(fresh);
  const Subnet loaded = load_subnet(dir.file("subnet.toml"), f->groups());
  f->set(loaded);
  CHECK(f->current() == m->current());
  CHECK(at::equal(fresh.forward(x), expected));
  f->fix(loaded);
  CHECK(at::equal(fresh.forward(x), expected));
}
