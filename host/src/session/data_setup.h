#pragma once
// The [data] section of a run: the data set and its splits (train, val, and a test split reported once
// at the end), the pipelines, the loaders and their worker threads.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "config/toml_config_view.h"
#include "loader/host_context.h"
#include "loader/registry.h"
#include "session/batch_loader.h"
#include "session/sections.h"
#include "session/worker_pool.h"

namespace razor::host {

/// What a model trained on this data takes, as the export records it: float32 NCHW of `shape`, values
/// in [0, 1] (a picture's 0..255 divided by 255) normalised by `mean`/`std` per channel (data.mean,
/// data.std; empty when not set).
struct InputSpec {
  std::vector<std::int64_t> shape;  // C, H, W
  std::vector<double> mean, std;
  std::vector<std::string> class_names;  // in label order; empty when the data set names none
};

struct DataSetup {
  std::shared_ptr<WorkerPool> workers;  // shared by the loaders; null with data.workers = 0
  std::unique_ptr<BatchLoader> train, val;
  std::unique_ptr<BatchLoader> test;         // null when the run validates on the test split or there is none
  std::unique_ptr<BatchLoader> calibration;  // training images through the test pipeline, shuffled
  std::vector<std::int64_t> image_shape;     // [1, C, H, W]
  std::int64_t max_label = 0;
  InputSpec input;
  std::string val_from;     // where validation samples come from, for the log: "val split", ...
  std::string description;  // one log line
};

/// Reads and checks [data], builds its dataset, pipelines and loaders. Throws ConfigError or DataError.
DataSetup prepare_data(const TomlConfigView& root, const Registry& registry, const RunSettings& settings);

}  // namespace razor::host
