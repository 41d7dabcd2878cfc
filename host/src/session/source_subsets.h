#pragma once
// Seeded subsets of an ImageSource: the held-out validation split and the quick-iteration subsets.
#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

#include "razor/dataset.h"

namespace razor::host {

/// The samples `indices` of `source`, in that order (labels and names come from the source).
std::shared_ptr<const ImageSource> subset(std::shared_ptr<const ImageSource> source, std::vector<std::int64_t> indices);

/// Splits off the last `fraction` of a seeded permutation as validation samples: {train, val}.
/// Throws razor::Error when either part would be empty.
std::pair<std::shared_ptr<const ImageSource>, std::shared_ptr<const ImageSource>> split_train_val(
    std::shared_ptr<const ImageSource> all, double fraction, std::uint64_t seed);

/// `amount` samples drawn without replacement by a seeded permutation (kept in their original order):
/// a count when >= 1, a fraction of the source when < 1. Throws razor::Error for a count larger than
/// the source or a fraction that leaves nothing.
std::shared_ptr<const ImageSource> seeded_subset(std::shared_ptr<const ImageSource> source, double amount,
                                                 std::uint64_t seed);

/// A 64-bit mix of several integers (splitmix64), for deriving independent generator seeds.
std::uint64_t mix_seed(std::uint64_t a, std::uint64_t b, std::uint64_t c = 0);

}  // namespace razor::host
