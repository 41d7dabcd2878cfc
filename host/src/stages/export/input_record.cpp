#include "stages/export/input_record.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <torch/csrc/jit/api/module.h>

namespace razor::host {
namespace {

std::string quoted_list(const std::vector<std::string>& names) {
  std::vector<std::string> quoted;
  for (const auto& n : names) quoted.push_back(fmt::format("\"{}\"", n));  // class folder names: no quotes inside
  return fmt::format("[{}]", fmt::join(quoted, ", "));
}

}  // namespace

std::string input_toml(const InputSpec& in) {
  std::string text = "\n[input]  # what the exported model takes\n";
  text += fmt::format("shape = [{}]  # C, H, W\n", fmt::join(in.shape, ", "));
  text += "layout = \"NCHW\"\ndtype = \"float32\"\n";
  text += "range = [0.0, 1.0]  # pixel values / 255, before mean and std\n";
  if (!in.mean.empty()) text += fmt::format("mean = [{}]\nstd = [{}]\n", fmt::join(in.mean, ", "), fmt::join(in.std, ", "));
  if (!in.class_names.empty()) text += fmt::format("class_names = {}\n", quoted_list(in.class_names));
  return text;
}

void record_input(torch::jit::Module& module, const InputSpec& in) {
  const auto set = [&](const std::string& name, const c10::TypePtr& type, const c10::IValue& value) {
    module.register_attribute(name, type, value);
  };
  set("input_shape", c10::ListType::ofInts(), c10::List<std::int64_t>(in.shape));
  set("input_layout", c10::StringType::get(), std::string("NCHW"));
  set("input_range", c10::ListType::ofFloats(), c10::List<double>({0.0, 1.0}));
  set("input_mean", c10::ListType::ofFloats(), c10::List<double>(in.mean));
  set("input_std", c10::ListType::ofFloats(), c10::List<double>(in.std));
  set("class_names", c10::ListType::ofStrings(), c10::List<std::string>(in.class_names));
}

std::optional<std::vector<std::int64_t>> recorded_input_shape(const torch::jit::Module& module) {
  if (!module.hasattr("input_shape")) return std::nullopt;
  const c10::IValue shape = module.attr("input_shape");
  if (!shape.isIntList()) return std::nullopt;
  return shape.toIntVector();
}

}  // namespace razor::host
