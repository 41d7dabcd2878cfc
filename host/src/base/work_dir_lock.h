#pragma once
// One run per work dir: an exclusive lock on <work dir>/.lock for the life of the run. The kernel
// drops it when the process ends, however it ends, so a killed run leaves no stale lock and --resume
// works at once; a second run while the first lives is refused.
#include <string>

namespace razor::host {

class WorkDirLock {
 public:
  /// Throws razor::Error naming the work dir (and the pid holding it) when another run holds it.
  explicit WorkDirLock(const std::string& work_dir);
  ~WorkDirLock();
  WorkDirLock(const WorkDirLock&) = delete;
  WorkDirLock& operator=(const WorkDirLock&) = delete;

 private:
  int fd_ = -1;
};

}  // namespace razor::host
