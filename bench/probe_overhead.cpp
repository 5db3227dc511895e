#include "bench/probe_overhead.h"

#include <fcntl.h>
#include <signal.h>
#include <sched.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <utility>

#include "bench/forked_measurement.h"
#include "bench/statistics.h"

namespace nsbench::bench {

namespace {

using Clock = std::chrono::steady_clock;

// Calls per timed batch: enough that the clock reads around a batch are noise, few enough that a
// batch stays under a millisecond or so and an interruption spoils only one of them.
int calls_per_batch(const std::string& workload) {
  if (workload == "getppid")
    return 2000;
  if (workload == "clone")
    return 20;
  return 200;
}

Result<> pin_to_first_allowed_cpu() {
  cpu_set_t allowed;
  if (sched_getaffinity(0, sizeof(allowed), &allowed) != 0)
    return system_error("sched_getaffinity");
  for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu) {
    if (!CPU_ISSET(cpu, &allowed))
      continue;
    cpu_set_t only;
    CPU_ZERO(&only);
    CPU_SET(cpu, &only);
    if (sched_setaffinity(0, sizeof(only), &only) != 0)
      return system_error("sched_setaffinity", "CPU " + std::to_string(cpu));
    return {};
  }
  return plain_error("sched_getaffinity", "", "no CPU allowed");
}

// One workload's loop in the current (forked, single-threaded) process: the median over batches
// of the time per call, in seconds.
Result<double> time_workload(const std::string& workload, int batches) {
  const int calls = calls_per_batch(workload);

  // Always the same CPU: CPUs of one machine differ (a virtual machine's more than most), and a
  // migration in the middle of a batch would be billed to whichever tracer happened to be on.
  if (Result<> pinned = pin_to_first_allowed_cpu(); !pinned)
    return std::unexpected(pinned.error());
  std::function<Result<>()> call;

  // setns into the namespace the process is already in: the kernel does the whole join, and the
  // process is left as it was.
  int own_uts = -1;
  // The child of a CLONE_VM|CLONE_VFORK clone borrows the parent's memory and runs on this stack
  // until it exits; the parent sleeps until then.
  alignas(16) static char child_stack[64 * 1024];
  if (workload == "getppid") {
    call = [] {
      syscall(SYS_getppid);
      return Result<>{};
    };
  } else if (workload == "setns") {
    own_uts = open("/proc/self/ns/uts", O_RDONLY | O_CLOEXEC);
    if (own_uts < 0)
      return system_error("open", "/proc/self/ns/uts");
    call = [own_uts]() -> Result<> {
      if (setns(own_uts, CLONE_NEWUTS) != 0)
        return system_error("setns", "uts");
      return {};
    };
  } else if (workload == "unshare") {
    // Each call creates a UTS namespace and drops the previous one; the process is a throwaway.
    call = []() -> Result<> {
      if (unshare(CLONE_NEWUTS) != 0)
        return system_error("unshare", "uts");
      return {};
    };
  } else {
    call = []() -> Result<> {
      const pid_t child = clone([](void*) { return 0; }, child_stack + sizeof child_stack,
                                CLONE_VM | CLONE_VFORK | SIGCHLD, nullptr);
      if (child < 0)
        return system_error("clone", "CLONE_VM|CLONE_VFORK");
      int status = 0;
      if (waitpid(child, &status, 0) != child)
        return system_error("waitpid", std::to_string(child));
      return {};
    };
  }

  std::vector<double> per_call;
  per_call.reserve(static_cast<size_t>(batches));
  for (int batch = 0; batch < batches; ++batch) {
    const Clock::time_point start = Clock::now();
    for (int i = 0; i < calls; ++i) {
      if (Result<> done = call(); !done)
        return std::unexpected(done.error());
    }
    per_call.push_back(std::chrono::duration<double>(Clock::now() - start).count() / calls);
  }
  if (own_uts >= 0)
    close(own_uts);
  return describe(per_call).median;
}

double median_of(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return quantile_of_sorted(values, 0.5);
}

}  // namespace

const std::vector<OverheadWorkload>& overhead_workloads() {
  static const std::vector<OverheadWorkload> workloads = {
      {"setns", true, "setns() into the caller's own UTS namespace"},
      {"unshare", true, "unshare(CLONE_NEWUTS)"},
      {"clone", true, "clone(CLONE_VM|CLONE_VFORK) of a child that exits at once, as posix_spawn"},
      {"getppid", false, "getppid(), a syscall no tracer times"},
  };
  return workloads;
}

const OverheadFigure* OverheadResult::find(const std::string& workload,
                                           const std::string& tracer) const {
  for (const OverheadFigure& figure : figures) {
    if (figure.workload == workload && figure.tracer == tracer)
      return &figure;
  }
  return nullptr;
}

double OverheadResult::added_seconds(const std::string& workload, const std::string& tracer) const {
  const OverheadFigure* traced = find(workload, tracer);
  const OverheadFigure* untraced = find(workload, kUntraced);
  if (traced == nullptr || untraced == nullptr || traced->round_seconds.empty() ||
      untraced->round_seconds.empty()) {
    return std::numeric_limits<double>::quiet_NaN();
  }
  return traced->per_call_seconds - untraced->per_call_seconds;
}

double OverheadResult::added_seconds_paired(const std::string& workload,
                                            const std::string& tracer) const {
  const OverheadFigure* traced = find(workload, tracer);
  const OverheadFigure* untraced = find(workload, kUntraced);
  if (traced == nullptr || untraced == nullptr || traced->round_seconds.empty() ||
      traced->round_seconds.size() != untraced->round_seconds.size()) {
    return std::numeric_limits<double>::quiet_NaN();
  }
  std::vector<double> differences;
  for (size_t round = 0; round < traced->round_seconds.size(); ++round)
    differences.push_back(traced->round_seconds[round] - untraced->round_seconds[round]);
  return median_of(std::move(differences));
}

Result<OverheadResult> measure_overhead(const std::vector<Tracer>& tracers,
                                        const OverheadOptions& options) {
  ForkedMeasurement forked;
  if (Result<> valid = forked.valid(); !valid)
    return std::unexpected(valid.error());

  // The untraced loop is one more "tracer", whose start does nothing.
  std::vector<Tracer> configurations = {
      {kUntraced, [] { return Result<std::shared_ptr<void>>(std::shared_ptr<void>()); }}};
  configurations.insert(configurations.end(), tracers.begin(), tracers.end());

  OverheadResult result;
  for (const Tracer& configuration : configurations) {
    for (const OverheadWorkload& workload : overhead_workloads())
      result.figures.push_back({workload.name, configuration.name, 0, {}});
  }

  const size_t count = configurations.size();
  for (int round = 0; round < options.rounds; ++round) {
    for (size_t position = 0; position < count; ++position) {
      const Tracer& configuration = configurations[(position + static_cast<size_t>(round)) % count];
      Result<std::shared_ptr<void>> tracing = configuration.start();
      if (!tracing)
        return std::unexpected(tracing.error());

      for (const OverheadWorkload& workload : overhead_workloads()) {
        Result<double> seconds = forked.run(
            [&workload, &options] { return time_workload(workload.name, options.batches); });
        if (!seconds)
          return std::unexpected(seconds.error());
        for (OverheadFigure& figure : result.figures) {
          if (figure.workload == workload.name && figure.tracer == configuration.name)
            figure.round_seconds.push_back(*seconds);
        }
      }
    }
  }
  for (OverheadFigure& figure : result.figures)
    figure.per_call_seconds =
        *std::min_element(figure.round_seconds.begin(), figure.round_seconds.end());
  return result;
}

}  // namespace nsbench::bench
