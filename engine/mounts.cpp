#include "engine/mounts.h"

#include <sys/mount.h>

#include <cerrno>

namespace nsbench::engine {

std::optional<Propagation> propagation_from_name(std::string_view name) {
  if (name == "private")
    return Propagation::private_;
  if (name == "slave")
    return Propagation::slave;
  if (name == "shared")
    return Propagation::shared;
  if (name == "unchanged")
    return Propagation::unchanged;
  return std::nullopt;
}

Result<> set_mount_propagation(Propagation propagation) {
  unsigned long flag = 0;
  switch (propagation) {
    case Propagation::private_:
      flag = MS_PRIVATE;
      break;
    case Propagation::slave:
      flag = MS_SLAVE;
      break;
    case Propagation::shared:
      flag = MS_SHARED;
      break;
    case Propagation::unchanged:
      return {};
  }
  if (mount("none", "/", nullptr, MS_REC | flag, nullptr) < 0) {
    return system_error("set the propagation of /", "mnt",
                        "needs a new mount namespace and CAP_SYS_ADMIN");
  }
  return {};
}

Result<> make_mounts_private() {
  return set_mount_propagation(Propagation::private_);
}

Result<> mount_proc(const std::string& directory) {
  if (mount("proc", directory.c_str(), "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr) < 0) {
    const bool missing = errno == ENOENT || errno == ENOTDIR;
    return system_error("mount proc on " + directory, "mnt",
                        missing ? "the directory must exist"
                                : "needs a new mount namespace inside a new PID namespace");
  }
  return {};
}

}  // namespace nsbench::engine
