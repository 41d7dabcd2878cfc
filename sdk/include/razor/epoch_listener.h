#pragma once
/// EpochListener: an algorithm whose training changes with the epoch (quantization-aware training
/// stops its observers and freezes batch norm after given epochs). The trainer calls epoch_begins
/// before each epoch's first step, and again for the epoch a resumed run continues, so what it sets
/// must follow from the epoch alone.
#include <cstdint>

#include "razor/export.h"

namespace razor {

class RAZOR_API EpochListener {
 public:
  virtual ~EpochListener();
  /// `epoch` counts from 0.
  virtual void epoch_begins(std::int64_t epoch) = 0;
};

}  // namespace razor
