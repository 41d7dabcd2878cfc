// The "is it faster?" report: the warning when a FLOPs cut buys no latency cut, and its TOML section.
#include "razor_doctest.hpp"

#include "stages/export/speed_report.h"

using namespace razor;
using namespace razor::host;

namespace {

SpeedReport report(double flops_ratio, double eager_speedup, double inference_speedup) {
  SpeedReport r;
  r.original_costs = {{"flops", 1000.0}, {"params", 50.0}};
  r.export_costs = {{"flops", 1000.0 * flops_ratio}, {"params", 25.0}};
  r.rows.push_back({1, 2.0, 2.0 / eager_speedup, 1.0, 1.0 / inference_speedup});
  r.rows.push_back({64, 20.0, 20.0, 10.0, 10.0});
  return r;
}

}  // namespace

TEST_CASE("a FLOPs cut that buys no latency cut is warned about, naming the best speed-up") {
  CHECK(speed_warning(report(0.5, 1.05, 1.08)) ==
        "FLOPs cut to 50% of the original, but at best 1.08x faster (batch 1): these widths do not suit the kernels; try "
        "widths on multiples of 8 (mutator.divisor = 8) or a latency_ms target (razor-host latency-table)");
  CHECK(speed_warning(report(0.5, 1.05, 1.2)).empty());   // faster enough as an inference module
  CHECK(speed_warning(report(0.5, 1.25, 1.0)).empty());   // faster enough eagerly
  CHECK(speed_warning(report(0.85, 1.0, 1.0)).empty());   // a small FLOPs cut promises little
  CHECK(speed_warning(report(0.8, 1.0, 1.0)) != "");      // the edge counts as a cut
  SpeedReport no_flops = report(0.5, 1.0, 1.0);
  no_flops.original_costs.erase("flops");
  CHECK(speed_warning(no_flops).empty());                 // nothing to compare without an estimator
}

TEST_CASE("the speed report's TOML section lists each batch size's timings in order") {
  SpeedReport r = report(0.5, 2.0, 4.0);
  r.threads = 2;
  r.warning = speed_warning(r);
  const std::string t = speed_toml(r);
  CHECK(t.find("\n[speed]") == 0);
  CHECK(t.find("\nthreads = 2\nbatches = [1, 64]\noriginal_eager_ms = [2, 20]\nexport_eager_ms = [1, 20]\n"
               "original_inference_ms = [1, 10]\nexport_inference_ms = [0.25, 10]\n") != std::string::npos);
  CHECK(t.find("original_flops = 1000\noriginal_params = 50\n") != std::string::npos);
  CHECK(t.find("warning") == std::string::npos);
  const auto lines = speed_lines(r);
  REQUIRE(lines.size() == 4);
  CHECK(lines[0] == "is it faster? the export against the original (largest subnet), 2 threads; flops 50% of the original; "
                    "params 50% of the original");
  CHECK(lines[2].find("2.00x") != std::string::npos);
  CHECK(lines[2].find("4.00x") != std::string::npos);
}
