// End to end through razor-host: a latency table of the SPOS digits space, an evolution search under a
// latency_ms limit that no candidate exceeds (each candidate's latency_ms is the table's prediction),
// and the refusals of tables that do not fit the run.
#include <algorithm>
#include <filesystem>
#include <regex>
#include <utility>
#include <vector>

#include "host_process.h"
#include "razor_doctest.hpp"
#include "stages/search/latency_table.h"

namespace {

const std::string kSpos = "configs/nas/spos_shufflenet_digits.toml";
// Few timings: the test checks the pipeline, not the machine.
const std::string kQuickTable = " --batch 4 --runs 2 --warmup 1 --repeats 1";

std::vector<razor::SearchGroup> spos_groups() {
  std::vector<razor::SearchGroup> groups;
  for (int i = 0; i < 6; ++i)
    groups.push_back({"blocks." + std::to_string(i), {"shuffle_3x3", "shuffle_5x5", "shuffle_7x7", "shuffle_xception"}, {}});
  return groups;
}

razor::Subnet subnet_of(const std::string& line) {
  razor::Subnet s;
  const std::regex pair("\"(blocks\\.[0-9]+)\":\"([a-z0-9_]+)\"");
  for (std::sregex_iterator it(line.begin(), line.end(), pair), end; it != end; ++it) s[(*it)[1]] = (*it)[2];
  return s;
}

double json_number(const std::string& line, const std::string& key) {
  std::smatch m;
  REQUIRE(std::regex_search(line, m, std::regex("\"" + key + "\":([-0-9.eE+]+)")));
  return std::stod(m[1]);
}

}  // namespace

TEST_CASE("a latency table of the SPOS space bounds an evolution search's latency_ms") {
  const std::string root = temp_dir("latency_table"), table_file = root + "/table.toml";
  // A quick table on a busy machine can be noise (one slow call makes a choice look 100 ms slower) and
  // predict no time or less for the fastest subnet; the command warns, and, as it advises, the test
  // measures again with more calls.
  razor::host::LatencyTable table;
  const std::string attempts[] = {kQuickTable, " --batch 4 --runs 6 --warmup 1 --repeats 3",
                                  " --batch 4 --runs 10 --warmup 2 --repeats 5"};
  for (const std::string& options : attempts) {
    auto built = run_host("latency-table " + kSpos + options + " --samples 2 -o " + table_file);
    INFO(built.output);
    REQUIRE(built.exit_code == 0);
    CHECK(built.output.find("  blocks.5: shuffle_3x3 ") != std::string::npos);
    CHECK(built.output.find("prediction error on 2 random subnets: median ") != std::string::npos);
    table = razor::host::load_latency_table(table_file, spos_groups());
    const bool noisy = table.fastest_prediction() <= 0;
    CHECK(noisy == (built.output.find("warning: the table predicts ") != std::string::npos));
    if (!noisy) break;
    MESSAGE("a noisy latency table (fastest subnet " << table.fastest_prediction() << " ms); measuring again");
  }
  REQUIRE(table.fastest_prediction() > 0);
  CHECK(table.batch == 4);
  CHECK(table.form == "inference");
  CHECK(table.samples == 2);
  CHECK(table.delta_ms.at("blocks.3").at("shuffle_7x7") == 0.0);  // the reference: each group's middle choice
  CHECK(table.base_ms > 0);

  // An untrained supernet searched under a limit halfway between the fastest and slowest predictions
  // (at least the reference subnet's):
  // every candidate within it, each at exactly the table's prediction for its subnet.
  double fastest = table.base_ms, slowest = table.base_ms;
  for (const auto& [group, row] : table.delta_ms) {
    fastest += std::min_element(row.begin(), row.end(), [](auto& a, auto& b) { return a.second < b.second; })->second;
    slowest += std::max_element(row.begin(), row.end(), [](auto& a, auto& b) { return a.second < b.second; })->second;
  }
  // The reference subnet's prediction (base_ms) as the least limit leaves about half the space within it.
  const double limit = std::stod(std::to_string(std::max(0.5 * (fastest + slowest), table.base_ms)));  // as read
  const std::string dir = root + "/search";
  auto r = run_host("run " + kSpos + " --work-dir " + dir + " --set \"stages=['search']\" --set search.calibrate_samples=64" +
                    " --set \"search.latency_table='" + table_file + "'\"" +
                    " --set \"search.searcher.constraints={latency_ms=" + std::to_string(limit) + "}\"" +
                    " --set search.searcher.generations=2 --set search.searcher.num_candidates=6" +
                    " --set search.searcher.top_k=3 --set search.searcher.num_mutation=2 --set search.searcher.num_crossover=2");
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  CHECK(r.output.find("search: latency_ms predicted by a table of " + kSpos + " (batch 4,") != std::string::npos);
  const auto candidates = lines_of(dir + "/metrics.jsonl", "\"type\":\"search\"");
  CHECK(candidates.size() >= 6);
  for (const auto& line : candidates) {
    const double predicted = table.predict(subnet_of(line));
    CHECK(predicted <= limit);
    CHECK(json_number(line, "latency_ms") == doctest::Approx(predicted).epsilon(1e-5));
  }
}

