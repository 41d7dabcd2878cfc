// The pruning plugin: channel pruning on traced channel units — the channel mutator, AutoSlim and its
// greedy search, and iterative pruning by channel importance (L1, FPGM).
#include "autoslim.h"
#include "channel_mutator.h"
#include "criteria.h"
#include "greedy_slim.h"
#include "iterative_prune.h"
#include "razor/plugin.h"

using namespace razor::pruning;

RAZOR_PLUGIN(
    "pruning", "0.1.0", "Channel pruning: traced channel units, slimmable training (AutoSlim), iterative L1/FPGM pruning",
    razor::component<ChannelMutator>(
        "channel", "One search group per prunable channel unit (found by tracing the model), choices are width ratios"),
    razor::component<AutoSlim>(
        "autoslim",
        "Sandwich-rule training of a slimmable network: max, min and random subnets per step, in-place distillation"),
    razor::component<GreedySlimSearcher>(
        "greedy_slim",
        "AutoSlim's greedy search: from the largest subnet, lower the unit whose narrowing scores best, one ratio "
        "step a round, until each cost target is met (largest target first)"),
    razor::component<IterativePrune>(
        "iterative_prune",
        "Prunes while fine-tuning: every step_freq steps, prune_times times, each channel unit keeps its most "
        "important channels (by the pruner) on a linear schedule to its keep ratio"),
    razor::component<L1Pruner>("l1",
                               "Channel importance = mean absolute filter weight (L1 norm), averaged over the unit's layers"),
    razor::component<FpgmPruner>("fpgm",
                                 "Channel importance = summed distance of its filter to the others' (FPGM: near the "
                                 "geometric median = replaceable)"))
