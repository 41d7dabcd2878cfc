#include "classifier.h"

namespace razor::core {

Classifier::Classifier(const BuildContext& ctx, const Options& options)
    : architecture_(register_module("architecture", ctx.build(options.architecture))),
      loss_(register_module("loss", ctx.build(options.loss))) {}

Losses Classifier::forward_losses(const Batch& batch) {
  return {{"loss", loss_->forward(architecture_->forward(batch.inputs), batch.targets)}};
}

at::Tensor Classifier::predict(const at::Tensor& inputs) { return architecture_->forward(inputs); }

}  // namespace razor::core
