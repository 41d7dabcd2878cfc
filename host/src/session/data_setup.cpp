#include "session/data_setup.h"

#include <ATen/ATen.h>
#include <fmt/format.h>

#include "razor/dataset.h"
#include "session/sections.h"

namespace razor::host {

std::shared_ptr<const TomlConfigView> section(const TomlConfigView& parent, const std::string& key,
                                              const std::vector<OptionInfo>& options) {
  auto view = std::dynamic_pointer_cast<const TomlConfigView>(parent.table(key));
  return view->bind(&options, fmt::format("host section [{}]", view->path()));
}

void DataOptions::validate(const ConfigView& cfg) const {
  if (mean.size() != std.size()) cfg.fail("std", "needs one value per mean value");
}

DataSetup prepare_data(const TomlConfigView& root, const Registry& registry, const RunSettings& settings) {
  std::shared_ptr<const TomlConfigView> data;
  const auto o = read_section<DataOptions>(root, "data", &data);
  const auto aug_options = read_section<AugmentOptions>(*data, "augment");
  auto dataset = HostContext(registry, data, settings).build(o.dataset);
  const bool use_test = o.validation == "test" || (o.validation == "auto" && dataset->has_split(Split::test));
  if (use_test && !dataset->has_split(Split::test))
    data->fail("validation", "the dataset has no test split; use 'split'");
  const double val_split = use_test ? 0.0 : o.val_split;
  if (!use_test && (val_split <= 0.0 || val_split >= 1.0)) data->fail("val_split", "must be in (0, 1)");
  const auto split_seed = static_cast<std::uint64_t>(o.split_seed);
  const auto batch_size = o.batch_size, val_batch_size = o.val_batch_size;
  Normalization norm{o.mean, o.std};
  Augmentation aug{aug_options.crop_padding, aug_options.horizontal_flip};

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
