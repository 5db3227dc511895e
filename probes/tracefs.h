// The tracepoint attach mode finds event ids under tracefs, which some systems (the development
// machine among them) leave unmounted at boot.
#pragma once

#include "common/result.h"

namespace nsbench::probes {

// Succeeds when tracefs shows its events at /sys/kernel/tracing or /sys/kernel/debug/tracing;
// when neither does, mounts tracefs at /sys/kernel/tracing (needs CAP_SYS_ADMIN) and says so in a
// debug line. The mount is left in place: other tracers may start using it, and it costs nothing.
Result<void> ensure_tracefs_mounted();

}  // namespace nsbench::probes
