#pragma once
// The options every torchvision-compatible network declares (include from this folder's headers).
#include <cstdint>

#include "razor/options.h"

/// num_classes (default CLASSES) and in_channels (3), declared in an options struct (RAZOR_ARG).
/// in_channels changes only the first convolution, so every other weight keeps torchvision's shape.
#define RAZOR_TORCHVISION_OPTIONS(CLASSES)                                                                 \
  RAZOR_ARG(std::int64_t, num_classes, "output logits (out_features of the last Linear)", CLASSES)         \
      .positive();                                                                                         \
  RAZOR_ARG(std::int64_t, in_channels, "image channels; changes only the first convolution's input", 3)   \
      .positive()
