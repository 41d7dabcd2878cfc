#pragma once
// Sealed files: a checkpoint's bytes behind a one-line header with their size and SHA-256, written to a
// temporary file, flushed to the disk and renamed. A reader gets the bytes exactly as written, or an
// error naming the file and what is wrong: missing header, truncated, or changed since written.
#include <string>

namespace razor::host {

/// Writes "razor-sealed 1 <size> <sha256>\n" and `bytes` to `path` atomically and durably. Throws
/// razor::Error naming the file (and the system's reason, e.g. no space left) when it cannot; the
/// previous file at `path`, if any, is then left as it was.
void write_sealed(const std::string& path, const std::string& bytes);

/// The bytes of a sealed file. `what` names the kind of file in messages ("checkpoint"). Only bytes that
/// match their seal are returned: LibTorch's archive reader is not hardened against damaged archives
/// (fuzzing crashed it), so nothing unchecked reaches it.
std::string read_sealed(const std::string& path, const std::string& what);

}  // namespace razor::host
