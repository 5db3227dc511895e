// What a command gets besides its namespaces: root and working directory, user and group, and
// whether it dies with its parent. Applied in the child, right before exec.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>

#include "common/result.h"

namespace nsbench::engine {

// An open directory; closed when destroyed. Directories are opened before any namespace is joined,
// because joining a mount namespace changes what a path means.
class DirectoryHandle {
 public:
  static Result<DirectoryHandle> open(const std::string& path);
  DirectoryHandle(DirectoryHandle&& other) noexcept;
  DirectoryHandle& operator=(DirectoryHandle&&) = delete;
  DirectoryHandle(const DirectoryHandle&) = delete;
  ~DirectoryHandle();
  int fd() const { return fd_; }
  const std::string& path() const { return path_; }

 private:
  DirectoryHandle(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  int fd_;
  std::string path_;
};

struct ExecEnvironment {
  std::optional<DirectoryHandle> root;               // chroot here (then cd /)
  std::optional<DirectoryHandle> working_directory;  // then cd here
  // Or cd to this path, looked up where the command runs (in the namespaces joined, under the
  // new root) rather than opened beforehand: nsenter's --wdns.
  std::string working_directory_path;
  std::optional<gid_t> gid;     // setgid, and drop supplementary groups
  std::optional<uid_t> uid;     // setuid, after the group
  int parent_death_signal = 0;  // sent to the command when nsbench dies

  bool empty() const {
    return !root && !working_directory && working_directory_path.empty() && !gid && !uid &&
           parent_death_signal == 0;
  }
};

// Applies `environment` to the calling process, in the order the kernel requires: directories
// while still privileged, the group before the user (setuid drops the right to setgid).
Result<> apply(const ExecEnvironment& environment);

}  // namespace nsbench::engine
