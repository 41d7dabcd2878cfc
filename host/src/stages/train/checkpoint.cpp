#include "stages/train/checkpoint.h"

#include <filesystem>
#include <sstream>

#include <ATen/Context.h>
#include <ATen/core/Generator.h>
#include <fmt/format.h>
#include <torch/serialize/input-archive.h>
#include <torch/serialize/output-archive.h>

#include "razor/errors.h"
#include "razor/model_weights.h"
#include "base/sealed_file.h"

namespace razor::host {
namespace {

// The generators a run draws from: the CPU one, and the accelerator's when training there.
std::vector<std::pair<std::string, at::Generator>> generators(c10::Device device) {
  std::vector<std::pair<std::string, at::Generator>> out{
      {"cpu", at::globalContext().defaultGenerator(c10::Device(c10::kCPU))}};
  if (!device.is_cpu()) out.emplace_back(device.str(), at::globalContext().defaultGenerator(device));
  return out;
}

}  // namespace

void save_checkpoint(const std::string& file, Algorithm& algorithm, const torch::optim::Optimizer& optimizer,
                     const TrainPosition& position, c10::Device device) {
  torch::serialize::OutputArchive archive;
  torch::serialize::OutputArchive model, optim, state, rng;
  algorithm.save(model);
  optimizer.save(optim);
  algorithm.save_state(state);
  for (auto& [name, gen] : generators(device)) {
    std::lock_guard<std::mutex> lock(gen.mutex());
    rng.write(name, gen.get_state());
  }
  archive.write("algorithm", model);
  archive.write("optimizer", optim);
  archive.write("state", state);
  archive.write("rng", rng);
  archive.write("epoch", c10::IValue(position.epoch));
  archive.write("batch", c10::IValue(position.batch));
  archive.write("step", c10::IValue(position.step));
  archive.write("best_top1", c10::IValue(position.best_top1));
  archive.write("world_size", c10::IValue(position.world_size));

  std::ostringstream bytes;
  archive.save_to(bytes);
  write_sealed(file, bytes.str());
}

TrainPosition load_checkpoint(const std::string& file, Algorithm& algorithm, torch::optim::Optimizer& optimizer,
                              c10::Device device) {
  if (!std::filesystem::is_regular_file(file)) {
    throw Error(fmt::format("{}: no checkpoint to resume from", file));
  }
  TrainPosition position;
  try {
    torch::serialize::InputArchive archive, model, optim, state, rng;
    const std::string bytes = read_sealed(file, "checkpoint");
    archive.load_from(bytes.data(), bytes.size(), device);
    archive.read("algorithm", model);
    archive.read("optimizer", optim);
    archive.read("state", state);
    archive.read("rng", rng);
    load_module_checked(algorithm, model, file);
    optimizer.load(optim);
    algorithm.load_state(state);
    for (auto& [name, gen] : generators(device)) {
      at::Tensor s;
      rng.read(name, s);
      std::lock_guard<std::mutex> lock(gen.mutex());
      gen.set_state(s.cpu());
    }
    c10::IValue v;
    archive.read("epoch", v);
    position.epoch = v.toInt();
    archive.read("batch", v);
    position.batch = v.toInt();
    archive.read("step", v);
    position.step = v.toInt();
    archive.read("best_top1", v);
    position.best_top1 = v.toDouble();
    if (archive.try_read("world_size", v)) position.world_size = v.toInt();  // older checkpoints: one process
  } catch (...) {
    rethrow_load_error(file + ": unreadable checkpoint");
  }
  return position;
}

}  // namespace razor::host
