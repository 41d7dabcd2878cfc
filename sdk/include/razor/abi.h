#pragma once
/// The plugin ABI contract: a plugin loads only if its ABI version and build tag equal the host's.
/// Bump kSdkAbiVersion on any change to an SDK class layout, virtual table or descriptor field.
#include <cstdint>

#include <torch/version.h>

#include "razor/export.h"

namespace razor {

inline constexpr std::uint32_t kSdkAbiVersion = 10;

#define RAZOR_STR2(x) #x
#define RAZOR_STR(x) RAZOR_STR2(x)

/// What must match between host and plugin besides the ABI number: LibTorch major.minor (its classes
/// cross the boundary), the libstdc++ dual ABI flag (std::string layout) and the compiler family/major.
/// Example: "torch-1.13 cxx11abi-1 gcc-12"
#define RAZOR_BUILD_TAG                                                                  \
  "torch-" RAZOR_STR(TORCH_VERSION_MAJOR) "." RAZOR_STR(TORCH_VERSION_MINOR)           \
  " cxx11abi-" RAZOR_STR(_GLIBCXX_USE_CXX11_ABI) " " RAZOR_COMPILER_TAG

#if defined(__clang__)
#define RAZOR_COMPILER_TAG "clang-" RAZOR_STR(__clang_major__)
#elif defined(__GNUC__)
#define RAZOR_COMPILER_TAG "gcc-" RAZOR_STR(__GNUC__)
#else
#define RAZOR_COMPILER_TAG "unknown-compiler"
#endif

/// The build tag of the SDK library itself (what the host compares plugins against).
RAZOR_API const char* sdk_build_tag();

}  // namespace razor
