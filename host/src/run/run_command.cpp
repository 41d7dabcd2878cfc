#include "run/run_command.h"

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

#include "config/config_loader.h"
#include "config/toml_config_view.h"
#include "config/unread_keys.h"
#include "dist/group.h"
#include "dist/model_sync.h"
#include "export/export_stage.h"
#include "plugins/host_context.h"
#include "plugins/load_registry.h"
#include "plugins/loaded_plugin.h"
#include "razor/errors.h"
#include "razor/estimator.h"
#include "razor/model_weights.h"
#include "run/atomic_file.h"
#include "run/data_setup.h"
#include "run/logging.h"
#include "razor/searcher.h"
#include "razor/subnet_file.h"
#include "run/sections.h"
#include "run/stop_request.h"
#include "run/work_dir_lock.h"
#include "search/search_stage.h"
#include "train/optimizer_factory.h"
#include "train/trainer.h"

namespace fs = std::filesystem;

namespace razor::host {
namespace {

c10::Device parse_device(const ConfigView& runtime, const std::string& cli) {
  const std::string text = cli.empty() ? runtime.get<std::string>("device") : cli;
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

// [plugins.sha256]: every pinned file must be on the search path; its hash is checked as it loads.
PluginPins read_pins(const TomlConfigView& root, const std::vector<std::string>& plugin_paths) {
  const auto plugins = section(root, "plugins", sections::plugins());
  const auto table = plugins->table("sha256");
  PluginPins pins;
  std::set<std::string> found;
  for (const auto& file : find_plugin_files(plugin_search_path(plugin_paths)))
    found.insert(fs::path(file).filename().string());
  for (const auto& name : table->keys()) {
    std::string hex = table->get_string(name);
    std::transform(hex.begin(), hex.end(), hex.begin(), [](unsigned char c) { return std::tolower(c); });
    if (hex.size() != 64 || hex.find_first_not_of("0123456789abcdef") != std::string::npos)
      table->fail(name, "expected a SHA-256 digest: 64 hexadecimal digits");
    if (!found.count(name)) table->fail(name, "no plugin file of this name on the plugin search path");
    pins[name] = hex;
  }
  return pins;
}

// The stages in their fixed order; each at most once.
std::vector<std::string> read_stages(const ConfigView& root) {
  static const std::vector<std::string> known{"train", "search", "export"};
  const auto stages = root.get<std::vector<std::string>>("stages");
  if (stages.empty()) root.fail("stages", "is empty; expected some of train, search, export");
  std::size_t last = 0;
  for (std::size_t i = 0; i < stages.size(); ++i) {
    const auto at = std::find(known.begin(), known.end(), stages[i]) - known.begin();
    if (at == static_cast<std::ptrdiff_t>(known.size()))
      root.fail("stages", fmt::format("unknown stage '{}' (known: train, search, export)", stages[i]));
    if (i > 0 && static_cast<std::size_t>(at) <= last)
      root.fail("stages", "stages run in the order train, search, export, each at most once");
    last = static_cast<std::size_t>(at);
  }
  return stages;
}

bool has_stage(const std::vector<std::string>& stages, const char* stage) {
  return std::find(stages.begin(), stages.end(), stage) != stages.end();
}

// Model weights from a model.pt (runtime.load_from), e.g. a trained supernet to search.
void load_model(Model& model, const ConfigView& runtime) {
  try {
    load_weights(model, runtime.get<std::string>("load_from"));
  } catch (const Error& e) {
    runtime.fail("load_from", e.what());
  }
}

}  // namespace

void run_command(const RunOptions& options) {
  // 1. Compose and check everything; nothing is written before the config is known to be good.
  auto doc = load_config(options.config, options.overrides);
  auto root = TomlConfigView(doc).bind(&sections::root(), "host config");
  auto registry = load_registry(options.plugin_paths, nullptr, read_pins(*root, options.plugin_paths));
  const auto stages = read_stages(*root);
  const bool train_stage = has_stage(stages, "train"), search_stage = has_stage(stages, "search"),
             export_stage = has_stage(stages, "export");

  auto runtime = section(*root, "runtime", sections::runtime());
  RunSettings settings;
  settings.seed = static_cast<std::uint64_t>(runtime->get<std::int64_t>("seed"));
  settings.device = parse_device(*runtime, options.device);
  settings.logger = make_logger();
  std::int64_t threads = runtime->get<std::int64_t>("threads");
  if (threads < 0) runtime->fail("threads", "must be 0 (all cores) or positive");
  const auto log_interval = runtime->get<std::int64_t>("log_interval");
  // Multi-process: where this process stands comes from the environment (torchrun's variables, or
  // razor-host launch), how the ranks work together from [distributed].
  const std::optional<World> world = world_from_env();
  const bool parallel = world && world->size > 1;
  auto dist_view = section(*root, "distributed", sections::distributed());
  const auto backend = dist_view->get<std::string>("backend");
  if (backend != "gloo" && backend != "nccl") dist_view->fail("backend", fmt::format("expected gloo or nccl, got '{}'", backend));
  if (parallel && !backend_available(backend))
    dist_view->fail("backend", fmt::format("this LibTorch build has no {} (a CPU-only build); use gloo", backend));
  if (parallel && backend == "nccl" && !settings.device.is_cuda())
    dist_view->fail("backend", "nccl runs on CUDA devices; set runtime.device = 'cuda' or use gloo");
  const auto timeout_s = dist_view->get<std::int64_t>("timeout_s");
  if (timeout_s <= 0) dist_view->fail("timeout_s", "must be positive");
  BufferSync buffer_sync{};
  try {
    buffer_sync = parse_buffer_sync(dist_view->get<std::string>("batch_norm_stats"));
  } catch (const Error& e) {
    dist_view->fail("batch_norm_stats", e.what());
  }
  const auto bucket_mb = dist_view->get<double>("bucket_mb");
  if (!(bucket_mb > 0)) dist_view->fail("bucket_mb", "must be positive");
  // All cores, shared among the processes of this machine.
  if (threads == 0) threads = std::max(1, static_cast<int>(std::thread::hardware_concurrency()) / (world ? world->local_size : 1));
  if (parallel && world->rank != 0) settings.logger->set_level(spdlog::level::warn);  // rank 0 speaks for all
  if (parallel && settings.device.is_cuda()) {  // one GPU per process of a machine
    settings.device = c10::Device(c10::kCUDA, static_cast<c10::DeviceIndex>(world->local_rank));
  }
  const auto checkpoint_interval = runtime->get<std::int64_t>("checkpoint_interval");

  HostContext ctx(*registry, root, settings);
  at::manual_seed(settings.seed);  // model initialisation is part of the run's seeded state
  auto algorithm = ctx.build<Algorithm>("algorithm");
  if (!runtime->get<std::string>("load_from").empty()) load_model(algorithm->model(), *runtime);
  std::shared_ptr<Estimator> estimator;
  if (root->has("estimator")) estimator = ctx.build<Estimator>("estimator");

  auto train_view = section(*root, "train", sections::train());
  const auto epochs = train_view->get<std::int64_t>("epochs");
  const auto val_interval = train_view->get<std::int64_t>("val_interval");
  if (epochs <= 0) train_view->fail("epochs", "must be positive");
  if (val_interval <= 0) train_view->fail("val_interval", "must be positive");

  // Search and export: what they need is checked now, not after training.
  auto search_view = section(*root, "search", sections::search());
  auto export_view = section(*root, "export", sections::export_());
  Mutator* mutator = algorithm->mutator();
  const bool has_choices = mutator && !mutator->groups().empty();
  // A pruned model (every group has one choice) has one subnet, trained as it is: no search needed.
  const bool single_subnet = has_choices && space_size(mutator->groups()) == 1;
  std::shared_ptr<Searcher> searcher;
  ScoringOptions scoring{search_view->get<std::int64_t>("calibrate_samples"), search_view->get<bool>("norm_training")};
  if (scoring.calibrate_samples < 0) search_view->fail("calibrate_samples", "must be 0 (off) or positive");
  if (search_stage && !has_choices)
    root->fail("stages", "the search stage needs an algorithm whose model has choices (e.g. spos)");
  // Built (and so checked) whenever configured, even for a run without the search stage.
  if (search_stage || search_view->has("searcher"))
    searcher = HostContext(*registry, search_view, settings).build<Searcher>("searcher");
  std::optional<LatencyTable> latency_table;
  if (const auto file = search_view->get<std::string>("latency_table"); !file.empty()) {
    if (!has_choices) search_view->fail("latency_table", "the model has no choices, so no subnet to predict");
    if (!std::filesystem::is_regular_file(file))
      search_view->fail("latency_table", fmt::format("no such file '{}' (build it with: razor-host latency-table {})", file,
                                                     options.config));
    latency_table = load_latency_table(file, mutator->groups());
  }
  std::optional<Subnet> export_subnet;
  const auto check_samples = export_view->get<std::int64_t>("check_samples");
  if (check_samples <= 0) export_view->fail("check_samples", "must be positive");
  const bool torchscript = export_view->get<bool>("torchscript");
  const bool inference = export_view->get<bool>("inference");
  const auto inference_layout = export_view->get<std::string>("inference_layout");
  if (inference_layout != "auto" && inference_layout != "contiguous" && inference_layout != "channels_last")
    export_view->fail("inference_layout", fmt::format("expected auto, contiguous or channels_last, got '{}'", inference_layout));
  SpeedSetup speed;
  speed.batches = export_view->get<std::vector<std::int64_t>>("speed_batches");
  speed.runs = export_view->get<std::int64_t>("speed_runs");
  if (std::any_of(speed.batches.begin(), speed.batches.end(), [](auto b) { return b < 1; }))
    export_view->fail("speed_batches", "expected positive batch sizes, e.g. [1, 64]");
  if (speed.runs < 1) export_view->fail("speed_runs", "must be positive");
  speed.estimator = estimator.get();
  speed.build_original = [&registry, root, &settings] {
    return HostContext(*registry, root, settings).build<Algorithm>("algorithm");
  };
  if (const auto file = export_view->get<std::string>("subnet"); !file.empty()) {
    if (!has_choices) export_view->fail("subnet", "the model has no choices left to fix");
    export_subnet = load_subnet(file, mutator->groups());
  } else if (export_stage && has_choices && !search_stage && !single_subnet) {
    root->fail("stages", "export needs a subnet: add the search stage or set export.subnet");
  }

  // Data: loading may fail on bad files (DataError), still before anything is written.
  DataSetup data = prepare_data(*root, *registry, settings);
  TrainerSetup setup;
  setup.train = std::move(data.train);
  setup.val = std::move(data.val);
  if (parallel && train_stage) {
    try {
      setup.train->shard(world->rank, world->size);
    } catch (const Error& e) {
      section(*root, "data", sections::data())->fail("batch_size", e.what());
    }
  }
  if (latency_table &&
      !std::equal(latency_table->input.begin(), latency_table->input.end(), data.image_shape.begin() + 1, data.image_shape.end()))
    search_view->fail("latency_table", fmt::format("the table was measured for images [{}], the data has [{}]",
                                                   fmt::join(latency_table->input, ", "),
                                                   fmt::join(data.image_shape.begin() + 1, data.image_shape.end(), ", ")));

  algorithm->to(settings.device);
  auto optimizer_view = section(*root, "optimizer", sections::optimizer());
  setup.optimizer = make_optimizer(*optimizer_view, algorithm->parameters());
  auto schedule_view = section(*root, "schedule", sections::schedule());
  setup.schedule = std::make_unique<LrSchedule>(*schedule_view, optimizer_view->get<double>("lr"),
                                                setup.train->batches_per_epoch(), epochs);
  check_all_keys_read(*doc);

  // The model must accept the data: one forward (eval mode, no gradients) on one validation image.
  const at::Tensor probe = setup.val->batch(0, 0).inputs.narrow(0, 0, 1);
  try {
    c10::NoGradGuard no_grad;
    algorithm->eval();
    at::Tensor logits = algorithm->predict(probe.to(settings.device));
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

  // 2. Meet the other ranks (they have checked the same config), then write the work dir (rank 0) and run.
  std::unique_ptr<Group> group;
  if (parallel) {
    group = std::make_unique<Group>(*world, backend, std::chrono::seconds(timeout_s));
    broadcast_module(*group, *algorithm);  // every rank starts from rank 0's weights
  }
  const bool writes = !group || group->rank() == 0;
  const std::string work_dir =
      options.work_dir.empty() ? "work_dirs/" + fs::path(options.config).stem().string() : options.work_dir;
  // A work dir another run is using is refused first (that run may not have checkpointed yet).
  std::optional<WorkDirLock> lock;
  if (writes && fs::is_directory(work_dir)) lock.emplace(work_dir);
  const bool train_checkpoint = fs::exists(work_dir + "/checkpoints/latest.pt");
  if (options.resume && !train_checkpoint && !fs::exists(work_dir + "/search/state.pt")) {
    throw Error(fmt::format("--resume: {}/checkpoints/latest.pt does not exist", work_dir));
  }
  std::ostringstream composed;
  composed << doc->root << '\n';
  const std::string config_file = work_dir + "/config.toml";
  if (writes) {
    fs::create_directories(work_dir);
    if (!lock) lock.emplace(work_dir);  // before anything in it is written
    add_file_log(*settings.logger, work_dir + "/log.txt", options.resume);
  }
  if (writes && options.resume) {
    std::ifstream before(config_file);
    const std::string previous((std::istreambuf_iterator<char>(before)), std::istreambuf_iterator<char>());
    if (fs::exists(config_file) && previous != composed.str()) {
      settings.logger->warn("warning: the config differs from the one this work dir was started with; "
                            "resuming with the new one (the old one is kept as config.previous.toml)");
      write_file_atomically(work_dir + "/config.previous.toml", previous);
    }
  }
  if (writes) write_file_atomically(config_file, composed.str());

  at::set_num_threads(static_cast<int>(threads));
  auto& log = *settings.logger;
  log.info("razor-host {} ({}), config {}", RAZOR_VERSION, sdk_build_tag(), options.config);
  log.info("work dir {}; device {}; threads {}; seed {}; stages {}", work_dir, settings.device.str(),
           at::get_num_threads(), settings.seed, fmt::join(stages, ", "));
  log.info("data: {}", data.description);
  if (group) {
    log.info("data parallel: {} processes ({}, rendezvous {}:{}), {} threads each; each takes 1/{} of every batch; "
             "batch-norm statistics: {}", world->size, backend, world->master_addr, world->master_port, at::get_num_threads(),
             world->size, dist_view->get<std::string>("batch_norm_stats"));
  }
  if (has_choices) {
    log.info("search space: {} groups, {:.4g} subnets; the current path: {}", mutator->groups().size(),
             space_size(mutator->groups()), subnet_text(mutator->current()));
  }
  if (estimator) {
    auto costs = estimator->estimate(algorithm->model(), data.image_shape);
    std::vector<std::string> parts;
    for (const auto& [name, value] : costs) parts.push_back(fmt::format("{} {:.0f} ({})", name, value, si_text(value)));
    log.info("model costs per image{}: {}", has_choices ? " (the current path)" : "", fmt::join(parts, ", "));
  }

  stages_begin();  // a stop signal is now a request the stages honour

  // The trainer owns the loaders; it lives as long as the later stages use the validation one.
  const BatchLoader& val_loader = *setup.val;
  std::optional<Trainer> trainer;
  if (train_stage) {
    setup.algorithm = algorithm;
    setup.epochs = epochs;
    setup.val_interval = val_interval;
    setup.log_interval = log_interval;
    setup.checkpoint_interval = checkpoint_interval;
    setup.device = settings.device;
    setup.work_dir = work_dir;
    setup.logger = settings.logger;
    setup.group = group.get();
    setup.buffer_sync = buffer_sync;
    setup.bucket_bytes = static_cast<std::int64_t>(bucket_mb * (1 << 20));
    trainer.emplace(std::move(setup));
    if (options.resume && train_checkpoint) trainer->resume();
    trainer->run();
    if (writes) {
      save_weights(algorithm->model(), work_dir + "/model.pt");
      log.info("final model weights: {}/model.pt", work_dir);
    }
  }

  std::optional<SubnetScorer> scorer;
  if (has_choices && (search_stage || export_stage)) {
    scorer.emplace(*algorithm, val_loader, *data.calibration, scoring, settings.device);
  }
  if (search_stage) {
    SearchSetup search;
    search.algorithm = algorithm.get();
    search.searcher = searcher.get();
    search.estimator = estimator.get();
    search.latency = latency_table ? &*latency_table : nullptr;
    search.scorer = &*scorer;
    search.image_shape = data.image_shape;
    search.work_dir = work_dir;
    search.resume = options.resume;
    search.logger = &log;
    search.group = group.get();
    const Candidate best = run_search(search);
    if (!export_subnet) export_subnet = best.subnet;
  }
  if (export_stage && writes) {  // rank 0 exports; the others are done
    if (const int signal = stop_requested())
      throw Interrupted(signal, fmt::format("{} before the export: nothing exported; continue with --resume", signal_name(signal)));
    ExportSetup ex;
    ex.algorithm = algorithm.get();
    ex.estimator = estimator.get();
    // Its batch-norm statistics were trained for this width: no recalibration.
    if (!export_subnet && single_subnet) export_subnet = mutator->current();
    ex.scorer = scorer && !single_subnet ? &*scorer : nullptr;
    ex.subnet = export_subnet;
    ex.val = &val_loader;
    ex.check_samples = check_samples;
    ex.torchscript = torchscript;
    ex.inference = inference;
    ex.inference_layout = inference_layout;
    if (!speed.batches.empty()) ex.layout_batches = speed.batches;
    ex.image_shape = data.image_shape;
    speed.image_shape = data.image_shape;
    ex.device = settings.device;
    ex.work_dir = work_dir;
    ex.logger = &log;
    if (!speed.batches.empty()) ex.speed = speed;
    const ExportReport r = run_export(ex);
    if (export_subnet) log.info("result: subnet {}", subnet_text(*export_subnet));
    log.info("result: validation top-1 {:.2f}%, {}; files in {}/export", r.top1,
             r.costs.empty() ? si_text(r.params) + " parameters" : costs_text(r.costs), work_dir);
  }
}

}  // namespace razor::host
