#include "autoslim.h"

#include <fmt/format.h>

#include "razor/errors.h"

namespace razor::pruning {

AutoSlim::AutoSlim(const BuildContext& ctx, const Options& options)
    : architecture_(register_module("architecture", ctx.build(options.architecture))),
      loss_(register_module("loss", ctx.build(options.loss))),
      distill_(register_module("distill_loss", ctx.build(options.distill_loss))),
      mutator_(ctx.build(options.mutator)),
      num_random_(options.num_random) {
  const ConfigView& c = ctx.config();
  if (distill_->arguments().size() != 2) {
    c.fail("distill_loss", fmt::format("in-place distillation passes (student, teacher) logits; this loss takes {}",
                                       fmt::join(distill_->arguments(), ", ")));
  }
  mutator_->prepare(*architecture_);
  if (mutator_->groups().empty()) c.fail("architecture", "the model has no prunable channel units");
  max_ = mutator_->sample(SampleKind::max);
}

Losses AutoSlim::train_step(const Batch& batch) {
  Losses log;
  // The largest subnet learns from the labels; its logits teach the others.
  mutator_->set(max_);
  const at::Tensor max_logits = architecture_->forward(batch.inputs);
  const at::Tensor max_loss = loss_->forward(max_logits, batch.targets);
  max_loss.backward();
  log["max.loss"] = max_loss.detach();
  const at::Tensor teacher = max_logits.detach();

  const auto subnet_step = [&](SampleKind kind, const std::string& name) {
    mutator_->sample(kind);
    const at::Tensor logits = architecture_->forward(batch.inputs);
    const at::Tensor hard = loss_->forward(logits, batch.targets);
    const at::Tensor soft = distill_->forward({logits, teacher});
    (hard + soft).backward();
    const auto add = [&](const std::string& key, const at::Tensor& v) {
      auto it = log.find(key);
      log[key] = it == log.end() ? v.detach() : it->second + v.detach();
    };
    add(name + ".loss", hard);
    add(name + ".loss_kd", soft);
  };
  subnet_step(SampleKind::min, "min");
  for (std::int64_t i = 0; i < num_random_; ++i) subnet_step(SampleKind::random, "random");
  if (num_random_ > 1) {
    log["random.loss"] = log["random.loss"] / static_cast<double>(num_random_);
    log["random.loss_kd"] = log["random.loss_kd"] / static_cast<double>(num_random_);
  }
  mutator_->set(max_);
  return log;
}

at::Tensor AutoSlim::predict(const at::Tensor& inputs) { return architecture_->forward(inputs); }

void AutoSlim::save_state(torch::serialize::OutputArchive& archive) const { mutator_->save_state(archive); }
void AutoSlim::load_state(torch::serialize::InputArchive& archive) { mutator_->load_state(archive); }

}  // namespace razor::pruning
