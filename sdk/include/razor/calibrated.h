#pragma once
/// Calibrated: an algorithm that watches training images before it trains or exports (the
/// calibration of post-training quantization). The run's `calibrate` stage calls it: begin, then
/// calibrate() on each batch of images (eval mode, no gradients), then end.
#include <ATen/core/Tensor.h>

#include "razor/export.h"

namespace razor {

class RAZOR_API Calibrated {
 public:
  virtual ~Calibrated();
  virtual void begin_calibration() = 0;
  virtual void calibrate(const at::Tensor& images) = 0;
  /// Turns what was watched into the algorithm's parameters (quantization scales); throws
  /// razor::Error when that cannot be done (nothing watched).
  virtual void end_calibration() = 0;
  /// False for an algorithm that wraps another (a distillation) whose inner one does not calibrate:
  /// the calibrate stage is then refused before the run starts.
  virtual bool calibrates() const;
};

}  // namespace razor
