// Search spaces, mutable values and state archives (the SDK pieces searchers and mutators build on).
#include "razor_doctest.hpp"

#include <sstream>

#include <torch/serialize/input-archive.h>
#include <torch/serialize/output-archive.h>

#include "razor/errors.h"
#include "razor/derived_value.h"
#include "razor/one_shot_value.h"
#include "razor/search_space.h"
#include "razor/state_archive.h"

using namespace razor;

TEST_CASE("sample_subnet: max and min are the extreme choices; random draws members") {
  std::vector<SearchGroup> groups{{"a", {"x", "y", "z"}, {}}, {"b", {"1", "2"}, {}}};
  std::mt19937_64 rng(7);
  CHECK(sample_subnet(groups, SampleKind::max, rng) == Subnet{{"a", "z"}, {"b", "2"}});
  CHECK(sample_subnet(groups, SampleKind::min, rng) == Subnet{{"a", "x"}, {"b", "1"}});
  std::map<std::string, int> seen;
  for (int i = 0; i < 3000; ++i) ++seen[sample_subnet(groups, SampleKind::random, rng)["a"]];
  CHECK(seen.size() == 3);
  for (const auto& [choice, n] : seen) CHECK(std::abs(n / 3000.0 - 1.0 / 3) < 0.04);
  CHECK(space_size(groups) == 6.0);
  CHECK(subnet_text({{"a", "x"}, {"b", "1"}}) == "a=x, b=1");
}

TEST_CASE("sample_choice follows the group's probabilities") {
  SearchGroup g{"g", {"p", "q", "r"}, {0.7, 0.3, 0.0}};
  std::mt19937_64 rng(1);
  std::map<std::string, int> seen;
  const int n = 20000;
  for (int i = 0; i < n; ++i) ++seen[sample_choice(g, rng)];
  CHECK(std::abs(seen["p"] / double(n) - 0.7) < 0.02);
  CHECK(std::abs(seen["q"] / double(n) - 0.3) < 0.02);
  CHECK(seen.count("r") == 0);
}

TEST_CASE("OneShotValue: ascending values, maximum before a choice, fix is irreversible") {
  OneShotValue depth(std::vector<std::int64_t>{2, 3, 4}, "depth");
  CHECK(depth->choices() == std::vector<std::string>{"2", "3", "4"});
  CHECK(depth->as_int() == 4);
  depth->set_choice("3");
  CHECK(depth->as_int() == 3);
  CHECK_THROWS_WITH_AS(depth->set_choice("5"), "unknown choice '5' (choices: 2, 3, 4)", Error);
  depth->fix("2");
  CHECK(depth->is_fixed());
  CHECK(depth->as_int() == 2);
  CHECK(depth->choices() == std::vector<std::string>{"2"});
  CHECK_THROWS_AS(depth->fix("2"), Error);
  CHECK_THROWS_AS(depth->set_choice("3"), Error);

  OneShotValue ratio(std::vector<double>{0.25, 0.5, 1.0});
  CHECK(ratio->choices() == std::vector<std::string>{"0.25", "0.5", "1"});
  ratio->set_choice("0.5");
  CHECK(ratio->value() == 0.5);
  CHECK_THROWS_AS(ratio->as_int(), Error);
  CHECK_THROWS_AS(OneShotValue(std::vector<std::int64_t>{3, 2}), Error);
  CHECK_THROWS_AS(OneShotValue(std::vector<std::int64_t>{}), Error);
}

TEST_CASE("probabilities must match the choices and sum to 1") {
  OneShotValue v(std::vector<std::int64_t>{1, 2});
  CHECK_THROWS_WITH_AS(v->set_probs({0.5}), "1 probabilities for 2 choices", Error);
  CHECK_THROWS_WITH_AS(v->set_probs({0.5, 0.6}), "probabilities sum to 1.1, not 1", Error);
  CHECK_THROWS_AS(v->set_probs({1.5, -0.5}), Error);
  v->set_probs({0.25, 0.75});
  CHECK(v->probs() == std::vector<double>{0.25, 0.75});
}

TEST_CASE("state archives carry text and random generators exactly") {
  std::mt19937_64 rng(42);
  rng.discard(17);
  torch::serialize::OutputArchive out;
  write_text(out, "note", std::string("a\0b", 3) + "é");
  write_rng(out, "rng", rng);
  std::stringstream bytes;
  out.save_to(bytes);

  torch::serialize::InputArchive in;
  in.load_from(bytes);
  CHECK(read_text(in, "note") == std::string("a\0b", 3) + "é");
  std::mt19937_64 restored;
  read_rng(in, "rng", restored);
  CHECK(restored() == rng());
  CHECK_THROWS_WITH_AS(read_text(in, "absent"), "state archive: missing entry 'absent'", Error);
}

TEST_CASE("subnet keys sort naturally: numbers by value") {
  const Subnet s{{"blocks.10", "a"}, {"blocks.2", "b"}, {"blocks.1", "c"}, {"alpha", "d"}, {"blocks.1.x", "e"}};
  std::vector<std::string> keys;
  for (const auto& [k, v] : s) keys.push_back(k);
  CHECK(keys == std::vector<std::string>{"alpha", "blocks.1", "blocks.1.x", "blocks.2", "blocks.10"});
  NaturalOrder less;
  CHECK(less("a9", "a10"));
  CHECK_FALSE(less("a10", "a9"));
  CHECK(less("a1", "a01"));  // equal values: still a strict order
  CHECK_FALSE(less("a01", "a1"));
  CHECK_FALSE(less("x", "x"));
}

TEST_CASE("derived values follow their sources on every read and are fixed only through them") {
  OneShotValue ratio(std::vector<std::int64_t>{3, 4, 6});
  OneShotValue other(std::vector<std::int64_t>{8, 16});
  const auto hidden = DerivedValue::expand(ratio, 16);
  const auto half = DerivedValue::divide(ratio, 2.0, 2);
  const auto both = DerivedValue::concat({ratio, other});
  CHECK(hidden.as_int() == 96);  // sources at their maximum before any choice
  ratio->set_choice("3");
  CHECK(hidden.as_int() == 48);
  CHECK(half.as_int() == 2);   // make_divisible(1.5, 2)
  CHECK(both.as_int() == 19);  // 3 + 16
  ratio->set_choice("4");
  other->set_choice("8");
  CHECK(hidden.as_int() == 64);
  CHECK(both.as_int() == 12);
  CHECK_FALSE(both.is_fixed());
  ratio->fix("6");
  CHECK(hidden.is_fixed());
  CHECK(hidden.as_int() == 96);
  CHECK_FALSE(both.is_fixed());  // `other` is still free
  other->fix("16");
  CHECK(both.is_fixed());
  CHECK_THROWS_AS(DerivedValue::concat({}), Error);
}

TEST_CASE("make_divisible: nearest multiple, a floor, never more than 10 % down") {
  CHECK(make_divisible(32, 8) == 32);
  CHECK(make_divisible(35, 8) == 32);
  CHECK(make_divisible(36, 8) == 40);  // rounds half up
  CHECK(make_divisible(3, 8) == 8);    // at least the divisor
  CHECK(make_divisible(12, 8, 16) == 16);
  CHECK(make_divisible(19, 16) == 32);  // 16 would lose 16 %
  CHECK_THROWS_AS(make_divisible(10, 0), Error);
}
