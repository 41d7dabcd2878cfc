#include "run/run_command.h"

#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <thread>

#include <ATen/ATen.h>
#include <ATen/Context.h>
#include <ATen/Parallel.h>
#include <c10/core/GradMode.h>
#include <fmt/format.h>

#include "config/config_loader.h"
#include "config/toml_config_view.h"
#include "config/unread_keys.h"
#include "plugins/host_context.h"
#include "plugins/load_registry.h"
#include "razor/errors.h"
#include "razor/estimator.h"
#include "run/data_setup.h"
#include "run/logging.h"
#include "run/sections.h"
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

// 774282 -> "774.3 K".
std::string si_text(double v) {
  const char* units[] = {"", " K", " M", " G", " T"};
  int u = 0;
  while (v >= 1000.0 && u < 4) {
    v /= 1000.0;
    ++u;
  }
  return fmt::format("{:.1f}{}", v, units[u]);
}

std::string shape_text(at::IntArrayRef sizes) { return fmt::format("[{}]", fmt::join(sizes, ", ")); }

}  // namespace

void run_command(const RunOptions& options) {
  // 1. Compose and check everything; nothing is written before the config is known to be good.
  auto registry = load_registry(options.plugin_paths);
  auto doc = load_config(options.config, options.overrides);
  auto root = TomlConfigView(doc).bind(&sections::root(), "host config");

  const auto stages = root->get<std::vector<std::string>>("stages");
  for (const auto& stage : stages)
    if (stage != "train") root->fail("stages", fmt::format("unknown stage '{}' (known: train)", stage));

  auto runtime = section(*root, "runtime", sections::runtime());
  RunSettings settings;
  settings.seed = static_cast<std::uint64_t>(runtime->get<std::int64_t>("seed"));
  settings.device = parse_device(*runtime, options.device);
  settings.logger = make_logger();
  std::int64_t threads = runtime->get<std::int64_t>("threads");
  if (threads < 0) runtime->fail("threads", "must be 0 (all cores) or positive");
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  const auto log_interval = runtime->get<std::int64_t>("log_interval");
  const auto checkpoint_interval = runtime->get<std::int64_t>("checkpoint_interval");

  HostContext ctx(*registry, root, settings);
  at::manual_seed(settings.seed);  // model initialisation is part of the run's seeded state
  auto algorithm = ctx.build<Algorithm>("algorithm");
  std::shared_ptr<Estimator> estimator;
  if (root->has("estimator")) estimator = ctx.build<Estimator>("estimator");

  auto train_view = section(*root, "train", sections::train());
  const auto epochs = train_view->get<std::int64_t>("epochs");
  const auto val_interval = train_view->get<std::int64_t>("val_interval");
  if (epochs <= 0) train_view->fail("epochs", "must be positive");
  if (val_interval <= 0) train_view->fail("val_interval", "must be positive");

  // Data: loading may fail on bad files (DataError), still before anything is written.
  DataSetup data = prepare_data(*root, *registry, settings);
  TrainerSetup setup;
  setup.train = std::move(data.train);
  setup.val = std::move(data.val);

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

  // 2. Write the work dir and run.
  const std::string work_dir =
      options.work_dir.empty() ? "work_dirs/" + fs::path(options.config).stem().string() : options.work_dir;
  if (options.resume && !fs::exists(work_dir + "/checkpoints/latest.pt")) {
    throw Error(fmt::format("--resume: {}/checkpoints/latest.pt does not exist", work_dir));
  }
  fs::create_directories(work_dir);
  add_file_log(*settings.logger, work_dir + "/log.txt", options.resume);
  std::ostringstream composed;
  composed << doc->root << '\n';
  const std::string config_file = work_dir + "/config.toml";
  if (options.resume) {
    std::ifstream before(config_file);
    const std::string previous((std::istreambuf_iterator<char>(before)), std::istreambuf_iterator<char>());
    if (fs::exists(config_file) && previous != composed.str()) {
      settings.logger->warn("warning: the config differs from the one this work dir was started with; "
                            "resuming with the new one (the old one is kept as config.previous.toml)");
      fs::copy_file(config_file, work_dir + "/config.previous.toml", fs::copy_options::overwrite_existing);
    }
  }
  std::ofstream(config_file) << composed.str();

  at::set_num_threads(static_cast<int>(threads));
  auto& log = *settings.logger;
  log.info("razor-host {} ({}), config {}", RAZOR_VERSION, sdk_build_tag(), options.config);
  log.info("work dir {}; device {}; threads {}; seed {}", work_dir, settings.device.str(), at::get_num_threads(),
           settings.seed);
  log.info("data: {}", data.description);
  if (estimator) {
    auto shape = data.image_shape;
    shape[0] = 1;
    auto costs = estimator->estimate(algorithm->model(), shape);
    std::vector<std::string> parts;
    for (const auto& [name, value] : costs) parts.push_back(fmt::format("{} {:.0f} ({})", name, value, si_text(value)));
    log.info("model costs per image: {}", fmt::join(parts, ", "));
  }

  setup.algorithm = algorithm;
  setup.epochs = epochs;
  setup.val_interval = val_interval;
  setup.log_interval = log_interval;
  setup.checkpoint_interval = checkpoint_interval;
  setup.device = settings.device;
  setup.work_dir = work_dir;
  setup.logger = settings.logger;
  Trainer trainer(std::move(setup));
  if (options.resume) trainer.resume();
  trainer.run();
  torch::serialize::OutputArchive final_model;
  algorithm->model().save(final_model);
  final_model.save_to(work_dir + "/model.pt.tmp");
  fs::rename(work_dir + "/model.pt.tmp", work_dir + "/model.pt");
  log.info("final model weights: {}/model.pt", work_dir);
}

}  // namespace razor::host
