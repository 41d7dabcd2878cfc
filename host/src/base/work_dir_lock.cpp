#include "base/work_dir_lock.h"

#include <cerrno>
#include <cstring>
#include <string>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <fmt/format.h>

#include "razor/errors.h"

namespace razor::host {

WorkDirLock::WorkDirLock(const std::string& work_dir) {
  const std::string file = work_dir + "/.lock";
  fd_ = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0) throw Error(fmt::format("{}: cannot create the work dir's lock file: {}", file, std::strerror(errno)));
  if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    char pid[32] = {};
    const ssize_t n = ::pread(fd_, pid, sizeof pid - 1, 0);
    ::close(fd_);
    fd_ = -1;
    const std::string holder = n > 0 ? std::string(pid, static_cast<std::size_t>(n)) : std::string("?");
    throw Error(fmt::format("{}: in use by another razor-host run (pid {}); wait for it to end, or choose another --work-dir",
                            work_dir, holder.substr(0, holder.find('\n'))));
  }
  const std::string pid = std::to_string(::getpid()) + "\n";
  if (::ftruncate(fd_, 0) == 0) (void)::pwrite(fd_, pid.data(), pid.size(), 0);
}

WorkDirLock::~WorkDirLock() {
  if (fd_ >= 0) ::close(fd_);
}

}  // namespace razor::host
