#pragma once
// The host's config sections below the stages: the top level, [runtime], [data], [plugins] and
// [distributed], each an options struct (razor/options.h) declared once. The stages own
// theirs: [train] (stages/train/train_options.h), [search] and [export]. A section is read with
// read_section<...>(), bound to its declaration, so unread and unknown keys are reported as for any
// component.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "config/toml_config_view.h"
#include "razor/algorithm.h"
#include "razor/dataset.h"
#include "razor/estimator.h"
#include "razor/optimizer.h"
#include "razor/options.h"
#include "razor/schedule.h"
#include "razor/transform.h"

namespace razor::host {

struct RootOptions : Options<RootOptions> {
  RAZOR_OPTION(std::vector<std::string>, stages, "what `run` does, in this order: calibrate, train, search, export (any subset)",
               {"train"});
  RAZOR_OPTION(Table, runtime, "seed, threads, device, logging and checkpoint intervals", "{}");
  // Required, but reported missing by the data setup (after the algorithm is built), not here.
  RAZOR_OPTION(Table, data, "the data set, its splits, pipelines and loader", required).optional();
  RAZOR_OPTION(Nested<Algorithm>, algorithm, "what is trained (e.g. classifier)", required);
  RAZOR_OPTION(Nested<Optimizer>, optimizer, "the optimizer (sgd, adam, adamw) and its hyper-parameters",
               "{ type = 'sgd' }");
  RAZOR_OPTION(Nested<Schedule>, schedule, "learning-rate schedule (constant, step, cosine) with its warm-up",
               "{ type = 'cosine' }");
  RAZOR_OPTION(Table, calibrate, "the calibrate stage: how many training images quantization observes", "{}");
  RAZOR_OPTION(Table, train, "epochs and validation interval", "{}");
  RAZOR_OPTION(Table, search, "the search stage: searcher, batch-norm handling while scoring", "{}");
  RAZOR_OPTION_AS(Table, export_, "export", "the export stage: which subnet, equivalence check, TorchScript", "{}");
  RAZOR_OPTION(Table, plugins, "checks on the plugins this run may load", "{}");
  RAZOR_OPTION(Table, distributed, "multi-process data parallel: backend, timeout, batch-norm statistics", "{}");
  RAZOR_OPTION(Nested<Estimator>, estimator,
               "(optional) resource estimator: logged at start, search constraints, export report (e.g. flops)", required)
      .optional();
};

struct RuntimeOptions : Options<RuntimeOptions> {
  RAZOR_OPTION(std::int64_t, seed, "seed of every random generator of the run", 0);
  RAZOR_OPTION(std::int64_t, threads, "LibTorch intra-op threads; 0 = all cores", 0)
      .check([](std::int64_t t) { return t >= 0; }, "must be 0 (all cores) or positive");
  RAZOR_OPTION(std::string, device, "cpu, cuda or cuda:N (--device overrides)", "cpu");
  RAZOR_OPTION(std::int64_t, log_interval, "log a training line every this many steps", 20);
  RAZOR_OPTION(std::int64_t, checkpoint_interval, "also checkpoint every this many steps (0: only at epoch ends)", 0);
  RAZOR_OPTION(std::string, load_from,
               "model weights loaded before the first stage: a model.pt of razor's (e.g. a trained supernet to search), "
               "a PyTorch torch.save(state_dict) or a TorchScript file", "")
      .file_path();
  RAZOR_OPTION(Table, load_keys,
               "how load_from's keys become the model's: { strip_prefix, rename = { regex = replacement }, add_prefix, "
               "strict = true }", "{}");
};

struct DataOptions : Options<DataOptions> {
  RAZOR_OPTION(Nested<Dataset>, dataset, "the data source (digits, idx, cifar10, image_folder, file_list, ...)", required);
  RAZOR_OPTION(std::int64_t, batch_size, "training batch size (the last incomplete batch is dropped)", 64).positive();
  RAZOR_OPTION(std::int64_t, val_batch_size, "evaluation batch size", 256).positive();
  RAZOR_OPTION(std::string, validation,
               "where subnets are chosen and training is watched: 'auto' (the val split if the data set has one, else "
               "'split'), 'split' (hold out val_split of train), 'val', or 'test' (then nothing is held back for a final "
               "test)",
               "auto")
      .one_of({"auto", "split", "val", "test"});
  RAZOR_OPTION(double, val_split, "fraction of train held out when validating on a split", 0.2);
  RAZOR_OPTION(std::int64_t, split_seed, "seed of the train/validation split and of the subsets (fixed across runs by default)", 0);
  RAZOR_OPTION(std::vector<double>, mean,
               "per-channel mean subtracted from every batch of every split, after the pipelines (empty: none)", {});
  RAZOR_OPTION(std::vector<double>, std, "per-channel standard deviation every batch is then divided by", {}).positive();
  RAZOR_OPTION(NestedList<Transform>, train_pipeline,
               "transforms of each training sample, in order (random_crop, random_flip, normalize, ...)", "[]");
  RAZOR_OPTION(NestedList<Transform>, test_pipeline,
               "transforms of each validation, test and calibration sample (resize, center_crop, normalize, ...)", "[]");
  RAZOR_OPTION(std::int64_t, workers,
               "threads that read, decode and transform samples (-1: one per core, at most 8; 0: the training thread)", -1)
      .at_least(-1);
  RAZOR_OPTION(std::int64_t, prefetch, "batches prepared ahead of the one in use", 2).non_negative();
  RAZOR_OPTION(std::string, on_bad_image,
               "a sample that cannot be read: 'error' stops the run naming its file, 'skip' takes the next sample and logs it",
               "error")
      .one_of({"error", "skip"});
  RAZOR_OPTION(double, train_subset,
               "train on a seeded subset: a count (>= 1) or a fraction (< 1) of the training samples (0: all)", 0.0)
      .non_negative();
  RAZOR_OPTION(double, val_subset, "validate on a seeded subset: a count (>= 1) or a fraction (< 1) (0: all)", 0.0)
      .non_negative();
  void validate(const ConfigView& cfg) const;
};

struct PluginsOptions : Options<PluginsOptions> {
  RAZOR_OPTION(Table, sha256, "plugin file name = its SHA-256 (hex); a file on the search path with other contents is refused",
               "{}");
};

struct DistributedOptions : Options<DistributedOptions> {
  RAZOR_OPTION(std::string, backend, "c10d backend: gloo (CPU) or nccl (CUDA, where LibTorch has it)", "gloo")
      .one_of({"gloo", "nccl"});
  RAZOR_OPTION(std::int64_t, timeout_s,
               "how long a rank waits for the others (rendezvous, each collective) before failing", 300)
      .positive();
  RAZOR_OPTION(std::string, batch_norm_stats,
               "running statistics at evaluations and checkpoints: average (over ranks) or rank0 (rank 0's, as DDP)",
               "average")
      .one_of({"rank0", "average"});
  RAZOR_OPTION(double, bucket_mb, "gradients are all-reduced in flat buckets of about this size", 25.0).positive();
};

/// A host section of the config bound to its declared options.
std::shared_ptr<const TomlConfigView> section(const TomlConfigView& parent, const std::string& key,
                                              const std::vector<OptionInfo>& options);

/// Section `key` of `parent` read as S (its declared options, checked); `view` receives the bound view.
template <class S>
S read_section(const TomlConfigView& parent, const std::string& key,
               std::shared_ptr<const TomlConfigView>* view = nullptr) {
  auto bound = section(parent, key, S::option_infos());
  if (view) *view = bound;
  return S::read(*bound);
}

}  // namespace razor::host
