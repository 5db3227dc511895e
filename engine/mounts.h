// Mount operations a new mount namespace needs before it is usable for a container.
#pragma once

#include <string>

#include "common/result.h"

namespace nsbench::engine {

// Marks every mount recursively private, so that nothing mounted afterwards propagates back to
// the parent mount namespace (on systemd hosts / is shared by default).
Result<> make_mounts_private();

// Mounts a fresh proc file system at `directory`, showing the caller's current PID namespace.
Result<> mount_proc(const std::string& directory = "/proc");

}  // namespace nsbench::engine
