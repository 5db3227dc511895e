#include "exporter/histogram_buckets.h"

#include <cstdint>
#include <limits>

namespace nsbench::exporter {

double slot_upper_edge_seconds(int slot) {
  return static_cast<double>(probes::slot_upper_edge_ns(slot)) / 1e9;
}

prometheus::ClientMetric::Histogram to_prometheus_histogram(
    const probes::LatencyHistogram& latency) {
  prometheus::ClientMetric::Histogram histogram;

  // The BPF side bumps a slot and the total with separate atomic adds, so a snapshot read while
  // events arrive can see one without the other. Prometheus rejects a histogram whose +Inf bucket
  // differs from _count or whose buckets decrease, so every figure is derived from the slots alone.
  uint64_t cumulative = 0;
  for (int slot = 0; slot < probes::kLatencySlots; ++slot) {
    cumulative += latency.slots[slot];
    if (slot >= kFirstExportedSlot && slot <= kLastExportedSlot) {
      histogram.bucket.push_back({cumulative, slot_upper_edge_seconds(slot)});
    }
  }
  histogram.bucket.push_back({cumulative, std::numeric_limits<double>::infinity()});

  histogram.sample_count = cumulative;
  histogram.sample_sum = static_cast<double>(latency.sum_ns) / 1e9;
  return histogram;
}

}  // namespace nsbench::exporter
