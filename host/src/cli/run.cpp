#include "cli/run.h"
#include <CLI/CLI.hpp>
#include "cli/verbs.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <set>
#include <sstream>
#include <thread>

#include <ATen/ATen.h>
#include <ATen/Context.h>
#include <ATen/Parallel.h>
#include <c10/core/GradMode.h>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <torch/script.h>

#include "config/config_loader.h"
#include "config/toml_config_view.h"
#include "config/unread_keys.h"
#include "parallel/group.h"
#include "parallel/model_sync.h"
#include "stages/calibrate/calibrate_options.h"
#include "stages/calibrate/calibrate_stage.h"
#include "stages/export/export_stage.h"
#include "stages/export/int8_check.h"
#include "session/session.h"
#include "razor/calibrated.h"
#include "razor/errors.h"
#include "razor/int8_exportable.h"
#include "razor/estimator.h"
#include "razor/model_weights.h"
#include "razor/torchscript_export.h"
#include "base/atomic_file.h"
#include "base/sealed_file.h"
#include "session/data_setup.h"
#include "base/logging.h"
#include "razor/searcher.h"
#include "razor/subnet_file.h"
#include "session/sections.h"
#include "session/source_subsets.h"
#include "base/stop_request.h"
#include "base/work_dir_lock.h"
#include "stages/search/search_stage.h"
#include "stages/export/export_options.h"
#include "stages/search/search_options.h"
#include "stages/train/train_options.h"
#include "stages/train/trainer.h"

namespace fs = std::filesystem;

namespace razor::host {
namespace {

c10::Device parse_device(const ConfigView& runtime, const std::string& configured, const std::string& cli) {
  const std::string text = cli.empty() ? configured : cli;
  const auto bad = [&](const std::string& why) {
    if (!cli.empty()) throw ConfigError(fmt::format("--device {}: {}", cli, why));
    runtime.fail("device", why);
  };
  if (text != "cpu" && text.rfind("cuda", 0) != 0) bad("expected cpu, cuda or cuda:N");
  c10::Device device(c10::kCPU);
  try {
    device = c10::Device(text);
  } catch (const c10::Error&) {
    bad("expected cpu, cuda or cuda:N");
  }
  if (device.is_cuda() && !at::hasCUDA()) bad("CUDA is not available in this LibTorch build or machine");
  return device;
}

std::string shape_text(at::IntArrayRef sizes) { return fmt::format("[{}]", fmt::join(sizes, ", ")); }

// The stages in their fixed order; each at most once.
std::vector<std::string> check_stages(const ConfigView& root, const std::vector<std::string>& stages) {
  static const std::vector<std::string> known{"calibrate", "train", "search", "export"};
  if (stages.empty()) root.fail("stages", "is empty; expected some of calibrate, train, search, export");
  std::size_t last = 0;
  for (std::size_t i = 0; i < stages.size(); ++i) {
    const auto at = std::find(known.begin(), known.end(), stages[i]) - known.begin();
    if (at == static_cast<std::ptrdiff_t>(known.size()))
      root.fail("stages", fmt::format("unknown stage '{}' (known: calibrate, train, search, export)", stages[i]));
    if (i > 0 && static_cast<std::size_t>(at) <= last)
      root.fail("stages", "stages run in the order calibrate, train, search, export, each at most once");
    last = static_cast<std::size_t>(at);
  }
  return stages;
}

bool has_stage(const std::vector<std::string>& stages, const char* stage) {
  return std::find(stages.begin(), stages.end(), stage) != stages.end();
}

// Model weights (runtime.load_from): a model.pt of razor's, e.g. a trained supernet to search, or a
// PyTorch state_dict. Returns the line the log gives it.
std::string load_model(Model& model, const RuntimeOptions& rt, const ConfigView& runtime) {
  const KeyMap keys = read_key_map(*rt.load_keys);
  try {
    return load_weights(model, rt.load_from, keys).summary();
  } catch (const Error& e) {
    runtime.fail("load_from", e.what());
  }
}

// Phase 1 of a run: the config composed, every part of it checked, and the algorithm, estimator,
// searcher and data built. Nothing is written while a plan is made.
struct RunPlan {
  explicit RunPlan(const RunOptions& options);

