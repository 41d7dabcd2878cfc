// Key functions of the SDK classes: their vtables and type_info live here, in librazor_sdk.so, so
// dynamic_cast and catch-by-type work the same in the host and in every plugin.
#include "razor/sdk.h"

#include <filesystem>

#include <fmt/format.h>

namespace razor {

const char* sdk_build_tag() { return RAZOR_BUILD_TAG; }

namespace {

// Length of the valid UTF-8 sequence starting at text[i], or 0.
std::size_t utf8_length(const std::string& text, std::size_t i) {
  const auto u = static_cast<unsigned char>(text[i]);
  const std::size_t n = u >= 0xc2 && u <= 0xdf ? 2 : u >= 0xe0 && u <= 0xef ? 3 : u >= 0xf0 && u <= 0xf4 ? 4 : 0;
  if (n == 0 || i + n > text.size()) return 0;
  for (std::size_t k = 1; k < n; ++k)
    if ((static_cast<unsigned char>(text[i + k]) & 0xc0) != 0x80) return 0;
  return n;
}

// Messages are printed as one line of text, and parts of them come from files and plugins (a TOML
// parser quoting the newline it stopped at, a damaged archive's bytes): control characters and bytes
// that are not UTF-8 are written as escapes.
std::string one_line(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    const auto u = static_cast<unsigned char>(c);
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if ((u < 0x20 && c != '\t') || u == 0x7f) {
      out += fmt::format("\\x{:02x}", u);
    } else if (u < 0x80) {
      out += c;
    } else if (const std::size_t n = utf8_length(text, i)) {
      out.append(text, i, n);
      i += n - 1;
    } else {
      out += fmt::format("\\x{:02x}", u);
    }
  }
  return out;
}

}  // namespace

Error::Error(const std::string& what) : std::runtime_error(one_line(what)) {}
Error::~Error() = default;
ConfigError::ConfigError(const std::string& what) : Error(what) {}
ConfigError::~ConfigError() = default;
PluginError::PluginError(const std::string& what) : Error(what) {}
PluginError::~PluginError() = default;
DataError::DataError(const std::string& what) : Error(what) {}
DataError::~DataError() = default;

ConfigView::~ConfigView() = default;
std::string ConfigView::file_of(const std::string&) const { return ""; }
std::string ConfigView::resolve_path(const std::string& key, const std::string& value) const {
  const std::filesystem::path p(value);
  const std::string file = file_of(key);
  if (value.empty() || p.is_absolute() || file.empty()) return value;
  return (std::filesystem::path(file).parent_path() / p).lexically_normal().string();
}
void ConfigView::fail(const std::string& key, const std::string& message) const {
  std::string p = path();
  std::string full = key.empty() ? p : (p.empty() ? key : p + "." + key);
  throw ConfigError(where(key) + ": " + (full.empty() ? "" : full + ": ") + message);
}

BuildContext::~BuildContext() = default;
std::vector<std::int64_t> BuildContext::input_shape() const { return {}; }

Component::~Component() = default;
void Component::save_state(torch::serialize::OutputArchive&) const {}
void Component::load_state(torch::serialize::InputArchive&) {}

Model::~Model() = default;
Loss::~Loss() = default;
Connector::~Connector() = default;
Algorithm::~Algorithm() = default;
Mutator* Algorithm::mutator() { return nullptr; }
Model* Algorithm::teacher() { return nullptr; }
Losses Algorithm::forward_losses(const Batch&) {
  throw Error("this algorithm takes several passes per training step; it cannot run inside another algorithm");
}
Losses Algorithm::train_step(const Batch& batch) {
  Losses losses = forward_losses(batch);
  at::Tensor total;
  for (auto& [name, value] : losses) {
    if (is_trained_term(name)) total = total.defined() ? total + value : value;
  }
  if (total.defined()) total.backward();
  for (auto& [name, value] : losses) value = value.detach();
  return losses;
}
Dataset::~Dataset() = default;
std::vector<std::string> Dataset::class_names() const { return {}; }
ImageSource::~ImageSource() = default;
Transform::~Transform() = default;
Estimator::~Estimator() = default;
std::vector<LayerCosts> Estimator::estimate_layers(Model&, const std::vector<std::int64_t>&) { return {}; }
Optimizer::~Optimizer() = default;
Schedule::~Schedule() = default;
Mutable::~Mutable() = default;
Mutator::~Mutator() = default;
Searcher::~Searcher() = default;
std::vector<std::pair<std::string, Candidate>> Searcher::results() const { return {}; }
SearchContext::~SearchContext() = default;
Scriptable::~Scriptable() = default;
ScriptBacked::~ScriptBacked() = default;
Calibrated::~Calibrated() = default;
bool Calibrated::calibrates() const { return true; }
EpochListener::~EpochListener() = default;
Int8Exportable::~Int8Exportable() = default;
Observer::~Observer() = default;
bool Observer::per_channel() const { return false; }
SliceableLayer::~SliceableLayer() = default;
Pruner::~Pruner() = default;
Recorder::~Recorder() = default;
DistillLoss::~DistillLoss() = default;

RecordingScope::RecordingScope(std::vector<Recorder*> recorders, const Batch& batch)
    : recorders_(std::move(recorders)) {
  for (Recorder* r : recorders_) r->start(batch);
}
RecordingScope::RecordingScope(RecordingScope&& other) noexcept : recorders_(std::move(other.recorders_)) {
  other.recorders_.clear();
}
RecordingScope::~RecordingScope() {
  for (Recorder* r : recorders_) r->stop();
}
Distiller::~Distiller() = default;

}  // namespace razor
