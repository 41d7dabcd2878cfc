#pragma once
/// Transform: one step of a data pipeline (crop, flip, resize, colour jitter, normalise, ...), applied
/// to one sample at a time by the loader's worker threads. A transform keeps no state between calls:
/// all its randomness comes from the SampleRandom it is handed, which the loader seeds from (run seed,
/// epoch, position in the epoch), so a batch is the same whatever the worker count.
///
/// Samples come in two layouts (razor/dataset.h): a picture, uint8 [H, W, C], or a tensor, float
/// [C, H, W] in [0, 1] (after `to_tensor`, or from an in-memory data set). Geometric transforms take
/// both; the helpers below read the size of either.
#include <cstdint>

#include <ATen/core/Tensor.h>

#include "razor/component.h"

namespace razor {

/// A small, fast generator for one sample's draws (splitmix64).
class SampleRandom {
 public:
  explicit SampleRandom(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  /// Uniform in [0, 1).
  double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
  /// Uniform in [low, high).
  double uniform(double low, double high) { return low + (high - low) * uniform(); }
  /// Uniform integer in [low, high] (both included).
  std::int64_t integer(std::int64_t low, std::int64_t high) {
    return low + static_cast<std::int64_t>(next() % static_cast<std::uint64_t>(high - low + 1));
  }
  /// True with probability p.
  bool chance(double p) { return uniform() < p; }

 private:
  std::uint64_t state_;
};

/// True for a picture (uint8 [H, W, C]); false for a tensor (float [C, H, W]).
inline bool is_picture(const at::Tensor& sample) { return sample.scalar_type() == at::kByte; }
inline std::int64_t sample_height(const at::Tensor& s) { return s.size(is_picture(s) ? 0 : 1); }
inline std::int64_t sample_width(const at::Tensor& s) { return s.size(is_picture(s) ? 1 : 2); }
inline std::int64_t sample_channels(const at::Tensor& s) { return s.size(is_picture(s) ? 2 : 0); }

class RAZOR_API Transform : public Component {
 public:
  static constexpr const char* kKind = "transform";
  ~Transform() override;
  /// The transformed sample. Called from several threads at once; draws only from `random`. Throws
  /// razor::DataError for a sample it cannot take (the loader adds the sample's file).
  virtual at::Tensor apply(at::Tensor sample, SampleRandom& random) const = 0;
};

}  // namespace razor
