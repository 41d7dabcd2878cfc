#include "builtin/classifier.h"

namespace razor::host {

Classifier::Classifier(const BuildContext& ctx)
    : architecture_(register_module("architecture", ctx.build<Model>("architecture"))),
      loss_(register_module("loss", ctx.build<Loss>("loss"))) {}

Losses Classifier::forward_losses(const Batch& batch) {
  return {{"loss", loss_->forward(architecture_->forward(batch.inputs), batch.targets)}};
}

at::Tensor Classifier::predict(const at::Tensor& inputs) { return architecture_->forward(inputs); }

ComponentInfo classifier_info() {
  return {"algorithm",
          "classifier",
          "Trains one model with one loss on labelled images (the baseline every algorithm is compared with)",
          {{"architecture", "model", nullptr, "the network to train"},
           {"loss", "loss", "{ type = 'cross_entropy' }", "criterion between logits and labels"}},
          &make_component<Classifier>};
}

}  // namespace razor::host
