// The live terminal view of `nsbench trace`: one line per (syscall, namespace type, result) with
// the call rate since the last refresh, the median and p99, and the shape of the log2 histogram.
#pragma once

#include <string>

#include "probes/snapshot.h"

namespace nsbench::cli {

// Renders `current`; rates are computed against `previous`, taken `interval_seconds` earlier.
std::string format_trace_view(const probes::Snapshot& current, const probes::Snapshot& previous,
                              double interval_seconds);

// The distribution over the slots from 1 us to about 1 s, one character per power of two, in
// eighths of the fullest slot (' ' for none): a histogram that fits on one line.
std::string histogram_sparkline(const probes::LatencyHistogram& histogram);

}  // namespace nsbench::cli
