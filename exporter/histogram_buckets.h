// Turns the probes' log2 latency slots into a Prometheus histogram: cumulative buckets whose upper
// edges are powers of two nanoseconds, written in seconds.
#pragma once

#include <prometheus/client_metric.h>

#include "probes/snapshot.h"

namespace nsbench::exporter {

// Exported `le` edges are 2^10 ns (about 1 us) to 2^32 ns (about 4.3 s). Below 1 us nothing a
// namespace syscall does is measurable, so slots 0..10 fold into the first bucket; slots above 32
// are counted only by +Inf, which keeps the series count per label set at 24.
inline constexpr int kFirstExportedSlot = 10;
inline constexpr int kLastExportedSlot = 32;

// Upper edge of a slot in seconds. Dividing by 1e9 rather than multiplying by 1e-9 gives the double
// nearest to the decimal value, so 2^10 ns prints as exactly "1.024e-06".
// TODO: prometheus-cpp prints doubles with 16 significant digits, not the shortest form, so two
// edges read le="8.192000000000001e-06" (2^13 ns) and le="0.008388608000000001" (2^23 ns). They
// parse to the same doubles as the short forms, so bucketing and histogram_quantile are exact, but
// a query that matches `le` as a string must spell these two the long way.
double slot_upper_edge_seconds(int slot);

// The histogram for one label set, with an explicit +Inf bucket. The count comes from the slots,
// not from LatencyHistogram::count: see the definition for why.
prometheus::ClientMetric::Histogram to_prometheus_histogram(
    const probes::LatencyHistogram& latency);

}  // namespace nsbench::exporter
