#include "engine/time_namespace.h"

#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

#include <ctime>
#include <string>

#include "engine/diagnostics.h"
#include "engine/join.h"
#include "engine/spawn.h"

namespace nsbench::engine {

Result<> enter_new_time_namespace(const ClockOffsets& offsets) {
  const NamespaceSet time = NamespaceSet::of({NamespaceType::time});
  if (auto unshared = unshare_namespaces(time); !unshared)
    return unshared;

  // One write of every line: the kernel takes the offsets of a namespace in a single write.
  const std::string lines = "monotonic " + std::to_string(offsets.monotonic_seconds) + " 0\n" +
                            "boottime " + std::to_string(offsets.boottime_seconds) + " 0\n";
  const int fd = open("/proc/self/timens_offsets", O_WRONLY | O_CLOEXEC);
  if (fd < 0)
    return system_error("open", "/proc/self/timens_offsets");
  const bool written = write(fd, lines.data(), lines.size()) == static_cast<ssize_t>(lines.size());
  const int saved = errno;
  close(fd);
  if (!written) {
    errno = saved;
    return system_error("write clock offsets", "/proc/self/timens_offsets",
                        saved == ERANGE ? "an offset would take a clock below zero or past its "
                                          "limit"
                                        : "");
  }

  const int namespace_fd = open("/proc/self/ns/time_for_children", O_RDONLY | O_CLOEXEC);
  if (namespace_fd < 0)
    return system_error("open", "/proc/self/ns/time_for_children");
  auto joined =
      join_namespace_fd(namespace_fd, NamespaceType::time, "/proc/self/ns/time_for_children");
  close(namespace_fd);
  return joined;
}

}  // namespace nsbench::engine
