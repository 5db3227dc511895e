// What the probes hand to the rest of nsbench: plain histograms read out of the kernel, with no
// knowledge of Prometheus or of the benchmarks. Produced by probes/, consumed by exporter/ and
// cli/.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace nsbench::probes {

// Log2 latency buckets in nanoseconds. Slot 0 holds values <= 1 ns; slot k (k >= 1) holds values
// in (2^(k-1), 2^k] ns, so its upper edge 2^k ns is inclusive, exactly as Prometheus' `le` is.
inline constexpr int kLatencySlots = 40;  // 2^39 ns is about 550 s: nothing real is slower

// Upper edge of slot k in nanoseconds.
constexpr uint64_t slot_upper_edge_ns(int slot) {
  return uint64_t{1} << slot;
}

// The slot a latency of `ns` nanoseconds falls in (the same rule the BPF side applies).
constexpr int slot_for_ns(uint64_t ns) {
  if (ns <= 1)
    return 0;
  int slot = 0;
  for (uint64_t v = ns - 1; v != 0; v >>= 1)
    ++slot;
  return slot < kLatencySlots ? slot : kLatencySlots - 1;
}

struct LatencyHistogram {
  std::string syscall;  // clone, clone3, unshare, setns
  std::string ns_type;  // mnt, uts, ipc, pid, net, user, cgroup, time, multi, none
  std::string result;   // ok, error
  std::array<uint64_t, kLatencySlots> slots{};  // per-slot counts, not cumulative
  uint64_t count = 0;
  uint64_t sum_ns = 0;

  // Quantile in seconds, interpolating linearly inside the log2 slot that holds it (as Prometheus'
  // histogram_quantile does). Returns NaN for an empty histogram.
  double quantile_seconds(double q) const;

  // The slot that holds the q-quantile call (the first whose cumulative count reaches q * count);
  // -1 for an empty histogram.
  int slot_of_quantile(double q) const;

  // Adds the counts of another histogram; the labels stay.
  void add(const LatencyHistogram& other);
  // The calls made between an earlier reading of the same histogram and this one. Counts only grow
  // while the probes are attached; a slot that shrank (never expected) is taken as 0.
  LatencyHistogram since(const LatencyHistogram& earlier) const;
};

// PID and user namespaces nest at most this deep below the initial one, which is level 0.
inline constexpr int kMaxNamespaceLevel = 32;

// How many new tasks were created at each nesting level of one namespace kind. Defined here in
// full, so that the exporter can use it without linking the probe loader.
struct LevelHistogram {
  std::array<uint64_t, kMaxNamespaceLevel + 1> tasks{};  // tasks[level], not cumulative

  // All tasks.
  constexpr uint64_t count() const {
    uint64_t total = 0;
    for (const uint64_t at_level : tasks)
      total += at_level;
    return total;
  }

  // The sum of the levels of all tasks.
  constexpr uint64_t sum() const {
    uint64_t total = 0;
    for (int level = 0; level <= kMaxNamespaceLevel; ++level)
      total += static_cast<uint64_t>(level) * tasks[level];
    return total;
  }

  // The deepest level seen, -1 when no task was seen.
  constexpr int max_level() const {
    for (int level = kMaxNamespaceLevel; level >= 0; --level) {
      if (tasks[level] != 0)
        return level;
    }
    return -1;
  }
};

// What the kernel counts for one of our loaded BPF programs.
struct ProgramStats {
  std::string program;  // the program's name in namespace_latency.bpf.c, e.g. tp_btf_sys_enter
  // Runs and their summed run time, counted by the kernel only while BPF run-time statistics are
  // on (see Snapshot::run_time_stats); they stay 0 otherwise.
  uint64_t runs = 0;
  uint64_t run_time_ns = 0;
  // Times the program was due to run but was skipped because it was already running on that CPU
  // (an event inside the program itself): calls it never saw. Counted by the kernel always.
  uint64_t recursion_misses = 0;
};

struct Snapshot {
  std::string attach_mode;                  // fentry, tp_btf, tracepoint, raw_tracepoint
  std::vector<LatencyHistogram> latencies;  // only combinations seen at least once
  uint64_t unmatched_exits = 0;  // exits with no recorded entry (e.g. a clone's child), dropped
  uint64_t negative_deltas = 0;  // exit earlier than entry, dropped
  uint64_t map_update_failures = 0;

  // The attached programs, and whether the kernel was counting their run time when the snapshot
  // was read (nsbench turned the statistics on, or kernel.bpf_stats_enabled is 1).
  std::vector<ProgramStats> programs;
  bool run_time_stats = false;

  // Calls the probes lost: exits earlier than their entry, failed map updates, and program runs
  // the kernel skipped. Unmatched exits are not among them: a clone's child makes one on purpose.
  // Inline, like LevelHistogram, for the exporter, which does not link the probe loader.
  uint64_t events_lost() const {
    uint64_t lost = negative_deltas + map_update_failures;
    for (const ProgramStats& program : programs)
      lost += program.recursion_misses;
    return lost;
  }

  // Every task created since attach (processes, threads, kernel threads), by the level of its PID
  // namespace and of its user namespace.
  LevelHistogram pidns_levels;
  LevelHistogram userns_levels;
  // Namespaces created by successful clone, clone3 and unshare calls, by type: each CLONE_NEW* flag
  // of a call counts one. Keys mnt, uts, ipc, pid, net, user, cgroup, time, all present (0 when
  // none was created) in a snapshot read from the probes.
  std::map<std::string, uint64_t> namespaces_created;

  // Histograms of one syscall merged over every ns type and result, or only those given (an empty
  // string matches all), for a scenario's kernel-side median.
  LatencyHistogram merged(const std::string& syscall, const std::string& ns_type = {},
                          const std::string& result = {}) const;
};

}  // namespace nsbench::probes
