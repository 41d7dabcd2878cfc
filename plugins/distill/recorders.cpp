#include "recorders.h"

#include "razor/errors.h"

namespace razor::distill {

TapRecorder::TapRecorder(const BuildContext&, const Options& options) : source_(options.source) {}

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

}  // namespace razor::distill
