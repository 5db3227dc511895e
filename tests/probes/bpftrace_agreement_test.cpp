// nsbench's probes against bpftrace, timing the very same calls at the same time: both must count
// every call and put its median in the same or an adjacent log2 bucket. And the kernel's run-time
// statistics of the programs, which nsbench turns on only when asked.
#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <string>

#include <gtest/gtest.h>

#include "bench/bpftrace_session.h"
#include "probes/namespace_probes.h"
#include "support.h"
#include "workload.h"

namespace nsbench::probes {
namespace {

constexpr int kCalls = 5000;

// setns into the test process's own UTS namespace: a real join that leaves the process as it was.
std::string join_own_uts_namespace(int times) {
  const int own = open("/proc/self/ns/uts", O_RDONLY | O_CLOEXEC);
  if (own < 0)
    return "open /proc/self/ns/uts failed";
  for (int i = 0; i < times; ++i) {
    if (setns(own, CLONE_NEWUTS) != 0) {
      close(own);
      return "setns failed";
    }
  }
  close(own);
  return "";
}

TEST(BpftraceAgreement, SetnsMedianFallsInTheSameOrAnAdjacentLog2Bucket) {
  NSBENCH_REQUIRE_ROOT();
  NSBENCH_REQUIRE_PROGRAM(bpftrace, "bpftrace", "bpftrace");
  if (!testing::in_initial_pid_namespace())
    GTEST_SKIP() << "the descendants filter needs the initial PID namespace";

  // Both count only this process, so that other setns calls on the machine stay out.
  auto probes = NamespaceProbes::attach({.descendants_of = getpid()});
  ASSERT_TRUE(probes) << probes.error().message();
  auto session = bench::BpftraceSession::start(bench::namespace_latency_bpftrace_script(getpid()));
  ASSERT_TRUE(session) << session.error().message();

  ASSERT_EQ(join_own_uts_namespace(kCalls), "");

  auto output = session->stop();
  ASSERT_TRUE(output) << output.error().message();
  auto histograms = bench::parse_bpftrace_histograms(*output, "@latency_ns");
  ASSERT_TRUE(histograms) << histograms.error().message();
  const std::vector<bench::BpftraceBucket>& theirs =
      histograms->at("tracepoint:syscalls:sys_exit_setns,0");
  const LatencyHistogram ours = probes->snapshot().merged("setns", "uts", "ok");

  uint64_t their_count = 0;
  for (const bench::BpftraceBucket& bucket : theirs)
    their_count += bucket.count;
  EXPECT_EQ(ours.count, static_cast<uint64_t>(kCalls));
  EXPECT_EQ(their_count, static_cast<uint64_t>(kCalls));

  const int our_slot = ours.slot_of_quantile(0.5);
  const int their_slot = bench::median_slot({theirs});
  ASSERT_GE(our_slot, 0);
  ASSERT_GE(their_slot, 0);
  EXPECT_LE(std::abs(our_slot - their_slot), 1)
      << "nsbench median in (" << slot_upper_edge_ns(our_slot) / 2 << ", "
      << slot_upper_edge_ns(our_slot) << "] ns, bpftrace's in ("
      << slot_upper_edge_ns(their_slot) / 2 << ", " << slot_upper_edge_ns(their_slot) << "] ns";
}

TEST(RunTimeStatistics, CountRunsOfEveryProgramWhenAsked) {
  NSBENCH_REQUIRE_ROOT();
  auto probes = NamespaceProbes::attach({.run_time_stats = true});
  ASSERT_TRUE(probes) << probes.error().message();
  ASSERT_EQ(join_own_uts_namespace(100), "");

  const Snapshot snapshot = probes->snapshot();
  EXPECT_TRUE(snapshot.run_time_stats);
  ASSERT_FALSE(snapshot.programs.empty());
  uint64_t runs = 0;
  uint64_t run_time_ns = 0;
  for (const ProgramStats& program : snapshot.programs) {
    EXPECT_FALSE(program.program.empty());
    runs += program.runs;
    run_time_ns += program.run_time_ns;
  }
  // Each setns runs an entry and an exit program at least.
  EXPECT_GE(runs, 200U);
  EXPECT_GT(run_time_ns, 0U);
  EXPECT_EQ(snapshot.events_lost(), 0U);
}

TEST(RunTimeStatistics, StayOffUnlessAsked) {
  NSBENCH_REQUIRE_ROOT();
  std::ifstream sysctl("/proc/sys/kernel/bpf_stats_enabled");
  std::string enabled;
  sysctl >> enabled;
  if (enabled == "1")
    GTEST_SKIP() << "kernel.bpf_stats_enabled is 1: the administrator turned them on for all";
  auto probes = NamespaceProbes::attach({});
  ASSERT_TRUE(probes) << probes.error().message();
  ASSERT_EQ(join_own_uts_namespace(100), "");
  const Snapshot snapshot = probes->snapshot();
  EXPECT_FALSE(snapshot.run_time_stats);
  for (const ProgramStats& program : snapshot.programs)
    EXPECT_EQ(program.run_time_ns, 0U) << program.program;
}

}  // namespace
}  // namespace nsbench::probes