  Session session;
  const TomlConfigView* root;
  RootOptions root_options;
  std::vector<std::string> stages;
  bool calibrate_stage, train_stage, search_stage, export_stage;
  std::shared_ptr<const TomlConfigView> runtime;
  RuntimeOptions rt;
  std::string weights_loaded;  // what runtime.load_from loaded, for the log
  std::int64_t threads;
  // Multi-process: where this process stands comes from the environment (torchrun's variables, or
  // razor-host launch), how the ranks work together from [distributed].
  std::optional<World> world;
  bool parallel;
  DistributedOptions dist;
  BufferSync buffer_sync;
  std::shared_ptr<Algorithm> algorithm;
  std::shared_ptr<Estimator> estimator;
  CalibrateOptions calibrating;
  TrainOptions train;
  SearchOptions search;
  ExportOptions exporting;
  std::shared_ptr<const TomlConfigView> search_view, export_view;
  Mutator* mutator;
  bool has_choices;
  bool single_subnet;  // a pruned model (every group has one choice): trained as it is, no search needed
  std::shared_ptr<Searcher> searcher;
  ScoringOptions scoring;
  std::optional<LatencyTable> latency_table;
  std::optional<Subnet> export_subnet;
  SpeedSetup speed;
  DataSetup data;
  TrainerSetup setup;

