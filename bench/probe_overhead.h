// What tracing costs the traced. Each workload makes one kind of syscall in a tight loop and
// reports its median time per call; the loop runs with no tracer, then under each tracer given
// (nsbench's probes, bpftrace), in rounds whose order rotates so that a drifting machine favours
// none of them. A tracer's overhead is its per-call time minus the untraced one: for the calls it
// times (setns, unshare, clone3) and for a call it does not (getppid), which every syscall-wide
// hook slows as well.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/result.h"

namespace nsbench::bench {

// A way of tracing the namespace syscalls. start() returns once tracing is on; it stays on until
// the returned handle is destroyed.
struct Tracer {
  std::string name;
  std::function<Result<std::shared_ptr<void>>()> start;
};

struct OverheadOptions {
  int rounds = 5;    // each tracer, and the untraced loop, is measured once per round
  int batches = 51;  // timed batches per workload and measurement; the median batch counts
};

struct OverheadWorkload {
  std::string name;  // setns, unshare, clone3, getppid
  bool traced;       // one of the calls the tracers time
  std::string call;  // what one call is, for the report
};

// The workloads in the order they are reported.
const std::vector<OverheadWorkload>& overhead_workloads();

// The untraced measurement is reported under this tracer name.
inline constexpr const char* kUntraced = "off";

struct OverheadFigure {
  std::string workload;
  std::string tracer;
  double per_call_seconds = 0;        // median over rounds of the per-round medians
  std::vector<double> round_seconds;  // per-call median of each round
};

struct OverheadResult {
  std::vector<OverheadFigure> figures;  // every workload under "off" and under every tracer

  const OverheadFigure* find(const std::string& workload, const std::string& tracer) const;
  // Per-call time under `tracer` minus untraced, in seconds; NaN when either is missing.
  double added_seconds(const std::string& workload, const std::string& tracer) const;
};

// Fails with the first tracer that cannot start, or the first workload that fails; whatever was
// started is stopped before it returns.
Result<OverheadResult> measure_overhead(const std::vector<Tracer>& tracers,
                                        const OverheadOptions& options);

}  // namespace nsbench::bench
