#pragma once
// Keeping the ranks' copies of a model the same: rank 0's state at the start, batch-norm statistics
// at evaluations and checkpoints, and a check that training has not let the copies drift apart.
#include <string>

#include <torch/nn/module.h>

#include "parallel/group.h"

namespace razor::host {

/// How running statistics (and other buffers) are made the same on every rank before they are used:
/// "rank0" copies rank 0's (as DDP's broadcast_buffers does), "average" averages floating-point ones
/// over the ranks (the global batch's mean exactly; variances are the mean of the ranks' variances).
enum class BufferSync { rank0, average };

/// Parses "rank0" / "average"; anything else throws razor::Error.
BufferSync parse_buffer_sync(const std::string& text);

/// Copies rank 0's parameters and buffers into every rank's module.
void broadcast_module(Group& group, torch::nn::Module& module);

/// Makes every rank's buffers the same, as `mode` says.
void sync_buffers(Group& group, torch::nn::Module& module, BufferSync mode);

/// Throws razor::Error naming the first rank whose parameters differ from rank 0's (by a checksum,
/// relative tolerance 1e-9): a step that was not the same everywhere, e.g. a subnet sampled from a
/// generator seeded per rank.
void check_ranks_agree(Group& group, torch::nn::Module& module, const std::string& where);

}  // namespace razor::host
