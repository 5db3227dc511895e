// Reading which namespace a process is in, by the inode of /proc/PID/ns/TYPE.
#pragma once

#include <sys/stat.h>
#include <sys/types.h>

#include <string>

#include "engine/namespace_type.h"

namespace nsbench::testing {

inline ino_t namespace_inode(const std::string& pid, engine::NamespaceType type) {
  struct stat info {};
  const std::string path = "/proc/" + pid + "/ns/" + std::string(engine::name(type));
  if (stat(path.c_str(), &info) != 0)
    return 0;
  return info.st_ino;
}

inline ino_t namespace_inode(pid_t pid, engine::NamespaceType type) {
  return namespace_inode(std::to_string(pid), type);
}

}  // namespace nsbench::testing
