#include "engine/mounts.h"

#include <sys/mount.h>

namespace nsbench::engine {

Result<> make_mounts_private() {
  if (mount("none", "/", nullptr, MS_REC | MS_PRIVATE, nullptr) < 0) {
    return system_error("make / recursively private", "mnt",
                        "needs a new mount namespace and CAP_SYS_ADMIN");
  }
  return {};
}

Result<> mount_proc(const std::string& directory) {
  if (mount("proc", directory.c_str(), "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr) < 0) {
    return system_error("mount proc on " + directory, "mnt",
                        "needs a new mount namespace inside a new PID namespace");
  }
  return {};
}

}  // namespace nsbench::engine
