#include "run/sections.h"

namespace razor::host::sections {

const std::vector<OptionInfo>& root() {
  static const std::vector<OptionInfo> o{
      {"stages", "string[]", "['train']", "what `run` does, in this order: train, search, export (any subset)"},
      {"runtime", "table", "{}", "seed, threads, device, logging and checkpoint intervals"},
      {"data", "table", nullptr, "the dataset and how it is batched, split and augmented"},
      {"algorithm", "algorithm", nullptr, "what is trained (e.g. classifier)"},
      {"optimizer", "table", "{}", "optimizer type and hyper-parameters"},
      {"schedule", "table", "{}", "learning-rate schedule"},
      {"train", "table", "{}", "epochs and validation interval"},
      {"search", "table", "{}", "the search stage: searcher, batch-norm handling while scoring"},
      {"export", "table", "{}", "the export stage: which subnet, equivalence check, TorchScript"},
      {"plugins", "table", "{}", "checks on the plugins this run may load"},
      {"distributed", "table", "{}", "multi-process data parallel: backend, timeout, batch-norm statistics"},
      {"estimator", "estimator", nullptr,
       "(optional) resource estimator: logged at start, search constraints, export report (e.g. flops)"},
  };
  return o;
}

const std::vector<OptionInfo>& runtime() {
  static const std::vector<OptionInfo> o{
      {"seed", "int", "0", "seed of every random generator of the run"},
      {"threads", "int", "0", "LibTorch intra-op threads; 0 = all cores"},
      {"device", "string", "'cpu'", "cpu, cuda or cuda:N (--device overrides)"},
      {"log_interval", "int", "20", "log a training line every this many steps"},
      {"checkpoint_interval", "int", "0", "also checkpoint every this many steps (0: only at epoch ends)"},
      {"load_from", "string", "''", "model weights (a model.pt) loaded before the first stage, e.g. to search a trained supernet"},
  };
  return o;
}

const std::vector<OptionInfo>& data() {
  static const std::vector<OptionInfo> o{
      {"dataset", "dataset", nullptr, "the data source (digits, idx, cifar10, ...)"},
      {"batch_size", "int", "64", "training batch size (the last incomplete batch is dropped)"},
      {"val_batch_size", "int", "256", "evaluation batch size"},
      {"validation", "string", "'auto'",
       "'split': hold out val_split of train; 'test': the test split; 'auto': test if the source has one"},
      {"val_split", "float", "0.2", "fraction of train held out when validating on a split"},
      {"split_seed", "int", "0", "seed of the train/validation split (fixed across runs by default)"},
      {"mean", "float[]", "[]", "per-channel mean subtracted from images (empty: none)"},
      {"std", "float[]", "[]", "per-channel standard deviation images are divided by"},
      {"augment", "table", "{}", "training augmentations"},
  };
  return o;
}

const std::vector<OptionInfo>& augment() {
  static const std::vector<OptionInfo> o{
      {"crop_padding", "int", "0", "random crop after zero-padding by this many pixels (0: off)"},
      {"horizontal_flip", "bool", "false", "flip half of the training images left-right"},
  };
  return o;
}

const std::vector<OptionInfo>& optimizer() {
  static const std::vector<OptionInfo> o{
      {"type", "string", "'sgd'", "sgd, adam or adamw"},
      {"lr", "float", "0.1", "base learning rate"},
      {"weight_decay", "float", "0.0005", "L2 penalty (decoupled for adamw)"},
      {"momentum", "float", "0.9", "sgd only"},
      {"nesterov", "bool", "false", "sgd only: Nesterov momentum"},
      {"betas", "float[]", "[0.9, 0.999]", "adam/adamw only"},
      {"eps", "float", "1e-8", "adam/adamw only"},
  };
  return o;
}

const std::vector<OptionInfo>& schedule() {
  static const std::vector<OptionInfo> o{
      {"type", "string", "'cosine'", "constant, step or cosine (per step)"},
      {"warmup_epochs", "float", "0.0", "linear warm-up length in epochs (fractions allowed)"},
      {"warmup_start_factor", "float", "0.1", "warm-up starts at this fraction of the rate"},
      {"milestones", "int[]", "[]", "step only: epochs at which the rate is multiplied by gamma"},
      {"gamma", "float", "0.1", "step only: decay factor"},
      {"min_lr", "float", "0.0", "cosine only: final learning rate"},
  };
  return o;
}

const std::vector<OptionInfo>& train() {
  static const std::vector<OptionInfo> o{
      {"epochs", "int", "10", "training epochs"},
      {"val_interval", "int", "1", "validate every this many epochs (and after the last)"},
  };
  return o;
}

const std::vector<OptionInfo>& search() {
  static const std::vector<OptionInfo> o{
      {"searcher", "searcher", "{ type = 'evolution' }", "proposes the subnets to score"},
      {"calibrate_samples", "int", "1024",
       "recalibrate batch-norm statistics on this many training images before scoring each subnet (0: off)"},
      {"norm_training", "bool", "false", "score with batch statistics instead (the alternative to calibration)"},
      {"latency_table", "string", "''",
       "a table from `razor-host latency-table`: adds the cost latency_ms (predicted) for constraints and targets"},
  };
  return o;
}

const std::vector<OptionInfo>& plugins() {
  static const std::vector<OptionInfo> o{
      {"sha256", "table", "{}",
       "plugin file name = its SHA-256 (hex); a file on the search path with other contents is refused"},
  };
  return o;
}

const std::vector<OptionInfo>& export_() {
  static const std::vector<OptionInfo> o{
      {"subnet", "string", "''", "subnet.toml to export; empty: the search stage's result"},
      {"check_samples", "int", "16", "validation images the equivalence check compares outputs on"},
      {"torchscript", "bool", "true", "also write export/subnet.pt (TorchScript, loadable by Python)"},
      {"inference", "bool", "true",
       "with torchscript: also export/inference.pt, frozen, batch norm folded into the convolutions"},
      {"inference_layout", "string", "'auto'",
       "memory layout of inference.pt: contiguous, channels_last, or auto (both timed at speed_batches, the faster kept)"},
      {"speed_batches", "int[]", "[1, 64]",
       "after a search or pruning, time the export against the original at these batch sizes ([] = off)"},
      {"speed_runs", "int", "20", "timed calls per model and batch size for that report"},
  };
  return o;
}

const std::vector<OptionInfo>& distributed() {
  static const std::vector<OptionInfo> o{
      {"backend", "string", "'gloo'", "c10d backend: gloo (CPU) or nccl (CUDA, where LibTorch has it)"},
      {"timeout_s", "int", "300", "how long a rank waits for the others (rendezvous, each collective) before failing"},
      {"batch_norm_stats", "string", "'average'",
       "running statistics at evaluations and checkpoints: average (over ranks) or rank0 (rank 0's, as DDP)"},
      {"bucket_mb", "float", "25.0", "gradients are all-reduced in flat buckets of about this size"},
  };
  return o;
}

}  // namespace razor::host::sections
