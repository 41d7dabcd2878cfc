#pragma once
// The int8 gate of the export: the int8 TorchScript module against the simulated (fake-quantized)
// model it was made from, on every validation image. Simulation and kernels round the same values to
// the same grids, but the kernels sum in integers and round once more inside, so a few predictions on
// a knife's edge may change; the gate bounds how many.
#include <cstdint>

#include <c10/core/Device.h>
#include <torch/csrc/jit/api/module.h>

#include "razor/algorithm.h"
#include "session/batch_loader.h"

namespace razor::host {

struct Int8Check {
  std::int64_t images = 0;
  double agreement = 0;        // fraction of images where both predict the same class
  double top1_simulated = 0;   // %
  double top1_int8 = 0;        // %
  double max_abs_diff = 0;     // largest output difference
};

/// Runs both on the loader's images (the int8 module on the CPU, where its kernels are).
Int8Check compare_int8(Algorithm& algorithm, torch::jit::Module& int8, const BatchLoader& val, c10::Device device);

/// Throws razor::Error "export refused: ..." when agreement < min_agreement or the top-1 gap exceeds
/// max_top1_gap points and one image's worth.
void check_int8_gate(const Int8Check& check, double min_agreement, double max_top1_gap);

}  // namespace razor::host
