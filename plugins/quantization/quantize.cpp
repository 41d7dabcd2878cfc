#include "quantize.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <spdlog/spdlog.h>
#include <torch/serialize/input-archive.h>
#include <torch/serialize/output-archive.h>

#include "engine.h"
#include "razor/errors.h"
#include "razor/model_weights.h"

namespace razor::quantization {
namespace {

std::shared_ptr<FakeQuantModel> build_model(const BuildContext& ctx, const QuantizeOptions& o,
                                           std::vector<std::string>& summary) {
  const ConfigView& config = ctx.config();
  if (const std::string why = engine_refusal(o.engine); !why.empty()) config.fail("engine", why);
  auto float_model = ctx.build(o.architecture);
  if (!o.float_weights.empty()) {
    try {
      summary.push_back("float weights: " + load_weights(*float_model, o.float_weights, read_key_map(*o.float_keys)).summary());
    } catch (const Error& e) {
      config.fail("float_weights", e.what());
    }
  } else if (config.has("float_keys")) {
    config.fail("float_keys", "maps the keys of `float_weights`, which is not given");
  }
  FakeQuantSetup setup;
  setup.model = float_model;
  setup.input_shape = ctx.input_shape();
  if (setup.input_shape.empty())
    config.fail("architecture", "quantization traces the model on one input, and this run has no data to shape it");
  if (ctx.build(o.activation_observer)->per_channel())
    config.fail("activation_observer", "activations are quantized per tensor; a per-channel observer is for weights");
  setup.weight_observer = [&] { return ctx.build(o.weight_observer); };
  setup.activation_observer = [&] { return ctx.build(o.activation_observer); };
  setup.reduce_range = o.reduce_range;
  setup.learnable_scales = o.learnable_scales;
  setup.engine = o.engine;
  try {
    return std::make_shared<FakeQuantModel>(setup);
  } catch (const Error& e) {
    config.fail("architecture", e.what());
  }
}

}  // namespace

Quantize::Quantize(const BuildContext& ctx, const Options& options)
    : disable_observer_after_(options.disable_observer_after),
      freeze_bn_after_(options.freeze_bn_after),
      grid_(fmt::format("{}, {}-bit activations", options.engine, options.reduce_range ? 7 : 8)) {
  model_ = register_module("model", build_model(ctx, options, summary_));
  logger_ = &ctx.logger();
  loss_ = register_module("loss", ctx.build(options.loss));
  const QuantPlan& plan = model_->plan();
  std::int64_t convs = 0, linears = 0;
  for (const Step& s : plan.steps) convs += s.kind == StepKind::conv, linears += s.kind == StepKind::linear;
  summary_.push_back(fmt::format("quantize: {} convolutions and {} linear layers in int8, {} activation scales; engine {}{}",
                                 convs, linears, plan.activations.size(), options.engine,
                                 plan.float_ops.empty() ? "" : fmt::format("; in float: {}", fmt::join(plan.float_ops, ", "))));
}

void Quantize::announce() {
  for (const auto& line : summary_) logger_->info("{}", line);
  summary_.clear();
}

void Quantize::epoch_begins(std::int64_t epoch) {
  announce();
  model_->set_observing(disable_observer_after_ < 0 || epoch < disable_observer_after_);
  model_->freeze_batch_norm(freeze_bn_after_ >= 0 && epoch >= freeze_bn_after_);
}

void Quantize::save_state(torch::serialize::OutputArchive& archive) const {
  archive.write("quantize.grid", c10::IValue(grid_));
}

void Quantize::load_state(torch::serialize::InputArchive& archive) {
  c10::IValue saved;
  if (archive.try_read("quantize.grid", saved) && saved.toStringRef() != grid_) {
    throw Error(fmt::format("its scales were found for {}; this run quantizes for {} (algorithm.engine, "
                            "algorithm.reduce_range)", saved.toStringRef(), grid_));
  }
}

Losses Quantize::forward_losses(const Batch& batch) {
  return {{"loss", loss_->forward(model_->forward(batch.inputs), batch.targets)}};
}

at::Tensor Quantize::predict(const at::Tensor& inputs) { return model_->forward(inputs); }

}  // namespace razor::quantization
