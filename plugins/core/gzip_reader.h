#pragma once
// Whole-file reads for the built-in datasets, with transparent gunzip for ".gz" paths.
#include <cstddef>
#include <string>

namespace razor::core {

/// Reads a whole file; when `path` ends in ".gz" returns the decompressed contents instead.
/// Throws razor::DataError with one line naming the file, e.g.
///   "/x/train-images-idx3-ubyte.gz: cannot open: No such file or directory"
///   "/x/train-images-idx3-ubyte.gz: corrupt gzip data (invalid block type)"
std::string read_file_bytes(const std::string& path);

/// The first `max_bytes` of a file (all of a shorter one), as stored. Throws as read_file_bytes.
std::string read_file_start(const std::string& path, std::size_t max_bytes);

/// Decompresses gzip data held in memory (concatenated gzip members are joined, as gzip(1) does).
/// Throws razor::DataError "<name_for_errors>: corrupt gzip data (<why>)".
std::string gunzip(const void* data, std::size_t size, const std::string& name_for_errors);

/// True when `path` ends in ".gz".
bool is_gz_path(const std::string& path);

}  // namespace razor::core
