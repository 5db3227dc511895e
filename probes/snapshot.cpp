#include "probes/snapshot.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace nsbench::probes {

double LatencyHistogram::quantile_seconds(double q) const {
  if (count == 0)
    return std::numeric_limits<double>::quiet_NaN();
  const double rank = q * static_cast<double>(count);

  uint64_t below = 0;
  for (int slot = 0; slot < kLatencySlots; ++slot) {
    const uint64_t in_slot = slots[slot];
    if (in_slot == 0)
      continue;
    if (static_cast<double>(below + in_slot) >= rank) {
      const double lower = slot == 0 ? 0.0 : static_cast<double>(slot_upper_edge_ns(slot - 1));
      const double upper = static_cast<double>(slot_upper_edge_ns(slot));
      const double fraction = (rank - static_cast<double>(below)) / static_cast<double>(in_slot);
      return (lower + (upper - lower) * fraction) * 1e-9;
    }
    below += in_slot;
  }
  return static_cast<double>(slot_upper_edge_ns(kLatencySlots - 1)) * 1e-9;
}

int LatencyHistogram::slot_of_quantile(double q) const {
  if (count == 0)
    return -1;
  const double rank = q * static_cast<double>(count);
  uint64_t below = 0;
  for (int slot = 0; slot < kLatencySlots; ++slot) {
    below += slots[slot];
    if (slots[slot] != 0 && static_cast<double>(below) >= rank)
      return slot;
  }
  return kLatencySlots - 1;
}

void LatencyHistogram::add(const LatencyHistogram& other) {
  for (int slot = 0; slot < kLatencySlots; ++slot)
    slots[slot] += other.slots[slot];
  count += other.count;
  sum_ns += other.sum_ns;
}

LatencyHistogram LatencyHistogram::since(const LatencyHistogram& earlier) const {
  const auto minus = [](uint64_t later, uint64_t before) {
    return later - std::min(later, before);
  };
  LatencyHistogram difference = *this;
  for (int slot = 0; slot < kLatencySlots; ++slot)
    difference.slots[slot] = minus(slots[slot], earlier.slots[slot]);
  difference.count = minus(count, earlier.count);
  difference.sum_ns = minus(sum_ns, earlier.sum_ns);
  return difference;
}

LatencyHistogram Snapshot::merged(const std::string& syscall, const std::string& ns_type,
                                  const std::string& result) const {
  LatencyHistogram total;
  total.syscall = syscall;
  total.ns_type = ns_type;
  total.result = result;
  for (const LatencyHistogram& h : latencies) {
    if (h.syscall != syscall || (!ns_type.empty() && h.ns_type != ns_type) ||
        (!result.empty() && h.result != result)) {
      continue;
    }
    total.add(h);
  }
  return total;
}

}  // namespace nsbench::probes
