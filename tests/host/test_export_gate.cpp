// The export gate: a static model that does not compute what its subnet computed, or whose estimated
// costs differ from the subnet's, is refused with one line (and the export stage writes nothing).
#include "razor_doctest.hpp"

#include "export/export_stage.h"
#include "test_support.hpp"

using razor::host::check_export_gate;
using razor::host::ExportReport;

TEST_CASE("export gate: equal outputs and costs pass; a difference above 1e-5 or changed costs are refused") {
  ExportReport r;
  r.max_abs_diff_static = 1e-6;
  r.costs = {{"flops", 1000}, {"params", 50}};
  CHECK_NOTHROW(check_export_gate(r, {{"flops", 1000}, {"params", 50}}));
  CHECK_NOTHROW(check_export_gate(r, {}));  // no estimator: outputs only

  r.max_abs_diff_static = 2e-5;
  CHECK(razor::test::error_of([&] { check_export_gate(r, {}); }) ==
        "export refused: the static model's outputs differ from the subnet's by 2e-05 (more than 1e-05) on the check "
        "images");
  r.max_abs_diff_static = std::nan("");
  CHECK(razor::test::error_of([&] { check_export_gate(r, {}); }).rfind("export refused", 0) == 0);

  r.max_abs_diff_static = 0;
  CHECK(razor::test::error_of([&] { check_export_gate(r, {{"flops", 1000}, {"params", 49}}); }) ==
        "export refused: the static model's params is 50, the subnet's was 49");
}
