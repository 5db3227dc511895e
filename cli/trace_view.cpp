#include "cli/trace_view.h"

#include <algorithm>
#include <array>

#include <fmt/core.h>

#include "cli/report.h"

namespace nsbench::cli {

namespace {

// Slot 10 ends at 1.024 us, slot 30 at about 1.07 s: the range namespace syscalls live in.
constexpr int kFirstShownSlot = 10;
constexpr int kLastShownSlot = 30;

uint64_t count_of(const probes::Snapshot& snapshot, const probes::LatencyHistogram& like) {
  for (const probes::LatencyHistogram& histogram : snapshot.latencies) {
    if (histogram.syscall == like.syscall && histogram.ns_type == like.ns_type &&
        histogram.result == like.result) {
      return histogram.count;
    }
  }
  return 0;
}

}  // namespace

std::string histogram_sparkline(const probes::LatencyHistogram& histogram) {
  static constexpr std::array<const char*, 9> kBlocks = {" ", "▁", "▂", "▃", "▄",
                                                         "▅", "▆", "▇", "█"};
  // Everything below the first shown slot is drawn in it, everything above in the last.
  std::array<uint64_t, kLastShownSlot - kFirstShownSlot + 1> shown{};
  for (int slot = 0; slot < probes::kLatencySlots; ++slot) {
    const int at = std::clamp(slot, kFirstShownSlot, kLastShownSlot) - kFirstShownSlot;
    shown[at] += histogram.slots[slot];
  }
  const uint64_t fullest = *std::max_element(shown.begin(), shown.end());
  std::string line;
  for (uint64_t count : shown) {
    const size_t level = fullest == 0 || count == 0 ? 0 : 1 + (count * 7) / fullest;
    line += kBlocks[level];
  }
  return line;
}

std::string format_trace_view(const probes::Snapshot& current, const probes::Snapshot& previous,
                              double interval_seconds) {
  std::string view =
      fmt::format("attach mode {}   refresh {:.1f} s\n\n", current.attach_mode, interval_seconds);
  view += fmt::format("{:<9} {:<7} {:<6} {:>9} {:>8} {:>10} {:>10}  {}\n", "syscall", "ns_type",
                      "result", "calls", "calls/s", "median", "p99", "1us       1ms       1s");
  for (const probes::LatencyHistogram& histogram : current.latencies) {
    const uint64_t new_calls =
        histogram.count - std::min(histogram.count, count_of(previous, histogram));
    const double rate =
        interval_seconds > 0 ? static_cast<double>(new_calls) / interval_seconds : 0;
    view += fmt::format("{:<9} {:<7} {:<6} {:>9} {:>8.1f} {:>10} {:>10}  {}\n", histogram.syscall,
                        histogram.ns_type, histogram.result, histogram.count, rate,
                        format_duration(histogram.quantile_seconds(0.5)),
                        format_duration(histogram.quantile_seconds(0.99)),
                        histogram_sparkline(histogram));
  }
  if (current.latencies.empty())
    view += "(no namespace syscalls seen yet)\n";
  if (current.events_lost() > 0) {
    view +=
        fmt::format("\nlost: {} negative deltas, {} failed map updates, {} skipped runs\n",
                    current.negative_deltas, current.map_update_failures,
                    current.events_lost() - current.negative_deltas - current.map_update_failures);
  }
  if (current.run_time_stats) {
    uint64_t runs = 0;
    uint64_t run_time_ns = 0;
    for (const probes::ProgramStats& program : current.programs) {
      runs += program.runs;
      run_time_ns += program.run_time_ns;
    }
    view += fmt::format(
        "\nprobe programs: {} runs, {} in all, {} per run\n", runs,
        format_duration(static_cast<double>(run_time_ns) * 1e-9),
        format_duration(
            runs == 0 ? 0.0 : static_cast<double>(run_time_ns) * 1e-9 / static_cast<double>(runs)));
  }
  return view;
}

}  // namespace nsbench::cli
