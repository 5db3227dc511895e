// Hand-made probe snapshots and benchmark results for the exporter and dashboard tests.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "bench/summary.h"
#include "probes/snapshot.h"

namespace nsbench::testing {

// A histogram holding exactly `observations_ns`, slotted by the rule the BPF side applies.
inline probes::LatencyHistogram histogram_of(std::string syscall, std::string ns_type,
                                             std::string result,
                                             const std::vector<uint64_t>& observations_ns) {
  probes::LatencyHistogram histogram;
  histogram.syscall = std::move(syscall);
  histogram.ns_type = std::move(ns_type);
  histogram.result = std::move(result);
  for (const uint64_t ns : observations_ns) {
    ++histogram.slots[probes::slot_for_ns(ns)];
    ++histogram.count;
    histogram.sum_ns += ns;
  }
  return histogram;
}

// A snapshot as a run of the unshare and setns scenarios would leave it. `scale` multiplies every
// observation count, so that successive snapshots grow like live counters.
inline probes::Snapshot sample_snapshot(uint64_t scale = 1) {
  std::vector<uint64_t> fast;
  std::vector<uint64_t> slow;
  for (uint64_t i = 0; i < 20 * scale; ++i)
    fast.push_back(3'000 + i * 250);
  for (uint64_t i = 0; i < 5 * scale; ++i)
    slow.push_back(40'000'000 + i * 1'000'000);

  probes::Snapshot snapshot;
  snapshot.attach_mode = "tracepoint";
  snapshot.latencies = {histogram_of("unshare", "uts", "ok", fast),
                        histogram_of("unshare", "net", "ok", slow),
                        histogram_of("setns", "mnt", "error", {900, 1'100}),
                        histogram_of("clone3", "pid", "ok", fast)};
  snapshot.unmatched_exits = 7 * scale;
  snapshot.negative_deltas = 1;
  snapshot.map_update_failures = 2;
  snapshot.run_time_stats = true;
  snapshot.programs = {{"tracepoint_enter_setns", 100 * scale, 5'000 * scale, 1},
                       {"tracepoint_exit_setns", 100 * scale, 3'000 * scale, 0}};
  // Most tasks in the initial namespaces, a few in containers two and three levels down.
  snapshot.pidns_levels.tasks[0] = 40 * scale;
  snapshot.pidns_levels.tasks[2] = 3 * scale;
  snapshot.userns_levels.tasks[0] = 41 * scale;
  snapshot.userns_levels.tasks[3] = 2 * scale;
  snapshot.namespaces_created = {{"cgroup", 0},       {"ipc", 0},          {"mnt", 4 * scale},
                                 {"net", 5 * scale},  {"pid", 20 * scale}, {"time", 0},
                                 {"user", 2 * scale}, {"uts", 20 * scale}};
  return snapshot;
}

inline std::vector<bench::ScenarioSummary> sample_results() {
  return {{"create/uts", "unshare", "uts", 1000, 4.1e-6, 9.5e-6, 4.4e-6, 0.6e-6, 0.136},
          {"create/net", "unshare", "net", 200, 41e-3, 55e-3, 42e-3, 4e-3, 0.095},
          {"setns/mnt", "setns", "mnt", 1000, 2.5e-6, 6e-6, 2.9e-6, 0.8e-6, 0.276}};
}

}  // namespace nsbench::testing
