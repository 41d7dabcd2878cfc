// The distill family: knowledge distillation — recorders, connectors, the configurable distiller, the
// single-teacher algorithm, and the distillation losses (losses/).
#include "configurable_distiller.h"
#include "connectors.h"
#include "losses/angle_wise_rkd.h"
#include "losses/attention_transfer.h"
#include "losses/channel_wise_divergence.h"
#include "losses/dist.h"
#include "losses/distance_wise_rkd.h"
#include "losses/dkd.h"
#include "losses/kd_soft_ce.h"
#include "losses/kl_divergence.h"
#include "losses/l1.h"
#include "losses/l2.h"
#include "losses/pkd.h"
#include "losses/wsld.h"
#include "razor/plugin.h"
#include "recorders.h"
#include "single_teacher_distill.h"

using namespace razor::distill;
using namespace razor::kd;

RAZOR_PLUGIN(
    "distill", "0.2.0", "Knowledge distillation: recorders, connectors, distillers, losses, teacher-student training",
    razor::component<TapRecorder>("tap", "What passes a tap of the model during a forward (one tensor per call)"),
    razor::component<OutputRecorder>("output", "The model's output (its last tap: the logits of a zoo model)"),
    razor::component<LabelsRecorder>("labels", "The batch's class labels (for losses that take gt_labels)"),
    razor::component<ConvBnConnector>(
        "conv_bn", "1x1 convolution + batch norm: maps [N, in, H, W] to [N, out, H, W] (FitNets' regressor)"),
    razor::component<LinearConnector>("linear", "Fully connected layer: maps [N, in] to [N, out]"),
    razor::component<NormConnector>("norm", "Batch normalisation of a [N, C] or [N, C, H, W] feature (same shape out)"),
    razor::component<ConfigurableDistiller>(
        "configurable",
        "Recorders, connectors and distillation losses from the config, with the mapping of recorded tensors to "
        "loss arguments (checked when built)"),
    razor::component<SingleTeacherDistill>(
        "single_teacher_distill",
        "Trains a student (a model, or a one-pass algorithm such as spos) with a distiller's losses against one teacher"),
    razor::component<KlDivergence>("kl_divergence",
                                   "Hinton KD: tau^2 * KL(softmax(preds_T/tau) || softmax(preds_S/tau)) over dim 1"),
    razor::component<DkdLoss>(
        "dkd", "Decoupled KD: tau^2 * (alpha * KL of the target/non-target split + beta * KL among non-target classes)"),
    razor::component<WsldLoss>("wsld", "Weighted soft labels: tau^2 * mean of (1 - exp(-CE_S/CE_T)) * soft cross-entropy"),
    razor::component<DistLoss>(
        "dist", "DIST: tau^2 * (inter * (1 - Pearson per sample) + intra * (1 - Pearson per class)) of the softmaxes"),
    razor::component<KdSoftCeLoss>(
        "kd_soft_ce", "KD as soft-label cross-entropy: -sum softmax(preds_T/tau) * log_softmax(preds_S/tau), per sample"),
    razor::component<ChannelWiseDivergence>(
        "channel_wise_divergence",
        "CWD: per channel, KL between the spatial softmaxes of preds_T and preds_S ([N, C, H, W]), tau^2 / (N*C)"),
    razor::component<L2Loss>("l2", "FitNets hint: sum of squared differences of the (normalised) features, divided by N"),
    razor::component<L1Loss>("l1", "Mean (or sum) absolute difference between preds_S and preds_T"),
    razor::component<AttentionTransferLoss>(
        "attention_transfer",
        "AT: mean squared difference of the normalised attention maps mean_c(x^2); channel counts may differ"),
    razor::component<PkdLoss>(
        "pkd", "PKD: half the MSE of per-channel standardised feature maps (about 1 - Pearson correlation, channel mean)"),
    razor::component<DistanceWiseRkd>(
        "distance_wise_rkd", "RKD distance: smooth-L1 between the batch's pairwise distances, each scaled by its mean"),
    razor::component<AngleWiseRkd>(
        "angle_wise_rkd", "RKD angle: smooth-L1 between the cosines of the angles formed by every triplet of samples"))
