// Time namespaces with clock offsets: CLOCK_MONOTONIC and CLOCK_BOOTTIME as seen inside can be
// shifted, e.g. to make a restored container's clocks continue where they stopped.
#pragma once

#include <cstdint>

#include "common/result.h"

namespace nsbench::engine {

struct ClockOffsets {
  int64_t monotonic_seconds = 0;
  int64_t boottime_seconds = 0;
  bool empty() const { return monotonic_seconds == 0 && boottime_seconds == 0; }
};

// Moves the calling process into a new time namespace whose clocks are shifted by `offsets`. The
// kernel accepts offsets only before any process has entered the namespace, so this creates it
// for the caller's children (unshare), writes the offsets, then enters it through
// /proc/self/ns/time_for_children. The caller must be single-threaded.
Result<> enter_new_time_namespace(const ClockOffsets& offsets);

}  // namespace nsbench::engine
