#include "probes/snapshot_reader.h"

#include <bpf/bpf.h>

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace nsbench::probes {

static_assert(NSB_LATENCY_SLOTS == kLatencySlots, "the BPF side and Snapshot disagree on slots");
static_assert(NSB_MAX_NAMESPACE_LEVEL == kMaxNamespaceLevel,
              "the BPF side and Snapshot disagree on the deepest namespace level");

std::string_view syscall_label(nsb_syscall syscall) {
  switch (syscall) {
    case NSB_SYSCALL_CLONE:
      return "clone";
    case NSB_SYSCALL_CLONE3:
      return "clone3";
    case NSB_SYSCALL_UNSHARE:
      return "unshare";
    case NSB_SYSCALL_SETNS:
      return "setns";
    case NSB_SYSCALL_COUNT:
      break;
  }
  return "unknown";
}

std::string_view ns_type_label(nsb_ns_type ns_type) {
  switch (ns_type) {
    case NSB_NS_NONE:
      return "none";
    case NSB_NS_MNT:
      return "mnt";
    case NSB_NS_UTS:
      return "uts";
    case NSB_NS_IPC:
      return "ipc";
    case NSB_NS_PID:
      return "pid";
    case NSB_NS_NET:
      return "net";
    case NSB_NS_USER:
      return "user";
    case NSB_NS_CGROUP:
      return "cgroup";
    case NSB_NS_TIME:
      return "time";
    case NSB_NS_MULTI:
      return "multi";
    case NSB_NS_TYPE_COUNT:
      break;
  }
  return "unknown";
}

std::string_view result_label(nsb_result result) {
  switch (result) {
    case NSB_RESULT_OK:
      return "ok";
    case NSB_RESULT_ERROR:
      return "error";
    case NSB_RESULT_COUNT:
      break;
  }
  return "unknown";
}

namespace {

// Sums the per-CPU copies of one histogram. The count is taken from the slots rather than from
// the copies' own counters: a read racing an update on another CPU could otherwise report a count
// its buckets do not add up to, and the exporter's +Inf bucket must equal _count.
LatencyHistogram sum_over_cpus(const std::vector<nsb_latency_histogram>& per_cpu) {
  LatencyHistogram total;
  for (const nsb_latency_histogram& copy : per_cpu) {
    for (int slot = 0; slot < kLatencySlots; ++slot) {
      total.slots[slot] += copy.slots[slot];
      total.count += copy.slots[slot];
    }
    total.sum_ns += copy.sum_ns;
  }
  return total;
}

// The sum over CPUs of one u64 entry of a per-CPU array; 0 when it cannot be read.
uint64_t read_per_cpu_u64(const ProbeMaps& maps, int map_fd, uint32_t key) {
  std::vector<uint64_t> per_cpu(maps.possible_cpus);
  if (bpf_map_lookup_elem(map_fd, &key, per_cpu.data()) != 0)
    return 0;

  uint64_t total = 0;
  for (uint64_t value : per_cpu)
    total += value;
  return total;
}

uint64_t read_counter(const ProbeMaps& maps, nsb_counter counter) {
  return read_per_cpu_u64(maps, maps.counters_fd, counter);
}

LevelHistogram read_levels(const ProbeMaps& maps, nsb_level_kind kind) {
  LevelHistogram histogram;
  for (uint32_t level = 0; level <= NSB_MAX_NAMESPACE_LEVEL; ++level) {
    histogram.tasks[level] =
        read_per_cpu_u64(maps, maps.task_levels_fd, nsb_task_level_index(kind, level));
  }
  return histogram;
}

std::map<std::string, uint64_t> read_namespaces_created(const ProbeMaps& maps) {
  std::map<std::string, uint64_t> created;
  for (uint32_t ns_type = NSB_NS_MNT; ns_type <= NSB_NS_TIME; ++ns_type) {
    created[std::string(ns_type_label(static_cast<nsb_ns_type>(ns_type)))] =
        read_per_cpu_u64(maps, maps.namespaces_created_fd, ns_type);
  }
  return created;
}

}  // namespace

Snapshot read_snapshot(const ProbeMaps& maps, std::string_view attach_mode) {
  Snapshot snapshot;
  snapshot.attach_mode = attach_mode;

  std::vector<nsb_latency_histogram> per_cpu(maps.possible_cpus);
  for (uint32_t syscall = 0; syscall < NSB_SYSCALL_COUNT; ++syscall) {
    for (uint32_t ns_type = 0; ns_type < NSB_NS_TYPE_COUNT; ++ns_type) {
      for (uint32_t result = 0; result < NSB_RESULT_COUNT; ++result) {
        const uint32_t key = nsb_histogram_index(syscall, ns_type, result);
        if (bpf_map_lookup_elem(maps.latencies_fd, &key, per_cpu.data()) != 0)
          continue;

        LatencyHistogram histogram = sum_over_cpus(per_cpu);
        if (histogram.count == 0)
          continue;
        histogram.syscall = syscall_label(static_cast<nsb_syscall>(syscall));
        histogram.ns_type = ns_type_label(static_cast<nsb_ns_type>(ns_type));
        histogram.result = result_label(static_cast<nsb_result>(result));
        snapshot.latencies.push_back(std::move(histogram));
      }
    }
  }

  snapshot.unmatched_exits = read_counter(maps, NSB_COUNTER_UNMATCHED_EXITS);
  snapshot.negative_deltas = read_counter(maps, NSB_COUNTER_NEGATIVE_DELTAS);
  snapshot.map_update_failures = read_counter(maps, NSB_COUNTER_MAP_UPDATE_FAILURES);

  snapshot.pidns_levels = read_levels(maps, NSB_LEVEL_PIDNS);
  snapshot.userns_levels = read_levels(maps, NSB_LEVEL_USERNS);
  snapshot.namespaces_created = read_namespaces_created(maps);
  return snapshot;
}

}  // namespace nsbench::probes
