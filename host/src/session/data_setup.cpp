#include "session/data_setup.h"

#include <fmt/format.h>

#include "razor/dataset.h"
#include "session/sections.h"
#include "session/source_subsets.h"

namespace razor::host {

std::shared_ptr<const TomlConfigView> section(const TomlConfigView& parent, const std::string& key,
                                              const std::vector<OptionInfo>& options) {
  auto view = std::dynamic_pointer_cast<const TomlConfigView>(parent.table(key));
  return view->bind(&options, fmt::format("host section [{}]", view->path()));
}

void DataOptions::validate(const ConfigView& cfg) const {
  if (mean.size() != std.size()) cfg.fail("std", "needs one value per mean value");
}

namespace {

std::string shape_text(const std::vector<std::int64_t>& s) { return fmt::format("{}", fmt::join(s, "x")); }

Pipeline pipeline(const HostContext& ctx, const NestedList<Transform>& list) {
  Pipeline out;
  for (auto& t : ctx.build(list)) out.push_back(std::move(t));
  return out;
}

}  // namespace

DataSetup prepare_data(const TomlConfigView& root, const Registry& registry, const RunSettings& settings) {
  std::shared_ptr<const TomlConfigView> data;
  const auto o = read_section<DataOptions>(root, "data", &data);
  const HostContext ctx(registry, data, settings);
  auto dataset = ctx.build(o.dataset);
  const Pipeline train_pipeline = pipeline(ctx, o.train_pipeline), test_pipeline = pipeline(ctx, o.test_pipeline);

  std::string mode = o.validation;
  if (mode == "auto") mode = dataset->has_split(Split::val) ? "val" : "split";
  for (const Split s : {Split::val, Split::test})
    if (mode == split_name(s) && !dataset->has_split(s))
      data->fail("validation", fmt::format("the data set has no {} split; use 'split'", split_name(s)));
  if (mode == "split" && (o.val_split <= 0.0 || o.val_split >= 1.0)) data->fail("val_split", "must be in (0, 1)");

  std::shared_ptr<const ImageSource> train = dataset->open(Split::train), val, test;
  if (mode == "split") {
    std::tie(train, val) = split_train_val(train, o.val_split, static_cast<std::uint64_t>(o.split_seed));
  } else {
    val = dataset->open(mode == "val" ? Split::val : Split::test);
  }
  if (mode != "test" && dataset->has_split(Split::test)) test = dataset->open(Split::test);
  const auto seed = static_cast<std::uint64_t>(o.split_seed);
  try {
    if (o.train_subset > 0) train = seeded_subset(train, o.train_subset, mix_seed(seed, 1));
  } catch (const Error& e) {
    data->fail("train_subset", e.what());
  }
  try {
    if (o.val_subset > 0) val = seeded_subset(val, o.val_subset, mix_seed(seed, 2));
  } catch (const Error& e) {
    data->fail("val_subset", e.what());
  }

  DataSetup out;
  const std::int64_t workers = o.workers < 0 ? default_worker_count() : o.workers;
  if (workers > 0) out.workers = std::make_shared<WorkerPool>(workers);
  const bool skip = o.on_bad_image == "skip";
  const LoaderSettings train_settings{train_pipeline, o.mean, o.std, out.workers, o.prefetch, skip, settings.logger.get()};
  const LoaderSettings test_settings{test_pipeline, o.mean, o.std, out.workers, o.prefetch, skip, settings.logger.get()};
  out.train = std::make_unique<BatchLoader>(train, o.batch_size, true, settings.seed, train_settings);
  out.val = std::make_unique<BatchLoader>(val, o.val_batch_size, false, settings.seed, test_settings);
  if (test) out.test = std::make_unique<BatchLoader>(test, o.val_batch_size, false, settings.seed, test_settings);
  out.calibration = std::make_unique<BatchLoader>(train, std::min(o.val_batch_size, train->size()), true,
                                                  mix_seed(settings.seed, 0xca11b), test_settings);
  if (out.train->batches_per_epoch() == 0)
    data->fail("batch_size", fmt::format("is larger than the {} training images", train->size()));
  if (out.train->sample_shape() != out.val->sample_shape())
    data->fail("test_pipeline", fmt::format("gives {} samples, the train_pipeline gives {}: the model sees one size",
                                            shape_text(out.val->sample_shape()), shape_text(out.train->sample_shape())));
  if (!o.mean.empty() && static_cast<std::int64_t>(o.mean.size()) != out.train->sample_shape()[0])
    data->fail("mean", fmt::format("has {} values, the samples have {} channels", o.mean.size(),
                                   out.train->sample_shape()[0]));
  out.image_shape = {1};
  out.image_shape.insert(out.image_shape.end(), out.train->sample_shape().begin(), out.train->sample_shape().end());
  for (std::int64_t i = 0; i < train->size(); ++i) out.max_label = std::max(out.max_label, train->label(i));
  out.input = {out.train->sample_shape(), o.mean, o.std, dataset->class_names()};
  out.val_from = mode == "split" ? fmt::format("{:g} % of train held out", o.val_split * 100)
                                 : fmt::format("the {} split", mode);
  out.description = fmt::format("{}; {} training, {} validation ({}){} samples of {}; {} loader workers",
                                 dataset->describe(), train->size(), val->size(), out.val_from,
                                 test ? fmt::format(", {} test", test->size()) : "", shape_text(out.train->sample_shape()),
                                 workers);
  return out;
}

}  // namespace razor::host
