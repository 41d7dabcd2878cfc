#include "run/data_setup.h"

#include <ATen/ATen.h>
#include <fmt/format.h>

#include "razor/dataset.h"
#include "run/sections.h"

namespace razor::host {

std::shared_ptr<const TomlConfigView> section(const TomlConfigView& parent, const std::string& key,
                                              const std::vector<OptionInfo>& options) {
  auto view = std::dynamic_pointer_cast<const TomlConfigView>(parent.table(key));
  return view->bind(&options, fmt::format("host section [{}]", view->path()));
}

DataSetup prepare_data(const TomlConfigView& root, const Registry& registry, const RunSettings& settings) {
  auto data = section(root, "data", sections::data());
  auto augment_view = section(*data, "augment", sections::augment());
  auto dataset = HostContext(registry, data, settings).build<Dataset>("dataset");
  const auto batch_size = data->get<std::int64_t>("batch_size");
  const auto val_batch_size = data->get<std::int64_t>("val_batch_size");
  if (batch_size <= 0) data->fail("batch_size", "must be positive");
  if (val_batch_size <= 0) data->fail("val_batch_size", "must be positive");
  const std::string validation = data->get<std::string>("validation");
  if (validation != "auto" && validation != "split" && validation != "test")
    data->fail("validation", "expected 'auto', 'split' or 'test'");
  const bool use_test = validation == "test" || (validation == "auto" && dataset->has_split(Split::test));
  if (use_test && !dataset->has_split(Split::test))
    data->fail("validation", "the dataset has no test split; use 'split'");
  const double val_split = use_test ? 0.0 : data->get<double>("val_split");
  if (!use_test && (val_split <= 0.0 || val_split >= 1.0)) data->fail("val_split", "must be in (0, 1)");
  const auto split_seed = static_cast<std::uint64_t>(data->get<std::int64_t>("split_seed"));
  Normalization norm{data->get<std::vector<double>>("mean"), data->get<std::vector<double>>("std")};
  if (norm.mean.size() != norm.std.size()) data->fail("std", "needs one value per mean value");
  Augmentation aug{augment_view->get<std::int64_t>("crop_padding"), augment_view->get<bool>("horizontal_flip")};
  if (aug.crop_padding < 0) augment_view->fail("crop_padding", "must not be negative");

  LabelledImages train_data, val_data;
  if (use_test) {
    train_data = dataset->load(Split::train);
    val_data = dataset->load(Split::test);
  } else {
    std::tie(train_data, val_data) = split_train_val(dataset->load(Split::train), val_split, split_seed);
  }
  if (!norm.mean.empty() && static_cast<std::int64_t>(norm.mean.size()) != train_data.images.size(1))
    data->fail("mean", fmt::format("has {} values, the images have {} channels", norm.mean.size(),
                                   train_data.images.size(1)));
  DataSetup out;
  out.train = std::make_unique<BatchLoader>(train_data, batch_size, true, settings.seed, aug, norm);
  out.val = std::make_unique<BatchLoader>(val_data, val_batch_size, false, settings.seed, Augmentation{}, norm);
  out.calibration = std::make_unique<BatchLoader>(train_data, std::min(val_batch_size, train_data.labels.size(0)),
                                                  true, mix_seed(settings.seed, 0xca11b), Augmentation{}, norm);
  if (out.train->batches_per_epoch() == 0)
    data->fail("batch_size", fmt::format("is larger than the {} training images", train_data.labels.size(0)));
  out.image_shape = train_data.images.sizes().vec();
  out.image_shape[0] = 1;
  out.max_label = train_data.labels.max().item<std::int64_t>();
  out.description = fmt::format("{}; {} training images, {} validation images ({})", dataset->describe(),
                                train_data.labels.size(0), val_data.labels.size(0),
                                use_test ? "test split" : "held-out split");
  return out;
}

}  // namespace razor::host
