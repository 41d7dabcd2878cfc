#pragma once
// The quantized engine that packs and runs the int8 kernels: "onednn" (x86) or "qnnpack" (ARM).
#include <string>

namespace razor::quantization {

/// Why `engine` cannot be used here, or "" when it can: not in this LibTorch build, or qnnpack on an
/// x86 machine (its kernels are made for ARM; on x86 they run slower than float).
std::string engine_refusal(const std::string& engine);
/// Makes `engine` LibTorch's quantized engine; throws razor::Error with engine_refusal's reason.
void use_engine(const std::string& engine);

}  // namespace razor::quantization
