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
    {"mutator", "channel",
     "One search group per prunable channel unit (found by tracing the model), choices are width ratios",
     {{"input_shape", "int[]", nullptr, "[C, H, W] of one input image, for the trace (e.g. [1, 28, 28])"},
      {"ratios", "float[]", "[0.25, 0.5, 0.75, 1.0]", "width ratios each unit may take, ascending"},
      {"divisor", "int", "1", "channel counts are made divisible by this (MobileNet rounding)"},
      {"min_channels", "int", "1", "no unit keeps fewer channels"},
      {"units", "table", "{}",
       "per unit name: { prunable = false } pins it, { ratios = [...] } gives it its own choices"}},
     &razor::make_component<ChannelMutator>},
    autoslim_info(),
    {"searcher", "greedy_slim",
     "AutoSlim's greedy search: from the largest subnet, lower the unit whose narrowing scores best, one ratio "
     "step a round, until each cost target is met (largest target first)",
     {{"targets", "float[]", nullptr, "cost targets, e.g. [2.0e6, 1.2e6] MACs; one subnet each"},
      {"cost", "string", "'flops'", "the estimator's cost the targets bound"}},
     &razor::make_component<GreedySlimSearcher>},
    iterative_prune_info(), l1_pruner_info(), fpgm_pruner_info())
