// The kd_losses plugin: distillation losses (kind "distill_loss") for a distiller to weigh student
// against teacher tensors. Options are declared next to each loss, in its info().
#include "feature_losses.h"
#include "logit_losses.h"
#include "razor/plugin.h"
#include "relation_losses.h"

RAZOR_PLUGIN("kd_losses", "0.1.0", "Knowledge-distillation losses between student and teacher tensors",
             razor::kd::KlDivergence::info(), razor::kd::DkdLoss::info(), razor::kd::WsldLoss::info(),
             razor::kd::DistLoss::info(), razor::kd::KdSoftCeLoss::info(),
             razor::kd::ChannelWiseDivergence::info(), razor::kd::L2Loss::info(), razor::kd::L1Loss::info(),
             razor::kd::AttentionTransferLoss::info(), razor::kd::PkdLoss::info(),
             razor::kd::DistanceWiseRkd::info(), razor::kd::AngleWiseRkd::info())
