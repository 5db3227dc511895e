// bpftrace, started beside nsbench as the reference people use today for namespace syscall
// latency: a script that builds the same log2 histograms with tracepoints and hash maps. Used to
// measure what each tool adds to the calls it traces, and to check that both agree on the figures.
#pragma once

#include <sys/types.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "engine/process.h"

namespace nsbench::bench {

// A bpftrace script that times clone, clone3, unshare and setns from their syscall tracepoints
// into @latency_ns[probe, failed], one log2 histogram per syscall and result, as people write it.
// With `only_process`, only that process's calls are timed.
std::string namespace_latency_bpftrace_script(std::optional<pid_t> only_process = std::nullopt);

// One bucket of a bpftrace log2 histogram: values in [min, max].
struct BpftraceBucket {
  uint64_t min = 0;
  uint64_t max = 0;
  uint64_t count = 0;
};

// The nsbench latency slot (see probes/snapshot.h) of the bpftrace bucket that holds the median of
// `histograms` taken together; -1 when they are empty. bpftrace's bucket [2^k, 2^(k+1)) is
// nsbench's slot k+1, (2^k, 2^(k+1)], but for its lowest value.
int median_slot(const std::vector<std::vector<BpftraceBucket>>& histograms);

// The histograms of `map` (e.g. "@latency_ns") in bpftrace's JSON output, by key as bpftrace
// prints it ("tracepoint:syscalls:sys_exit_setns,0"); an Error when the output holds none.
Result<std::map<std::string, std::vector<BpftraceBucket>>> parse_bpftrace_histograms(
    const std::string& json_output, const std::string& map);

// A running bpftrace. start() returns once bpftrace says its probes are attached; stop() makes it
// print its maps and exit. Destroyed while running, it is killed and reaped.
class BpftraceSession {
 public:
  static Result<BpftraceSession> start(const std::string& script);

  BpftraceSession(BpftraceSession&& other) noexcept;
  BpftraceSession& operator=(BpftraceSession&& other) noexcept;
  BpftraceSession(const BpftraceSession&) = delete;
  BpftraceSession& operator=(const BpftraceSession&) = delete;
  ~BpftraceSession();

  // Interrupts bpftrace as Ctrl-C would, and returns the JSON lines it printed.
  Result<std::string> stop();

 private:
  BpftraceSession(engine::ChildProcess process, int output_fd, int error_fd);
  void close_outputs();

  engine::ChildProcess process_;
  int output_fd_ = -1;  // bpftrace's standard output, read end of a pipe
  int error_fd_ = -1;   // bpftrace's standard error, a memory file
  std::string output_;  // what was read from output_fd_ so far
};

}  // namespace nsbench::bench
