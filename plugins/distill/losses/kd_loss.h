#pragma once
// KdLoss: the shared base of the distillation losses (one file each, named after its type). It checks the argument count, multiplies the result
// by `loss_weight`, and holds the one-line shape checks every loss uses (razor::Error naming the loss
// and the shapes). Also here: the options several losses share (declared by macro, each in its place
// in a loss's options struct) and the value checks whose messages name the bad value.
#include <cstdint>
#include <string>
#include <vector>

#include "razor/context.h"
#include "razor/distill_loss.h"
#include "razor/plugin.h"

namespace razor::kd {

/// The argument lists: student and teacher tensors, and those plus the ground-truth labels.
inline const std::vector<std::string> kStudentTeacher{"preds_S", "preds_T"};
inline const std::vector<std::string> kWithLabels{"preds_S", "preds_T", "gt_labels"};

/// The layouts the losses' shape errors name.
inline constexpr const char* kLogits = "[N, C] logits";
inline constexpr const char* kMaps = "[N, C, H, W] feature maps";

/// How a sum of per-element terms becomes a scalar.
enum class Reduction { batchmean, sum, mean };

// The options several losses share, each declared in one place; a loss's options struct places them
// where its reference lists them (loss_weight last, with the loss's default).
#define RAZOR_KD_TAU_OPTION \
  RAZOR_OPTION(double, tau, "softmax temperature, > 0; the loss is scaled by tau^2", 1.0)
#define RAZOR_KD_TEACHER_DETACH_OPTION RAZOR_OPTION(bool, teacher_detach, "no gradient flows into preds_T", true)
#define RAZOR_KD_LOSS_WEIGHT_OPTION(DEFAULT) \
  RAZOR_OPTION(double, loss_weight, "multiplies the loss (any finite number; negative to maximise it)", DEFAULT)

class KdLoss : public DistillLoss {
 public:
  std::vector<std::string> arguments() const final { return arguments_; }
  /// Checks the count and that every tensor is defined, then returns loss_weight * compute(args).
  at::Tensor forward(const std::vector<at::Tensor>& args) final;
  double loss_weight() const { return loss_weight_; }

 protected:
  KdLoss(std::string name, std::vector<std::string> arguments, double loss_weight);
  /// The unweighted loss; `args` has arguments().size() defined tensors.
  virtual at::Tensor compute(const std::vector<at::Tensor>& args) = 0;

  /// Throws razor::Error "<name>: <message>".
  [[noreturn]] void fail(const std::string& message) const;
  /// preds_S and preds_T must have the same shape.
  void require_same_shape(const at::Tensor& s, const at::Tensor& t) const;
  /// preds_S and preds_T must agree on the dimensions `dims` (and so on rank); `what` names them in
  /// the message, e.g. "batch size".
  void require_same_dims(const at::Tensor& s, const at::Tensor& t, const std::vector<std::int64_t>& dims,
                         const std::string& what) const;
  /// `t` (the argument `arg`) must have min_rank <= rank <= max_rank (max_rank < 0: no upper bound);
  /// `layout` describes it in the message, e.g. "[N, C, H, W]".
  void require_rank(const at::Tensor& t, const std::string& arg, std::int64_t min_rank, std::int64_t max_rank,
                    const std::string& layout) const;
  /// Both tensors of rank min_rank..max_rank and of the same shape.
  void require_pair(const at::Tensor& s, const at::Tensor& t, std::int64_t min_rank, std::int64_t max_rank,
                    const std::string& layout) const;
  /// Labels: int64, shape [N], on preds' device, values in [0, C) where preds is [N, C].
  void require_labels(const at::Tensor& labels, const at::Tensor& preds) const;

 private:
  std::string name_;
  std::vector<std::string> arguments_;
  double loss_weight_;
};

/// "[8, 10]".
std::string shape_of(const at::Tensor& t);

// Value checks for the options structs' validate(): each throws a one-line ConfigError naming the key
// and the bad value (non-finite floats are refused when the options are read).
/// "must be a finite number > 0, got 0".
void check_positive(const ConfigView& cfg, const std::string& key, double value);
/// "must be a finite number >= 0, got -0.5".
void check_non_negative(const ConfigView& cfg, const std::string& key, double value);
/// The `reduction` option: `allowed` lists the accepted names among batchmean, sum, mean.
void check_reduction(const ConfigView& cfg, const std::string& value, const std::vector<std::string>& allowed);
/// A checked `reduction` value as the enum.
Reduction to_reduction(const std::string& value);

/// Sum, sum / size(0), or mean of `terms`.
at::Tensor reduce(const at::Tensor& terms, Reduction reduction);
/// Pointwise KL terms p_T * (log p_T - log_q_S), 0 where p_T is 0.
at::Tensor kl_terms(const at::Tensor& log_q_s, const at::Tensor& p_t);
/// x / max(||x||_2, 1e-12) along `dim` (as torch.nn.functional.normalize).
at::Tensor l2_normalize(const at::Tensor& x, std::int64_t dim);

}  // namespace razor::kd
