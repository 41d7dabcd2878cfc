#include "stage_options.h"

namespace razor::models {

void check_per_stage(const ConfigView& cfg, const std::string& key, const std::vector<std::int64_t>& values,
                     std::size_t stages) {
  if (values.size() != stages) {
    cfg.fail(key,
             "needs one value per stage (" + std::to_string(stages) + " widths), got " + std::to_string(values.size()));
  }
}

void check_even_widths(const ConfigView& cfg, const std::vector<std::int64_t>& widths) {
  for (auto w : widths)
    if (w % 2 != 0) cfg.fail("widths", "values must be even (units split channels in halves)");
}

}  // namespace razor::models
