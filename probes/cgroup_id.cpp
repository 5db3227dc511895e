#include "probes/cgroup_id.h"

#include <fcntl.h>
#include <linux/magic.h>
#include <sys/vfs.h>

#include <cstring>

namespace nsbench::probes {

Result<uint64_t> cgroup_id_of(const std::string& directory) {
  struct statfs filesystem {};
  if (statfs(directory.c_str(), &filesystem) != 0)
    return system_error("read the cgroup id", directory);
  if (filesystem.f_type != CGROUP2_SUPER_MAGIC) {
    return std::unexpected(Error{"read the cgroup id", directory, 0,
                                 "not a directory of the cgroup v2 hierarchy (the probes only see "
                                 "cgroup v2 ids)"});
  }

  // A cgroup's id is its kernfs node id, which the kernel hands out as the 8-byte file handle of
  // the directory; unlike st_ino it is the full id on 32-bit systems too.
  alignas(file_handle) unsigned char buffer[sizeof(file_handle) + sizeof(uint64_t)] = {};
  auto* handle = reinterpret_cast<file_handle*>(buffer);
  handle->handle_bytes = sizeof(uint64_t);
  int mount_id = 0;
  if (name_to_handle_at(AT_FDCWD, directory.c_str(), handle, &mount_id, 0) != 0)
    return system_error("read the cgroup id", directory);

  uint64_t id = 0;
  std::memcpy(&id, handle->f_handle, sizeof(id));
  return id;
}

}  // namespace nsbench::probes
