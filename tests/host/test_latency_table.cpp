// Latency tables: the prediction is the base plus each group's change (exactly), the file round-trips,
// and a damaged or mismatched table is one line naming the file, the place and the fault.
#include "razor_doctest.hpp"

#include "stages/search/latency_table.h"
#include "test_support.hpp"

using namespace razor;
using namespace razor::host;

namespace {

const std::vector<SearchGroup> kGroups{{"blocks.0", {"a", "b", "c"}, {}}, {"blocks.1", {"8", "16"}, {}}};

const std::string kHeader =
    "config = \"x.toml\"\nunits = \"ms\"\nmachine = \"cpu\"\nform = \"inference\"\nthreads = 2\nbatch = 64\n"
    "input = [1, 8, 8]\nbase_ms = 3.0\n";
const std::string kDeltas = "[delta_ms.\"blocks.0\"]\na = -0.5\nb = 0\nc = 0.25\n\n[delta_ms.\"blocks.1\"]\n8 = -1.0\n16 = 0\n";

}  // namespace

TEST_CASE("a latency table predicts the base plus the change of each group's choice") {
  test::TempDir dir("latency_table");
  const LatencyTable t = load_latency_table(dir.write("t.toml", kHeader + kDeltas), kGroups);
  CHECK(t.predict({{"blocks.0", "b"}, {"blocks.1", "16"}}) == 3.0);
  CHECK(t.predict({{"blocks.0", "c"}, {"blocks.1", "8"}}) == 3.0 + 0.25 - 1.0);
  CHECK(t.predict({{"blocks.0", "a"}, {"blocks.1", "8"}}) == 3.0 - 0.5 - 1.0);
  CHECK(t.fastest_prediction() == 3.0 - 0.5 - 1.0);
  LatencyTable noisy = t;
  noisy.base_ms = 1.2;  // what a busy machine can measure: the fastest subnet would take -0.3 ms
  CHECK(noisy.fastest_prediction() == doctest::Approx(-0.3));
  CHECK(t.batch == 64);
  CHECK(t.threads == 2);
  CHECK(t.input == std::vector<std::int64_t>{1, 8, 8});
  CHECK(t.samples == 0);
  CHECK(test::error_of([&] { t.predict({{"blocks.0", "z"}}); }) == "latency table of x.toml: group 'blocks.0' has no choice 'z'");
  CHECK(reference_subnet(kGroups) == Subnet{{"blocks.0", "b"}, {"blocks.1", "16"}});

  // Saved and loaded again: the same table, validation included.
  LatencyTable copy = t;
  copy.samples = 10, copy.median_error = 0.05, copy.worst_error = 0.125;
  save_latency_table(copy, dir.file("copy.toml"));
  const LatencyTable again = load_latency_table(dir.file("copy.toml"), kGroups);
  CHECK(again.delta_ms == t.delta_ms);
  CHECK(again.base_ms == t.base_ms);
  CHECK(again.machine == "cpu");
  CHECK(again.samples == 10);
  CHECK(again.worst_error == 0.125);
}

TEST_CASE("a damaged or mismatched latency table is refused with its file, place and fault") {
  test::TempDir dir("latency_table_bad");
  const auto error = [&](const std::string& text) {
    const std::string file = dir.write("t.toml", text);
    const std::string e = test::error_of([&] { load_latency_table(file, kGroups); });
    return e.rfind(file, 0) == 0 ? e.substr(file.size()) : e;
  };
  CHECK(error(kHeader + kDeltas + "[delta_ms.\"blocks.7\"]\na = 1\n") ==
        ":17:1: group 'blocks.7' is not in this search space (the table was measured for another; rebuild it with "
        "razor-host latency-table)");
  CHECK(error(kHeader + "[delta_ms.\"blocks.0\"]\na = -0.5\nb = 0\n[delta_ms.\"blocks.1\"]\n8 = 1\n16 = 0\n") ==
        ": no entry for group 'blocks.0' choice 'c' (the table was measured for another search space; rebuild it with "
        "razor-host latency-table)");
  CHECK(error(kHeader + "[delta_ms.\"blocks.0\"]\na = -0.5\nb = 0\nc = 1\nd = 2\n") ==
        ":13:5: 'blocks.0': 'd' is not a choice of this group (choices: a, b, c)");
  CHECK(error(kHeader + "[delta_ms.\"blocks.0\"]\na = 'fast'\n") == ":10:5: 'blocks.0.a': expected a finite number of milliseconds");
  CHECK(error(kHeader + "[delta_ms.\"blocks.0\"]\na = nan\n") == ":10:5: 'blocks.0.a': expected a finite number of milliseconds");
  CHECK(error("units = \"s\"\n") == ":1:9: 'units': expected \"ms\"");
  CHECK(error("units = \"ms\"\n") == ": missing key 'config' (is it a file written by razor-host latency-table?)");
  CHECK(error(std::string(kHeader).replace(kHeader.find("batch = 64"), 10, "batch = 0") + kDeltas) ==
        ":6:9: 'batch': expected a positive integer");
  CHECK(error(std::string(kHeader).replace(kHeader.find("[1, 8, 8]"), 9, "[8, 8]") + kDeltas) ==
        ":7:9: 'input': expected [C, H, W]");
  CHECK(error("base_ms = [") .find(":1:") == 0);  // not TOML: the parser's place and message
  CHECK(test::error_of([&] { load_latency_table(dir.file("none.toml"), kGroups); }).find("none.toml") != std::string::npos);
}
