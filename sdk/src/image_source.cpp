#include <ATen/ATen.h>
#include <fmt/format.h>

#include "razor/dataset.h"
#include "razor/errors.h"
#include "razor/transform.h"

namespace razor {
namespace {

class InMemorySource final : public ImageSource {
 public:
  InMemorySource(LabelledImages data, std::string what)
      : data_(std::move(data)), labels_(data_.labels.contiguous()), what_(std::move(what)) {}
  std::int64_t size() const override { return labels_.size(0); }
  std::int64_t label(std::int64_t i) const override { return labels_.data_ptr<std::int64_t>()[i]; }
  at::Tensor read(std::int64_t i) const override { return data_.images[i]; }
  std::string name(std::int64_t i) const override { return fmt::format("{} sample {}", what_, i); }
  std::pair<std::int64_t, std::int64_t> stored_size(std::int64_t) const override {
    return {data_.images.size(2), data_.images.size(3)};
  }

 private:
  LabelledImages data_;
  at::Tensor labels_;
  std::string what_;
};

}  // namespace

std::pair<std::int64_t, std::int64_t> ImageSource::stored_size(std::int64_t) const { return {0, 0}; }

const char* split_name(Split split) {
  switch (split) {
    case Split::train: return "train";
    case Split::val: return "val";
    case Split::test: return "test";
  }
  return "?";
}

std::shared_ptr<const ImageSource> in_memory_source(LabelledImages data, std::string what) {
  return std::make_shared<InMemorySource>(std::move(data), std::move(what));
}

LabelledImages read_all(const ImageSource& source) {
  const std::int64_t n = source.size();
  LabelledImages out;
  out.labels = at::empty({n}, at::kLong);
  for (std::int64_t i = 0; i < n; ++i) {
    at::Tensor s = source.read(i);
    if (is_picture(s)) s = s.permute({2, 0, 1}).to(at::kFloat).div_(255.0);
    if (!out.images.defined()) out.images = at::empty({n, s.size(0), s.size(1), s.size(2)}, at::kFloat);
    if (s.sizes() != out.images.sizes().slice(1))
      throw DataError(fmt::format("{}: {}x{}x{} image where the first is {}x{}x{}", source.name(i), s.size(0),
                                  s.size(1), s.size(2), out.images.size(1), out.images.size(2), out.images.size(3)));
    out.images[i].copy_(s);
    out.labels[i] = source.label(i);
  }
  return out;
}

}  // namespace razor
