#pragma once
/// A zip archive checked before LibTorch's reader opens it (torch.save, torch.jit.save and razor's own
/// files are zip archives): LibTorch's reader trusts the archive's offsets and sizes, and a damaged one
/// crashed it. Every entry of the central directory must have its local header where it says, lie inside
/// the file, and have the CRC-32 it records (stored entries, and deflated ones once inflated).
///
/// Example: razor::check_zip_archive("model.pt");  // throws "damaged zip archive: entry 'x/data/0' ..."
#include <string>

#include "razor/export.h"

namespace razor {

/// Throws razor::Error("damaged zip archive: <what>") or ("not a zip archive: <what>"); the caller
/// names the file.
RAZOR_API void check_zip_archive(const std::string& path);

}  // namespace razor
