#include "engine/join.h"

#include <fcntl.h>
#include <linux/nsfs.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <array>
#include <utility>
#include <vector>

#include "engine/diagnostics.h"

namespace nsbench::engine {

namespace {

class FileDescriptor {
 public:
  explicit FileDescriptor(int fd) : fd_(fd) {}
  FileDescriptor(FileDescriptor&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  FileDescriptor& operator=(FileDescriptor&&) = delete;
  ~FileDescriptor() {
    if (fd_ >= 0)
      close(fd_);
  }
  int get() const { return fd_; }

 private:
  int fd_;
};

// The order in which namespaces are joined one at a time. The mount namespace comes late because
// joining it changes how later paths resolve (all files are opened before any join anyway); the
// user namespace is placed first or last at run time depending on privilege.
constexpr std::array<NamespaceType, 7> kJoinOrder = {
    NamespaceType::cgroup, NamespaceType::ipc, NamespaceType::uts, NamespaceType::net,
    NamespaceType::pid,    NamespaceType::mnt, NamespaceType::time};

std::string proc_ns_path(pid_t target, NamespaceType type) {
  return "/proc/" + std::to_string(target) + "/ns/" + std::string(name(type));
}

struct OpenNamespace {
  NamespaceType type;
  std::string path;
  FileDescriptor fd;
};

// Joins already opened namespace files. An unprivileged caller needs the capabilities it gains in
// the target's user namespace to join the others, so it enters that one first; a privileged caller
// would lose its host capabilities by entering it first, so it enters it last.
Result<> join_open_namespaces(std::vector<OpenNamespace>& opened) {
  const bool privileged = geteuid() == 0;
  auto join_user = [&]() -> Result<> {
    for (OpenNamespace& entry : opened) {
      if (entry.type == NamespaceType::user)
        return join_namespace_fd(entry.fd.get(), entry.type, entry.path);
    }
    return {};
  };

  if (!privileged) {
    if (auto joined = join_user(); !joined)
      return joined;
  }
  for (NamespaceType type : kJoinOrder) {
    for (OpenNamespace& entry : opened) {
      if (entry.type != type)
        continue;
      if (auto joined = join_namespace_fd(entry.fd.get(), type, entry.path); !joined)
        return joined;
    }
  }
  if (privileged)
    return join_user();
  return {};
}

// Whether setns() takes a pidfd (Linux 5.8+). Asked once, by joining our own UTS namespace through
// our own pidfd: a kernel without the feature says EINVAL (not a namespace file); one with it
// succeeds, or refuses for lack of privilege with EPERM, which still shows the support.
bool kernel_joins_through_pidfds() {
  static const bool supported = [] {
    const int own = static_cast<int>(syscall(SYS_pidfd_open, getpid(), 0));
    if (own < 0)
      return false;
    FileDescriptor owned(own);
    return setns(own, CLONE_NEWUTS) == 0 || errno != EINVAL;
  }();
  return supported;
}

}  // namespace

Result<> join_namespace_fd(int fd, NamespaceType type, const std::string& subject) {
  const NamespaceSet one = NamespaceSet::of({type});
  if (setns(fd, static_cast<int>(clone_flag(type))) < 0) {
    const int setns_errno = errno;
    std::string hint = hint_for(setns_errno, one);
    // The likeliest EINVAL by file is a file of another type (--mount=/proc/PID/ns/net): name it.
    if (setns_errno == EINVAL) {
      const int held = ioctl(fd, NS_GET_NSTYPE);
      for (NamespaceType other : kAllNamespaceTypes) {
        if (held >= 0 && static_cast<uint64_t>(held) == clone_flag(other) && other != type) {
          hint = "the file holds a " + std::string(name(other)) + " namespace, not a " +
                 std::string(name(type)) + " one";
        }
      }
      if (held < 0 && errno == ENOTTY)
        hint = "not a namespace file (such as /proc/PID/ns/" + std::string(name(type)) + ")";
    }
    return std::unexpected(Error{"setns " + std::string(name(type)), subject, setns_errno, hint});
  }
  return {};
}

Result<> join_namespace_files(const std::vector<std::pair<NamespaceType, std::string>>& paths) {
  std::vector<OpenNamespace> opened;
  for (const auto& [type, path] : paths) {
    const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      const bool gone = errno == ENOENT && path.starts_with("/proc/");
      return system_error("open namespace file", path, gone ? "the target process has exited" : "");
    }
    opened.push_back(OpenNamespace{type, path, FileDescriptor(fd)});
  }
  return join_open_namespaces(opened);
}

Result<> join_namespaces_by_path(pid_t target, NamespaceSet types) {
  std::vector<std::pair<NamespaceType, std::string>> paths;
  for (NamespaceType type : kAllNamespaceTypes) {
    if (types.contains(type))
      paths.emplace_back(type, proc_ns_path(target, type));
  }
  return join_namespace_files(paths);
}

Result<> join_namespaces(pid_t target, NamespaceSet types) {
  if (types.empty())
    return {};
  const int pidfd = static_cast<int>(syscall(SYS_pidfd_open, target, 0));
  if (pidfd < 0) {
    if (errno == ENOSYS)
      return join_namespaces_by_path(target, types);
    return system_error("pidfd_open", std::to_string(target), hint_for(errno, types));
  }
  FileDescriptor owned(pidfd);

  // One setns() on a pidfd joins every requested namespace atomically (Linux 5.8+). Only where the
  // kernel cannot do that are the namespaces joined one file at a time: falling back after any
  // EINVAL would join some types of a request the kernel refused as a whole.
  if (setns(pidfd, static_cast<int>(types.clone_flags())) == 0)
    return {};
  if (errno == EINVAL && !kernel_joins_through_pidfds())
    return join_namespaces_by_path(target, types);
  return system_error("setns", types.to_string(), hint_for(errno, types));
}

Result<> join_namespace_file(const std::string& path, NamespaceType type) {
  return join_namespace_files({{type, path}});
}

}  // namespace nsbench::engine
