#include "recorders.h"

#include "razor/errors.h"

namespace razor::distill {

TapRecorder::TapRecorder(const BuildContext& ctx) : source_(ctx.config().get<std::string>("source")) {
  if (source_.empty()) ctx.config().fail("source", "must name a tap, e.g. 'stages.2' or 'fc'");
}

void TapRecorder::prepare(Model& model) {
  buffer_ = attach_tap(model, source_.empty() ? output_tap(model) : source_);
}

void TapRecorder::start(const Batch&) {
  if (!buffer_) throw Error("a recorder records before it was prepared (a distiller bug)");
  buffer_->tensors.clear();
  buffer_->recording = true;
}

void TapRecorder::stop() {
  if (buffer_) buffer_->recording = false;
}

const std::vector<at::Tensor>& TapRecorder::records() const {
  static const std::vector<at::Tensor> none;
  return buffer_ ? buffer_->tensors : none;
}

ComponentInfo tap_recorder_info() {
  return {"recorder", "tap", "What passes a tap of the model during a forward (one tensor per call)",
          {{"source", "string", nullptr, "the tap's path, e.g. 'stages.2' or 'fc'"}},
          &make_component<TapRecorder>};
}

ComponentInfo output_recorder_info() {
  return {"recorder", "output", "The model's output (its last tap: the logits of a zoo model)", {},
          &make_component<OutputRecorder>};
}

ComponentInfo labels_recorder_info() {
  return {"recorder", "labels", "The batch's class labels (for losses that take gt_labels)", {},
          &make_component<LabelsRecorder>};
}

}  // namespace razor::distill