TEST_CASE("latency tables that do not fit the run, and bad latency-table options, are one line each") {
  const std::string root = temp_dir("latency_table_bad");
  const std::string search = " --set \"stages=['search']\" --set \"search.latency_table='";
  auto missing = run_host("run " + kSpos + " --work-dir " + root + "/a" + search + root + "/none.toml'\"");
  CHECK(missing.exit_code == 2);
  CHECK(missing.output == "error: --set search.latency_table='" + root + "/none.toml': search.latency_table: no such file '" + root +
                              "/none.toml' (build it with: razor-host latency-table " + kSpos + ")\n");

  // A table of another image size (the digits are 8x8).
  auto t16 = run_host("latency-table " + kSpos + kQuickTable + " --samples 0 --input 1,16,16 -o " + root + "/t16.toml");
  INFO(t16.output);
  REQUIRE(t16.exit_code == 0);
  auto other_size = run_host("run " + kSpos + " --work-dir " + root + "/b" + search + root + "/t16.toml'\"");
  CHECK(other_size.exit_code == 2);
  CHECK(other_size.output == "error: --set search.latency_table='" + root + "/t16.toml'" +
                                 ": search.latency_table: the table was measured for images [1, 16, 16], the data has [1, 8, 8]\n");
  CHECK(!std::filesystem::exists(root + "/b"));

  // A table of another search space (AutoSlim's channel groups).
  const std::string slim = "configs/pruning/autoslim_mobilenet_v2_digits.toml";
  REQUIRE(run_host("latency-table " + slim + kQuickTable + " --samples 0 -o " + root + "/slim.toml").exit_code == 0);
  auto other_space = run_host("run " + kSpos + " --work-dir " + root + "/c" + search + root + "/slim.toml'\"");
  CHECK(other_space.exit_code == 2);
  CHECK(other_space.output.find("error: " + root + "/slim.toml:") == 0);
  CHECK(other_space.output.find("' is not in this search space (the table was measured for another; rebuild it") !=
        std::string::npos);

  CHECK(run_host("latency-table " + kSpos + " --form fast").output ==
        "error: latency-table: --form: expected inference or eager, got 'fast'\n");
  CHECK(run_host("latency-table " + kSpos + " --repeats 0").output == "error: latency-table: --repeats must be positive\n");
  for (const auto& [option, error] : std::vector<std::pair<std::string, std::string>>{
           {"--batch 0", "--batch must be positive"},
           {"--threads -1", "--threads must not be negative"},
           {"--runs 0", "--runs must be positive and --warmup not negative"},
           {"--samples -1", "--samples must not be negative"}}) {
    CHECK(run_host("latency-table " + kSpos + " " + option).output == "error: latency-table: " + error + "\n");
  }

  // A table for a model without choices, and bad options of the export's layout and speed report:
  // one line each, exit 2, no work dir.
  const std::string baseline = "run configs/core/resnet_digits.toml --work-dir " + root + "/d --set ";
  for (const auto& [set, error] : std::vector<std::pair<std::string, std::string>>{
           {"search.latency_table='x.toml'", "search.latency_table: the model has no choices, so no subnet to predict"},
           {"export.inference_layout='nhwc'",
            "export.inference_layout: expected auto, contiguous or channels_last, got 'nhwc'"},
           {"export.speed_batches=[0]", "export.speed_batches: expected positive batch sizes, e.g. [1, 64]"},
           {"export.speed_runs=0", "export.speed_runs: must be positive"}}) {
    auto r = run_host(baseline + "\"" + set + "\"");
    CHECK(r.exit_code == 2);
    CHECK(r.output == "error: --set " + set + ": " + error + "\n");
  }
  CHECK(!std::filesystem::exists(root + "/d"));

  CHECK(run_host("latency-table configs/core/resnet_digits.toml").output ==
        "error: latency-table: configs/core/resnet_digits.toml has no search space (its model has no choices)\n");
  CHECK(run_host("latency-table nope.toml").output == "error: latency-table: no such file 'nope.toml'\n");
}
