#include "spos.h"

#include <random>

#include <fmt/format.h>

#include "razor/errors.h"
#include "razor/model_weights.h"
#include "razor/subnet_file.h"

namespace razor::nas {
namespace {

// Supernet weights (a model.pt written by `razor-host run`) into the still unfixed supernet.
void inherit_weights(Model& supernet, const std::string& file, const ConfigView& config) {
  try {
    load_weights(supernet, file);
  } catch (const Error& e) {
    config.fail("init_weights", e.what());
  }
}

}  // namespace

Spos::Spos(const BuildContext& ctx, const Options& options)
    : architecture_(register_module("architecture", ctx.build(options.architecture))),
      loss_(register_module("loss", ctx.build(options.loss))),
      mutator_(ctx.build(options.mutator)) {
  const ConfigView& config = ctx.config();
  mutator_->prepare(*architecture_);
  if (!options.subnet.empty()) {
    retraining_ = true;
    const Subnet subnet = load_subnet(options.subnet, mutator_->groups());
    if (!options.init_weights.empty()) inherit_weights(*architecture_, options.init_weights, config);
    mutator_->fix(subnet);
    return;
  }
  if (!options.init_weights.empty()) {
    config.fail("init_weights", "inheriting weights needs `subnet` (retrain mode); a supernet resumes with --resume");
  }
  if (mutator_->groups().empty()) config.fail("architecture", "the model has no searchable choices (no mutables)");
  // A fixed path for validation during supernet training, so epochs compare like with like.
  std::mt19937_64 rng(ctx.seed() ^ 0x5e0a11da7eULL);
  validation_path_ = sample_subnet(mutator_->groups(), SampleKind::random, rng);
  mutator_->set(validation_path_);
}

Losses Spos::forward_losses(const Batch& batch) {
  if (!retraining_) mutator_->sample(SampleKind::random);  // one uniformly sampled path per step
  at::Tensor loss = loss_->forward(architecture_->forward(batch.inputs), batch.targets);
  // The graph is built: the backward that follows uses the sampled path whatever is set now.
  if (!retraining_) mutator_->set(validation_path_);
  return {{"loss", loss}};
}

at::Tensor Spos::predict(const at::Tensor& inputs) { return architecture_->forward(inputs); }

// The sampler's generator is the mutator's: an exact resume restores it.
void Spos::save_state(torch::serialize::OutputArchive& archive) const { mutator_->save_state(archive); }
void Spos::load_state(torch::serialize::InputArchive& archive) { mutator_->load_state(archive); }

}  // namespace razor::nas
