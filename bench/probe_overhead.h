// What tracing costs the traced. Each workload makes one kind of syscall in a tight loop and
// reports its median time per call; the loop runs with no tracer, then under each tracer given
// (nsbench's probes, bpftrace), in rounds whose order rotates so that a drifting machine favours
// none of them. A tracer's overhead is its per-call time minus the untraced one: for the calls it
// times (setns, unshare, clone) and for a call it does not (getppid), which every syscall-wide
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
  std::string name;  // setns, unshare, clone, getppid
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
  // The quietest round's per-call median. Interference from the rest of the machine only ever
  // adds time, and a virtual machine's host flips between quiet and busy spells that outlast a
  // round, so the quietest round is the closest to what the tracer alone costs.
  double per_call_seconds = 0;
  std::vector<double> round_seconds;  // per-call median of each round, in the order measured
};

struct OverheadResult {
  std::vector<OverheadFigure> figures;  // every workload under "off" and under every tracer

  const OverheadFigure* find(const std::string& workload, const std::string& tracer) const;
  // What `tracer` adds per call, in seconds: its per_call_seconds minus the untraced one. NaN when
  // either is missing.
  double added_seconds(const std::string& workload, const std::string& tracer) const;
  // The same estimated another way, for comparison: the median over rounds of the difference to
  // the untraced run of the same round.
  double added_seconds_paired(const std::string& workload, const std::string& tracer) const;
};

// Fails with the first tracer that cannot start, or the first workload that fails; whatever was
// started is stopped before it returns.
Result<OverheadResult> measure_overhead(const std::vector<Tracer>& tracers,
                                        const OverheadOptions& options);

}  // namespace nsbench::bench
