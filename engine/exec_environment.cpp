#include "engine/exec_environment.h"

#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <utility>

namespace nsbench::engine {

Result<DirectoryHandle> DirectoryHandle::open(const std::string& path) {
  const int fd = ::open(path.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return system_error("open directory", path);
  return DirectoryHandle(fd, path);
}

DirectoryHandle::DirectoryHandle(DirectoryHandle&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)), path_(std::move(other.path_)) {}

DirectoryHandle::~DirectoryHandle() {
  if (fd_ >= 0)
    close(fd_);
}

Result<> apply(const ExecEnvironment& environment) {
  if (environment.root) {
    if (fchdir(environment.root->fd()) < 0 || chroot(".") < 0) {
      return system_error("change root", environment.root->path());
    }
  }
  if (environment.working_directory) {
    if (fchdir(environment.working_directory->fd()) < 0) {
      return system_error("change directory", environment.working_directory->path());
    }
  } else if (!environment.working_directory_path.empty()) {
    if (chdir(environment.working_directory_path.c_str()) < 0)
      return system_error("change directory", environment.working_directory_path);
  } else if (environment.root && chdir("/") < 0) {
    return system_error("change directory", "/");
  }

  if (environment.gid) {
    if (setgroups(0, nullptr) < 0 && errno != EPERM)
      return system_error("drop groups");
    if (setresgid(*environment.gid, *environment.gid, *environment.gid) < 0) {
      return system_error("set group", std::to_string(*environment.gid));
    }
  }
  if (environment.uid && setresuid(*environment.uid, *environment.uid, *environment.uid) < 0) {
    return system_error("set user", std::to_string(*environment.uid));
  }

  if (environment.parent_death_signal != 0) {
    if (prctl(PR_SET_PDEATHSIG, environment.parent_death_signal, 0, 0, 0) < 0) {
      return system_error("set parent death signal");
    }
  }
  return {};
}

}  // namespace nsbench::engine
