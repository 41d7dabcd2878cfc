#pragma once
// The [data] section of a run: dataset, validation split, batching, augmentation, normalisation.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "config/toml_config_view.h"
#include "loader/host_context.h"
#include "loader/registry.h"
#include "session/sections.h"
#include "session/batch_loader.h"

namespace razor::host {

struct DataSetup {
  std::unique_ptr<BatchLoader> train, val;
  std::unique_ptr<BatchLoader> calibration;  // training images, shuffled once, not augmented
  std::vector<std::int64_t> image_shape;  // [1, C, H, W]
  std::int64_t max_label = 0;
  std::string description;  // one log line
};

/// Reads and checks [data], builds its dataset and loads it. Throws ConfigError or DataError.
DataSetup prepare_data(const TomlConfigView& root, const Registry& registry, const RunSettings& settings);

}  // namespace razor::host
