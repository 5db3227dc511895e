#include "probes/tracefs.h"

#include <sys/mount.h>
#include <unistd.h>

#include <string>

#include "probes/probe_log.h"

namespace nsbench::probes {
namespace {

constexpr const char* kTracefsMountPoint = "/sys/kernel/tracing";
// The older place; libbpf looks there first when it exists.
constexpr const char* kDebugfsTracing = "/sys/kernel/debug/tracing";

bool shows_events(const std::string& directory) {
  return access((directory + "/events").c_str(), F_OK) == 0;
}

}  // namespace

Result<void> ensure_tracefs_mounted() {
  if (shows_events(kTracefsMountPoint) || shows_events(kDebugfsTracing))
    return {};

  if (mount("tracefs", kTracefsMountPoint, "tracefs", MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr) !=
      0) {
    return system_error("mount tracefs", kTracefsMountPoint);
  }
  log_probe_debug(std::string("tracefs was not mounted: mounted it at ") + kTracefsMountPoint +
                  " for the tracepoint attach mode");
  return {};
}

}  // namespace nsbench::probes
