// Turns the BPF maps into a Snapshot: sums the per-CPU copies and maps the array indices back to
// their (syscall, ns_type, result) labels.
#pragma once

#include <string_view>

#include "probes/namespace_latency_abi.h"
#include "probes/snapshot.h"

namespace nsbench::probes {

// Label values as they appear in Snapshot and, through the exporter, in metrics.
std::string_view syscall_label(nsb_syscall syscall);
std::string_view ns_type_label(nsb_ns_type ns_type);
std::string_view result_label(nsb_result result);

struct ProbeMaps {
  int latencies_fd = -1;           // per-CPU array of nsb_latency_histogram
  int counters_fd = -1;            // per-CPU array of u64, indexed by nsb_counter
  int namespaces_created_fd = -1;  // per-CPU array of u64, indexed by nsb_ns_type
  int task_levels_fd = -1;         // per-CPU array of u64, indexed by nsb_task_level_index
  int possible_cpus = 0;           // per-CPU values come back as one copy per possible CPU
};

// Only map lookups, so any thread may call it while the programs keep updating the maps.
Snapshot read_snapshot(const ProbeMaps& maps, std::string_view attach_mode);

}  // namespace nsbench::probes
