// `nsbench trace`: the live view's content, its end by --duration or by a signal, and that the
// probes are detached afterwards.
#include <signal.h>
#include <sys/wait.h>

#include <set>
#include <sstream>
#include <cctype>
#include <cstring>
#include <thread>

#include "cli/trace_view.h"
#include "cli_test.h"
#include "command_runner.h"
#include "support.h"

namespace nsbench::testing {
namespace {

probes::LatencyHistogram histogram_of(const std::string& syscall, uint64_t count, int slot) {
  probes::LatencyHistogram histogram;
  histogram.syscall = syscall;
  histogram.ns_type = "net";
  histogram.result = "ok";
  histogram.slots[slot] = count;
  histogram.count = count;
  histogram.sum_ns = count * probes::slot_upper_edge_ns(slot);
  return histogram;
}

TEST(TraceView, ShowsRatesSinceThePreviousRefreshAndMedians) {
  probes::Snapshot previous;
  previous.latencies = {histogram_of("setns", 10, 12)};
  probes::Snapshot current;
  current.attach_mode = "tp_btf";
  current.latencies = {histogram_of("setns", 30, 12), histogram_of("unshare", 4, 20)};

  const std::string view = cli::format_trace_view(current, previous, 2.0);
  EXPECT_NE(view.find("tp_btf"), std::string::npos) << view;
  // 20 new setns calls over 2 s; all of unshare's 4 calls are new.
  EXPECT_NE(view.find("30     10.0"), std::string::npos) << view;
  EXPECT_NE(view.find("4      2.0"), std::string::npos) << view;
}

TEST(TraceView, SparklinePutsTheFullestSlotAtTheTopAndClampsTheEnds) {
  probes::LatencyHistogram histogram = histogram_of("setns", 8, 12);
  histogram.slots[3] = 8;   // below 1 us: drawn in the first column
  histogram.slots[39] = 4;  // beyond 1 s: drawn in the last column
  const std::string line = cli::histogram_sparkline(histogram);
  EXPECT_TRUE(line.starts_with("█")) << line;
  EXPECT_NE(line.find("█", 1), std::string::npos) << line;
  // Half of the fullest count: level 1 + 4 * 7 / 8 = 4 of the eight blocks.
  EXPECT_TRUE(line.ends_with("▄")) << line;
}

TEST(TraceCommand, ShowsAConcurrentWorkloadAndStopsAfterItsDuration) {
  NSBENCH_REQUIRE_ROOT();
  BackgroundCommand trace({kNsbench, "trace", "--duration", "2", "--interval", "0.5"});
  ASSERT_TRUE(trace.started());
  std::this_thread::sleep_for(500ms);
  for (int i = 0; i < 10; ++i) {
    run_command({kNsbench, "unshare", "-fu", "true"});
    run_command({kNsbench, "enter", "-t", std::to_string(getpid()), "-u", "true"});
  }
  const std::optional<int> status = trace.wait_for_exit(10s);
  ASSERT_TRUE(status.has_value()) << trace.output();
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0) << trace.output();
  EXPECT_NE(trace.output().find("setns     uts"), std::string::npos) << trace.output();
  EXPECT_NE(trace.output().find("clone3    uts"), std::string::npos) << trace.output();
}

// The ids of the BPF links the kernel holds, from `bpftool link show` ("<id>: <type> ...").
std::set<std::string> link_ids(const std::string& bpftool) {
  std::set<std::string> ids;
  std::istringstream lines(run_command({bpftool, "link", "show"}).standard_output);
  for (std::string line; std::getline(lines, line);) {
    const size_t colon = line.find(':');
    if (colon != std::string::npos && colon > 0 &&
        std::isdigit(static_cast<unsigned char>(line[0])))
      ids.insert(line.substr(0, colon));
  }
  return ids;
}

TEST(TraceCommand, InterruptDetachesCleanly) {
  NSBENCH_REQUIRE_ROOT();
  NSBENCH_REQUIRE_PROGRAM(bpftool, "bpftool", "bpftool");
  for (int signal_number : {SIGINT, SIGTERM}) {
    SCOPED_TRACE(strsignal(signal_number));
    // Other tracers on the machine may come and go meanwhile: only the links that appeared while
    // trace ran are its own, and those must be gone once it has exited.
    const std::set<std::string> before = link_ids(*bpftool);
    BackgroundCommand trace({kNsbench, "trace", "--interval", "0.2"});
    ASSERT_TRUE(trace.started());
    std::this_thread::sleep_for(700ms);
    std::set<std::string> own;
    for (const std::string& id : link_ids(*bpftool)) {
      if (!before.contains(id))
        own.insert(id);
    }
    EXPECT_FALSE(own.empty()) << "trace attached no link: " << trace.output();
    kill(trace.pid(), signal_number);
    const std::optional<int> status = trace.wait_for_exit(5s);
    ASSERT_TRUE(status.has_value()) << trace.output();
    EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0) << trace.output();

    // The kernel frees detached links after a grace period.
    std::set<std::string> left = own;
    for (int attempt = 0; attempt < 40 && !left.empty(); ++attempt) {
      const std::set<std::string> now = link_ids(*bpftool);
      std::erase_if(left, [&now](const std::string& id) { return !now.contains(id); });
      if (!left.empty())
        std::this_thread::sleep_for(50ms);
    }
    EXPECT_TRUE(left.empty()) << left.size() << " of trace's links outlived it";
  }
}

}  // namespace
}  // namespace nsbench::testing
