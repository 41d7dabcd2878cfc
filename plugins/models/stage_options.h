#pragma once
// What the staged networks' options (ResNet, MobileNetV2, ShuffleNetV2, the SPOS supernet) share: the
// options every one declares, and the checks across them (one value per stage).
#include <cstdint>
#include <string>
#include <vector>

#include "razor/config.h"
#include "razor/options.h"

/// in_channels, num_classes, stem_channels and strides, declared in an options struct (RAZOR_ARG).
#define RAZOR_STAGE_OPTIONS                                                                          \
  RAZOR_ARG(std::int64_t, in_channels, "image channels (1 grey, 3 colour)", 1).positive();           \
  RAZOR_ARG(std::int64_t, num_classes, "output logits", 10).positive();                              \
  RAZOR_ARG(std::int64_t, stem_channels, "width of the 3x3 stem convolution", 16).positive();        \
  RAZOR_ARG(std::vector<std::int64_t>, strides, "stride of each stage's first block",                \
            std::vector<std::int64_t>{1, 2, 2})                                                      \
      .positive()

/// RAZOR_ARG's `widths`: output channels of each stage, at least one stage, positive.
#define RAZOR_STAGE_WIDTHS(DOC, ...)                                                                  \
  RAZOR_ARG(std::vector<std::int64_t>, widths, DOC, std::vector<std::int64_t>{__VA_ARGS__})          \
      .not_empty("needs at least one stage")                                                         \
      .positive()

namespace razor::models {

/// `values` (the option `key`) has one value per stage, else a config error.
void check_per_stage(const ConfigView& cfg, const std::string& key, const std::vector<std::int64_t>& values,
                     std::size_t stages);

/// Every width even (ShuffleNet units split their channels in halves), else a config error.
void check_even_widths(const ConfigView& cfg, const std::vector<std::int64_t>& widths);

}  // namespace razor::models