 private:
  void read_runtime(const RunOptions& options);
  void check_calibration() const;
  void check_search_and_export(const RunOptions& options);
  void prepare_training();
  void check_model_accepts_data() const;
  void check_model_exports() const;
};

RunPlan::RunPlan(const RunOptions& options)
    : session({options.config, options.overrides, options.plugin_paths}), root(&session.root()) {
  root_options = RootOptions::read(*root);
  stages = check_stages(*root, root_options.stages);
  calibrate_stage = has_stage(stages, "calibrate");
  train_stage = has_stage(stages, "train");
  search_stage = has_stage(stages, "search");
  export_stage = has_stage(stages, "export");
  read_runtime(options);

  at::manual_seed(session.settings().seed);  // model initialisation is part of the run's seeded state
  algorithm = session.build_algorithm();
  if (!rt.load_from.empty()) weights_loaded = load_model(algorithm->model(), rt, *runtime);
  estimator = session.build_estimator();
  train = read_section<TrainOptions>(*root, "train");
  calibrating = read_section<CalibrateOptions>(*root, "calibrate");
  check_calibration();
  check_search_and_export(options);
  prepare_training();
  check_all_keys_read(*session.document());
  check_model_accepts_data();
  check_model_exports();
}

void RunPlan::read_runtime(const RunOptions& options) {
  RunSettings& settings = session.settings();
  rt = read_section<RuntimeOptions>(*root, "runtime", &runtime);
  settings.seed = static_cast<std::uint64_t>(rt.seed);
  settings.device = parse_device(*runtime, rt.device, options.device);
  threads = rt.threads;
  world = world_from_env();
  parallel = world && world->size > 1;
  std::shared_ptr<const TomlConfigView> dist_view;
  dist = read_section<DistributedOptions>(*root, "distributed", &dist_view);
  if (parallel && !backend_available(dist.backend))
    dist_view->fail("backend", fmt::format("this LibTorch build has no {} (a CPU-only build); use gloo", dist.backend));
  if (parallel && dist.backend == "nccl" && !settings.device.is_cuda())
    dist_view->fail("backend", "nccl runs on CUDA devices; set runtime.device = 'cuda' or use gloo");
  buffer_sync = parse_buffer_sync(dist.batch_norm_stats);
  // All cores, shared among the processes of this machine.
  if (threads == 0) threads = std::max(1, static_cast<int>(std::thread::hardware_concurrency()) / (world ? world->local_size : 1));
  if (parallel && world->rank != 0) settings.logger->set_level(spdlog::level::warn);  // rank 0 speaks for all
  if (parallel && settings.device.is_cuda()) {  // one GPU per process of a machine
    settings.device = c10::Device(c10::kCUDA, static_cast<c10::DeviceIndex>(world->local_rank));
  }
}

// Calibration is for algorithms that calibrate; an int8 export needs scales from somewhere.
void RunPlan::check_calibration() const {
  const auto* calibrated = dynamic_cast<const Calibrated*>(algorithm.get());
  if (calibrate_stage && !(calibrated && calibrated->calibrates()))
    root->fail("stages", "the calibrate stage needs an algorithm that calibrates (e.g. quantize)");
  if (export_stage && !calibrate_stage && !train_stage && rt.load_from.empty() &&
      dynamic_cast<Int8Exportable*>(&algorithm->model()))
    root->fail("stages", "an int8 export needs the model's scales: add the calibrate stage (or train, or "
                         "runtime.load_from a quantized model.pt)");
}

// Search and export: what they need is checked now, not after training.
void RunPlan::check_search_and_export(const RunOptions& options) {
  search = read_section<SearchOptions>(*root, "search", &search_view);
  exporting = read_section<ExportOptions>(*root, "export", &export_view);
  mutator = algorithm->mutator();
  has_choices = mutator && !mutator->groups().empty();
  single_subnet = has_choices && space_size(mutator->groups()) == 1;
  scoring = {search.calibrate_samples, search.norm_training};
  if (search_stage && !has_choices)
    root->fail("stages", "the search stage needs an algorithm whose model has choices (e.g. spos)");
  // Built (and so checked) whenever configured, even for a run without the search stage.
  if (search_stage || search_view->has("searcher")) searcher = session.build(search.searcher);
  if (const std::string& file = search.latency_table; !file.empty()) {
    if (!has_choices) search_view->fail("latency_table", "the model has no choices, so no subnet to predict");
    if (!std::filesystem::is_regular_file(file))
      search_view->fail("latency_table", fmt::format("no such file '{}' (build it with: razor-host latency-table {})", file,
                                                     options.config));
    latency_table = load_latency_table(file, mutator->groups());
  }
  speed.batches = exporting.speed_batches;
  speed.runs = exporting.speed_runs;
  speed.estimator = estimator.get();
  speed.build_original = [this] { return session.build_algorithm(); };
  if (const std::string& file = exporting.subnet; !file.empty()) {
    if (!has_choices) export_view->fail("subnet", "the model has no choices left to fix");
    export_subnet = load_subnet(file, mutator->groups());
  } else if (export_stage && has_choices && !search_stage && !single_subnet) {
    root->fail("stages", "export needs a subnet: add the search stage or set export.subnet");
  }
}

// Data (loading may fail on bad files: DataError, still before anything is written), the optimizer
// and the schedule.
void RunPlan::prepare_training() {
  data = session.data();
  setup.train = std::move(data.train);
  setup.val = std::move(data.val);
  if (parallel && train_stage) {
    try {
      setup.train->shard(world->rank, world->size);
    } catch (const Error& e) {
      session.section("data", DataOptions::option_infos())->fail("batch_size", e.what());
    }
  }
  if (latency_table &&
      !std::equal(latency_table->input.begin(), latency_table->input.end(), data.image_shape.begin() + 1, data.image_shape.end()))
    search_view->fail("latency_table", fmt::format("the table was measured for images [{}], the data has [{}]",
                                                   fmt::join(latency_table->input, ", "),
                                                   fmt::join(data.image_shape.begin() + 1, data.image_shape.end(), ", ")));

  algorithm->to(session.settings().device);
  const auto optimizer = session.build(root_options.optimizer);
  setup.optimizer = optimizer->create(algorithm->parameters());
  setup.schedule = session.build(root_options.schedule);
  std::int64_t per_epoch = setup.train->batches_per_epoch();
  if (train.max_steps > 0) per_epoch = std::min(per_epoch, train.max_steps);
  setup.span = {optimizer->lr(), per_epoch, per_epoch * train.epochs};
}

// The model must accept the data: one forward (eval mode, no gradients) on one validation image.
void RunPlan::check_model_accepts_data() const {
  const at::Tensor probe = setup.val->batch(0, 0).inputs.narrow(0, 0, 1);
  try {
    c10::NoGradGuard no_grad;
    algorithm->eval();
    at::Tensor logits = algorithm->predict(probe.to(session.settings().device));
    algorithm->train();
    const auto max_label = data.max_label;
    if (logits.dim() != 2 || logits.size(1) <= max_label) {
      throw Error(fmt::format("{}: the model gives logits of shape {} but the labels go up to {}",
                              root->where("algorithm"), shape_text(logits.sizes()), max_label));
    }
  } catch (const c10::Error& e) {
    const std::string what = e.what_without_backtrace();
    throw Error(fmt::format("{}: the model does not accept images of shape {}: {}", root->where("algorithm"),
                            shape_text(probe.sizes()), what.substr(0, what.find('\n'))));
  }
}

// The export's TorchScript, made once on a probe before any training: a model that can be neither
// written from its source nor traced is refused now, not after the training and search.
void RunPlan::check_model_exports() const {
  if (!export_stage || !exporting.torchscript || has_choices) return;
  const at::Tensor probe = setup.val->batch(0, 0).inputs.narrow(0, 0, 1).to(session.settings().device);
  try {
    to_torchscript(algorithm->model(), probe);
  } catch (const Error& e) {
    export_view->fail("torchscript", fmt::format("the model cannot be exported (tried before training): {}", e.what()));
  }
}

// Phase 2: the work dir, locked, with the composed config and the log file (rank 0 only: `writes`).
// Writes the composed config as the work dir's config.toml; resuming with another one keeps the old
// one as config.previous.toml and says so.
void record_config(const RunPlan& plan, const std::string& work_dir, bool resumed) {
  std::ostringstream composed;
  composed << plan.session.document()->root << '\n';
  const std::string config_file = work_dir + "/config.toml";
  if (resumed && fs::exists(config_file)) {
    std::ifstream before(config_file);
    const std::string previous((std::istreambuf_iterator<char>(before)), std::istreambuf_iterator<char>());
    if (previous != composed.str()) {
      plan.session.settings().logger->warn("warning: the config differs from the one this work dir was started with; "
                                           "resuming with the new one (the old one is kept as config.previous.toml)");
      write_file_atomically(work_dir + "/config.previous.toml", previous);
    }
  }
  write_file_atomically(config_file, composed.str());
}

std::string open_work_dir(const RunOptions& options, const RunPlan& plan, bool writes,
                          std::optional<WorkDirLock>& lock) {
  const std::string work_dir =
      options.work_dir.empty() ? "work_dirs/" + fs::path(options.config).stem().string() : options.work_dir;
  // A work dir another run is using is refused first (that run may not have checkpointed yet).
  if (writes && fs::is_directory(work_dir)) lock.emplace(work_dir);
  // A run that saved something is not overwritten by accident (its log and metrics would be truncated);
  // one that died before saving anything starts over.
  if (writes && !options.resume) {
    for (const char* file : {"checkpoints/latest.pt", "model.pt", "search/state.pt", "export/report.toml"}) {
      if (fs::exists(work_dir + "/" + file)) {
        throw ConfigError(fmt::format("{}: holds a run already (its {}); continue it with --resume, or choose another "
                                      "--work-dir", work_dir, file));
      }
    }
  }
  if (options.resume && !fs::exists(work_dir + "/checkpoints/latest.pt") && !fs::exists(work_dir + "/search/state.pt")) {
    throw Error(fmt::format("--resume: {}/checkpoints/latest.pt does not exist", work_dir));
  }
  // A damaged checkpoint is refused before anything in the work dir changes.
  if (options.resume && fs::exists(work_dir + "/checkpoints/latest.pt")) read_sealed(work_dir + "/checkpoints/latest.pt", "checkpoint");
  if (!writes) return work_dir;
  fs::create_directories(work_dir);
  if (!lock) lock.emplace(work_dir);  // before anything in it is written
  add_file_log(*plan.session.settings().logger, work_dir + "/log.txt", options.resume);
  if (!options.resume) record_config(plan, work_dir, false);  // a resumed run's, once its checkpoint has loaded
  return work_dir;
}

// What the run is about to do, for the log.
void log_start(const RunOptions& options, const RunPlan& p, const std::string& work_dir, const Group* group) {
  auto& log = *p.session.settings().logger;
  log.info("razor-host {} ({}), config {}", RAZOR_VERSION, sdk_build_tag(), options.config);
  log.info("work dir {}; device {}; threads {}; seed {}; stages {}", work_dir, p.session.settings().device.str(),
           at::get_num_threads(), p.session.settings().seed, fmt::join(p.stages, ", "));
  log.info("data: {}", p.data.description);
  if (!p.weights_loaded.empty()) log.info("weights: {}", p.weights_loaded);
  if (group) {
    log.info("data parallel: {} processes ({}, rendezvous {}:{}), {} threads each; each takes 1/{} of every batch; "
             "batch-norm statistics: {}", p.world->size, p.dist.backend, p.world->master_addr, p.world->master_port,
             at::get_num_threads(), p.world->size, p.dist.batch_norm_stats);
  }
  if (p.has_choices) {
    log.info("search space: {} groups, {:.4g} subnets; the current path: {}", p.mutator->groups().size(),
             space_size(p.mutator->groups()), subnet_text(p.mutator->current()));
  }
  if (p.estimator) {
    auto costs = p.estimator->estimate(p.algorithm->model(), p.data.image_shape);
    std::vector<std::string> parts;
    for (const auto& [name, value] : costs) parts.push_back(fmt::format("{} {:.0f} ({})", name, value, si_text(value)));
    log.info("model costs per image{}: {}", p.has_choices ? " (the current path)" : "", fmt::join(parts, ", "));
  }
}

// Phase 3: the stages, in order.
void run_stages(const RunOptions& options, RunPlan& p, const std::string& work_dir, bool writes, Group* group) {
  const RunSettings& settings = p.session.settings();
  auto& log = *settings.logger;
  // The trainer owns the loaders; it lives as long as the later stages use the validation one.
  const BatchLoader& val_loader = *p.setup.val;
  std::optional<Trainer> trainer;
  if (p.train_stage) {
    TrainerSetup& setup = p.setup;
    setup.algorithm = p.algorithm;
    setup.epochs = p.train.epochs;
    setup.val_interval = p.train.val_interval;
    setup.log_interval = p.rt.log_interval;
    setup.checkpoint_interval = p.rt.checkpoint_interval;
    setup.device = settings.device;
    setup.work_dir = work_dir;
    setup.logger = settings.logger;
    setup.group = group;
    setup.buffer_sync = p.buffer_sync;
    setup.bucket_bytes = static_cast<std::int64_t>(p.dist.bucket_mb * (1 << 20));
    trainer.emplace(std::move(setup));
    if (options.resume && fs::exists(work_dir + "/checkpoints/latest.pt")) trainer->resume();
  }
  if (writes && options.resume) record_config(p, work_dir, true);  // the checkpoint has loaded
  if (p.calibrate_stage) {
    if (trainer && trainer->resumed()) {
      log.info("calibrate: skipped (the resumed checkpoint holds what calibration found)");
    } else {
      run_calibration(*dynamic_cast<Calibrated*>(p.algorithm.get()), *p.data.calibration, p.calibrating.samples,
                      settings.device, log);
    }
  }
  if (trainer) {
    trainer->run();
    if (writes) {
      save_weights(p.algorithm->model(), work_dir + "/model.pt");
      log.info("final model weights: {}/model.pt", work_dir);
    }
  }

  std::optional<SubnetScorer> scorer;
  std::unique_ptr<BatchLoader> score_loader;  // search.score_samples of the validation samples
  if (p.has_choices && (p.search_stage || p.export_stage)) {
    if (const std::int64_t n = p.search.score_samples; n > 0 && n < val_loader.num_samples()) {
      score_loader = val_loader.with_source(seeded_subset(val_loader.source_ptr(), static_cast<double>(n),
                                                          mix_seed(settings.seed, 0x5c0e)));
      log.info("search: subnets are scored on {} of the {} validation samples", n, val_loader.num_samples());
    }
    scorer.emplace(*p.algorithm, score_loader ? *score_loader : val_loader, *p.data.calibration, p.scoring,
                   settings.device);
  }
  if (p.search_stage) {
    SearchSetup search;
    search.algorithm = p.algorithm.get();
    search.searcher = p.searcher.get();
    search.estimator = p.estimator.get();
    search.latency = p.latency_table ? &*p.latency_table : nullptr;
    search.scorer = &*scorer;
    search.image_shape = p.data.image_shape;
    search.work_dir = work_dir;
    search.resume = options.resume;
    search.logger = &log;
    search.group = group;
    const Candidate best = run_search(search);
    if (!p.export_subnet) p.export_subnet = best.subnet;
  }
  if (p.export_stage && writes) {  // rank 0 exports; the others are done
    if (const int signal = stop_requested())
      throw Interrupted(signal, fmt::format("{} before the export: nothing exported; continue with --resume", signal_name(signal)));
    ExportSetup ex;
    ex.algorithm = p.algorithm.get();
    ex.estimator = p.estimator.get();
    // Its batch-norm statistics were trained for this width: no recalibration.
    if (!p.export_subnet && p.single_subnet) p.export_subnet = p.mutator->current();
    ex.scorer = scorer && !p.single_subnet ? &*scorer : nullptr;
    ex.subnet = p.export_subnet;
    ex.val = &val_loader;
    ex.check_samples = p.exporting.check_samples;
    ex.torchscript = p.exporting.torchscript;
    ex.inference = p.exporting.inference;
    ex.inference_layout = p.exporting.inference_layout;
    ex.int8_agreement = p.exporting.int8_agreement;
    ex.int8_top1_gap = p.exporting.int8_top1_gap;
    if (!p.speed.batches.empty()) ex.layout_batches = p.speed.batches;
    ex.image_shape = p.data.image_shape;
    ex.input = p.data.input;
    p.speed.image_shape = p.data.image_shape;
    ex.device = settings.device;
    ex.work_dir = work_dir;
    ex.logger = &log;
    if (!p.speed.batches.empty()) ex.speed = p.speed;
    const ExportReport r = run_export(ex);
    if (p.export_subnet) log.info("result: subnet {}", subnet_text(*p.export_subnet));
    log.info("result: validation top-1 {:.2f}% ({}), {}; files in {}/export", r.top1, p.data.val_from,
             r.costs.empty() ? si_text(r.params) + " parameters" : costs_text(r.costs), work_dir);
  }
  // The test split, once, at the end: never seen by training, search or pruning choices.
  if (writes && p.data.test && (!p.has_choices || p.export_stage)) {
    // An int8 export is tested as the file it wrote, its simulation beside it.
    const std::string int8_file = work_dir + "/export/inference.pt";
    if (p.export_stage && dynamic_cast<Int8Exportable*>(&p.algorithm->model()) && fs::exists(int8_file)) {
      torch::jit::Module int8 = torch::jit::load(int8_file, c10::Device(c10::kCPU));
      const Int8Check test = compare_int8(*p.algorithm, int8, *p.data.test, settings.device);
      log.info("result: test top-1 {:.2f}% of the int8 inference.pt (simulated {:.2f}%) on the {} test samples "
               "(evaluated once; choices were made on {})", test.top1_int8, test.top1_simulated, test.images,
               p.data.val_from);
      return;
    }
    const Accuracy test = evaluate(*p.algorithm, *p.data.test, settings.device);
    log.info("result: test top-1 {:.2f}% top-5 {:.2f}% on the {} test samples of the {} model (evaluated once; "
             "choices were made on {})", test.top1, test.top5, p.data.test->num_samples(),
             p.export_stage ? "exported" : "trained", p.data.val_from);
  }
}

}  // namespace

void run_command(const RunOptions& options) {
  // 1. Compose and check everything; nothing is written before the config is known to be good.
  RunPlan plan(options);

  // 2. Meet the other ranks (they have checked the same config), then write the work dir (rank 0) and run.
  std::unique_ptr<Group> group;
  if (plan.parallel) {
    group = std::make_unique<Group>(*plan.world, plan.dist.backend, std::chrono::seconds(plan.dist.timeout_s));
    broadcast_module(*group, *plan.algorithm);  // every rank starts from rank 0's weights
  }
  const bool writes = !group || group->rank() == 0;
  std::optional<WorkDirLock> lock;
  const std::string work_dir = open_work_dir(options, plan, writes, lock);
  at::set_num_threads(static_cast<int>(plan.threads));
  auto& log = *plan.session.settings().logger;
  // What ends the run is printed by main; the log file gets the same line.
  try {
    log_start(options, plan, work_dir, group.get());
    // 3. The stages.
    stages_begin();  // a stop signal is now a request the stages honour
    run_stages(options, plan, work_dir, writes, group.get());
  } catch (const Interrupted& e) {
    log_to_file(log, fmt::format("stopped: {}", e.what()));
    throw;
  } catch (const std::exception& e) {
    log_to_file(log, "error: " + error_line(e));
    throw;
  }
}

void add_run_options(CLI::App* cmd, RunOptions& run) {
  cmd->add_option("config", run.config, "TOML config file")->required();
  cmd->add_option("--set", run.overrides, "override a value in TOML syntax: --set train.epochs=3");
  cmd->add_option("--work-dir", run.work_dir, "output folder (default work_dirs/<config name>)")
      ->check([](const std::string& dir) { return dir.empty() ? std::string("expected a folder, got an empty name") : std::string(); });
  cmd->add_flag("--resume", run.resume, "continue from the work dir's latest checkpoint");
  cmd->add_option("--device", run.device, "cpu, cuda or cuda:N (overrides runtime.device)");
}

void cli::add_run(CLI::App& app, const Globals& globals, Action& action) {
  auto run = std::make_shared<RunOptions>();
  auto* cmd = app.add_subcommand("run", "compose CONFIG and run its stages in a work dir");
  add_run_options(cmd, *run);
  cmd->callback([&action, &globals, run] {
    action = [&globals, run] {
      run->plugin_paths = globals.plugin_paths;
      install_stop_handlers();
      run_command(*run);
      return 0;
    };
  });
}

}  // namespace razor::host
