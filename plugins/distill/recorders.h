#pragma once
// Recorders of the distill plugin: `tap` (a tap's output), `output` (the model's output tap) and
// `labels` (the batch's targets, for losses that take gt_labels).
#include <memory>
#include <string>
#include <vector>

#include "razor/context.h"
#include "razor/plugin.h"
#include "razor/recorder.h"
#include "razor/tap.h"

namespace razor::distill {

struct TapRecorderOptions : Options<TapRecorderOptions> {
  RAZOR_OPTION(std::string, source, "the tap's path, e.g. 'stages.2' or 'fc'", required)
      .not_empty("must name a tap, e.g. 'stages.2' or 'fc'");
};

/// No options (recorder/output, recorder/labels).
struct NoRecorderOptions : Options<NoRecorderOptions> {};

/// recorder/tap, and recorder/output when `source` is empty.
class TapRecorder : public Recorder {
 public:
  using Options = TapRecorderOptions;
  TapRecorder(const BuildContext& ctx, const Options& options);
  void prepare(Model& model) override;
  void start(const Batch& batch) override;
  void stop() override;
  const std::vector<at::Tensor>& records() const override;

 protected:
  TapRecorder() = default;

 private:
  std::string source_;  // empty: the model's output tap
  std::shared_ptr<TapBuffer> buffer_;
};

class OutputRecorder final : public TapRecorder {
 public:
  using Options = NoRecorderOptions;  // not the tap's
  OutputRecorder(const BuildContext&, const Options&) {}
};

class LabelsRecorder final : public Recorder {
 public:
  using Options = NoRecorderOptions;
  LabelsRecorder(const BuildContext&, const Options&) {}
  void prepare(Model&) override {}
  void start(const Batch& batch) override { records_ = {batch.targets}; }
  void stop() override {}
  const std::vector<at::Tensor>& records() const override { return records_; }

 private:
  std::vector<at::Tensor> records_;
};

}  // namespace razor::distill
