// Mount operations a new mount namespace needs before it is usable for a container.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"

namespace nsbench::engine {

// How mount events travel between a new mount namespace and the one it was copied from.
enum class Propagation { private_, slave, shared, unchanged };

// "private", "slave", "shared", "unchanged" (util-linux's --propagation words).
std::optional<Propagation> propagation_from_name(std::string_view name);

// Sets the propagation of every mount, recursively. The default, private, keeps anything mounted
// afterwards from propagating back to the parent namespace (on systemd hosts / is shared).
Result<> set_mount_propagation(Propagation propagation);

// set_mount_propagation(Propagation::private_).
Result<> make_mounts_private();

// Mounts a fresh proc file system at `directory`, showing the caller's current PID namespace.
Result<> mount_proc(const std::string& directory = "/proc");

}  // namespace nsbench::engine
