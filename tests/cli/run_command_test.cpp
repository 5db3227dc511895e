// End-to-end tests of `nsbench run`, the main job: probes, benchmarks and every export path.
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "exporter/http_helpers.h"
#include "exporter/process_helpers.h"
#include "exporter/promtool.h"
#include "support.h"

namespace nsbench::testing {
namespace {

// A directory of the test's own, removed with everything in it.
class ScratchDirectory {
 public:
  ScratchDirectory() {
    char pattern[] = "/tmp/nsbench-run-test-XXXXXX";
    path_ = mkdtemp(pattern);
  }
  ~ScratchDirectory() { std::filesystem::remove_all(path_); }
  std::string file(const std::string& name) const { return path_ + "/" + name; }
  std::vector<std::string> entries() const {
    std::vector<std::string> names;
    for (const auto& entry : std::filesystem::directory_iterator(path_)) {
      names.push_back(entry.path().filename());
    }
    return names;
  }

 private:
  std::string path_;
};

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream content;
  content << in.rdbuf();
  return content.str();
}

// The value of the `_count` series of one label set, or -1 when absent.
long long histogram_count(const std::string& exposition, const std::string& syscall,
                          const std::string& ns_type) {
  const std::string prefix = "nsbench_syscall_duration_seconds_count{syscall=\"" + syscall +
                             "\",ns_type=\"" + ns_type + "\",result=\"ok\"} ";
  const size_t at = exposition.find(prefix);
  if (at == std::string::npos)
    return -1;
  return std::stoll(exposition.substr(at + prefix.size()));
}

// Cheap scenarios that still exercise setns and unshare, the syscalls the checks look for.
const char* kCheapScenarios = "setns/net|pidns/unshare_fork|baseline/fork_exit";

TEST(RunCommand, QuickRunWritesTextfileWithSetnsAndUnshareHistograms) {
  NSBENCH_REQUIRE_ROOT();
  NSBENCH_REQUIRE_PROGRAM(promtool, "promtool", "prometheus");
  ScratchDirectory scratch;
  const ProcessResult run =
      run_process({NSBENCH_BINARY, "run", "--quick", "--filter", kCheapScenarios, "--textfile",
                   scratch.file("out.prom"), "--json", scratch.file("results.json")});
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_NE(run.output.find("probes attached with"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("setns/net"), std::string::npos) << run.output;

  const std::string exposition = read_text(scratch.file("out.prom"));
  EXPECT_GT(histogram_count(exposition, "setns", "net"), 0) << exposition;
  EXPECT_GT(histogram_count(exposition, "unshare", "pid"), 0) << exposition;
  EXPECT_NE(exposition.find("nsbench_benchmark_seconds{scenario=\"setns/net\",stat=\"median\"}"),
            std::string::npos);
  EXPECT_TRUE(passes_promtool_check_metrics(*promtool, exposition));

  const nlohmann::json results = nlohmann::json::parse(read_text(scratch.file("results.json")));
  EXPECT_FALSE(results["benchmarks"].empty());
  EXPECT_TRUE(results["context"].contains("kernel_release"));
  EXPECT_TRUE(results["context"].contains("attach_mode"));
  EXPECT_FALSE(results["probes"]["latencies"].empty());
}

TEST(RunCommand, EachScenarioGetsOnlyItsOwnKernelCalls) {
  NSBENCH_REQUIRE_ROOT();
  // Both scenarios make clone3 calls with several namespace flags; each must be credited with its
  // own calls only: one per timed iteration, none of the other's, nor of preparation or warm-up.
  ScratchDirectory scratch;
  const ProcessResult run =
      run_process({NSBENCH_BINARY, "run", "--quick", "--filter", "full_start|engine/spawn_vs_bare",
                   "--json", scratch.file("results.json")});
  ASSERT_EQ(run.exit_code, 0) << run.output;
  const nlohmann::json results = nlohmann::json::parse(read_text(scratch.file("results.json")));
  ASSERT_EQ(results["scenarios"].size(), 3u) << results["scenarios"].dump(2);
  for (const nlohmann::json& scenario : results["scenarios"]) {
    EXPECT_EQ(scenario["syscall"], "clone3");
    EXPECT_EQ(scenario["ns_type"], "multi");
    EXPECT_EQ(scenario["kernel_calls"], scenario["samples"]) << scenario.dump(2);
    EXPECT_GT(scenario["kernel_median_seconds"].get<double>(), 0.0) << scenario.dump(2);
  }
}

TEST(RunCommand, ServesMetricsWhileRunning) {
  NSBENCH_REQUIRE_ROOT();
  NSBENCH_REQUIRE_PROGRAM(promtool, "promtool", "prometheus");
  ScratchDirectory scratch;
  const uint16_t port = 19477 + static_cast<uint16_t>(getpid() % 1000);
  BackgroundProcess run(
      {NSBENCH_BINARY, "run", "--quick", "--repetitions", "20", "--filter", kCheapScenarios,
       "--json", "", "--listen", "127.0.0.1:" + std::to_string(port)},
      scratch.file("run.log"));
  ASSERT_TRUE(run.started());

  std::optional<HttpResponse> response;
  for (int attempt = 0; attempt < 200 && !response && run.running(); ++attempt) {
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
    response = http_request(port, "GET", "/metrics");
  }
  ASSERT_TRUE(response) << "no answer on /metrics while running:\n"
                        << read_text(scratch.file("run.log"));
  EXPECT_EQ(response->status, 200);
  EXPECT_NE(response->body.find("nsbench_probe_info"), std::string::npos) << response->body;
  EXPECT_TRUE(passes_promtool_check_metrics(*promtool, response->body));
}

TEST(RunCommand, WithoutProbesTheBenchmarksStillRun) {
  NSBENCH_REQUIRE_ROOT();
  const ProcessResult run = run_process(
      {NSBENCH_BINARY, "run", "--quick", "--no-probes", "--filter", "baseline", "--json", ""});
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_NE(run.output.find("baseline/fork_exit"), std::string::npos);
  EXPECT_EQ(run.output.find("probes attached"), std::string::npos);
}

TEST(RunCommand, AForcedAttachModeThatFailsIsAnErrorNotAFallback) {
  NSBENCH_REQUIRE_ROOT();
  // Without privileges every mode fails to load, so forcing one fails on any kernel.
  NSBENCH_REQUIRE_PROGRAM(setpriv, "setpriv", "util-linux");
  const ProcessResult run = run_process(
      {*setpriv, "--reuid=65534", "--regid=65534", "--clear-groups", NSBENCH_BINARY, "run",
       "--quick", "--attach-mode", "tp_btf", "--filter", "baseline", "--json", ""});
  EXPECT_EQ(run.exit_code, 1) << run.output;
  EXPECT_TRUE(std::regex_search(run.output, std::regex("^nsbench run: [^\n]*CAP_BPF[^\n]*\n$")))
      << run.output;
  EXPECT_EQ(run.output.find("baseline/fork_exit"), std::string::npos)
      << "the benchmarks ran without the probes that were asked for:\n"
      << run.output;
}

TEST(RunCommand, UnprivilegedRunSaysInOneLineWhyProbesAreOff) {
  NSBENCH_REQUIRE_ROOT();
  // setpriv from util-linux drops to an unprivileged user for the one command.
  NSBENCH_REQUIRE_PROGRAM(setpriv, "setpriv", "util-linux");
  const ProcessResult run =
      run_process({*setpriv, "--reuid=65534", "--regid=65534", "--clear-groups", NSBENCH_BINARY,
                   "run", "--quick", "--filter", "baseline", "--json", ""});
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_TRUE(std::regex_search(run.output, std::regex("nsbench run: probes off[^\n]*\n")))
      << run.output;
  EXPECT_NE(run.output.find("baseline/fork_exit"), std::string::npos) << run.output;
}

TEST(RunCommand, BadOptionsGetOneLineAndAUsageExitCode) {
  // All refused while parsing, before any probe or benchmark runs.
  for (const std::vector<std::string>& arguments :
       {std::vector<std::string>{"--repetitions", "0"},
        {"--filter", "("},
        {"--bogus"},
        {"--attach-mode", "kprobe"},
        {"--listen", "garbage"},
        {"--listen", "127.0.0.1:99999"},
        {"--listen", ""},
        {"--push", "garbage"},
        {"--push-job", ""},
        {"--json", "/nonexistent/directory/results.json"}}) {
    std::vector<std::string> argv = {NSBENCH_BINARY, "run", "--no-probes", "--json", ""};
    argv.insert(argv.end(), arguments.begin(), arguments.end());
    const ProcessResult run = run_process(argv);
    EXPECT_EQ(run.exit_code, 2) << arguments.front() << ": " << run.output;
    EXPECT_TRUE(run.output.starts_with("nsbench run: ")) << run.output;
  }
}

TEST(RunCommand, UnwritableTextfileIsNamedAndLeavesNothingBehind) {
  NSBENCH_REQUIRE_ROOT();
  ScratchDirectory scratch;
  const std::string missing = scratch.file("absent/out.prom");
  const ProcessResult run =
      run_process({NSBENCH_BINARY, "run", "--quick", "--no-probes", "--filter", "baseline",
                   "--json", "", "--textfile", missing});
  // Found before the benchmarks run, as a mistake on the command line.
  EXPECT_EQ(run.exit_code, 2) << run.output;
  EXPECT_NE(run.output.find(missing), std::string::npos) << run.output;
  EXPECT_TRUE(scratch.entries().empty());
}

TEST(RunCommand, ListenAddressInUseFailsBeforeBenchmarking) {
  NSBENCH_REQUIRE_ROOT();
  ScratchDirectory scratch;
  const uint16_t port = 20477 + static_cast<uint16_t>(getpid() % 1000);
  BackgroundProcess first(
      {NSBENCH_BINARY, "run", "--quick", "--repetitions", "50", "--no-probes", "--filter",
       "baseline", "--json", "", "--listen", "127.0.0.1:" + std::to_string(port)},
      scratch.file("first.log"));
  for (int attempt = 0; attempt < 200 && !http_request(port, "GET", "/metrics"); ++attempt) {
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  const ProcessResult second = run_process({NSBENCH_BINARY, "run", "--no-probes", "--json", "",
                                            "--listen", "127.0.0.1:" + std::to_string(port)});
  EXPECT_EQ(second.exit_code, 1) << second.output;
  EXPECT_NE(second.output.find(std::to_string(port)), std::string::npos) << second.output;
  EXPECT_EQ(second.output.find("baseline/fork_exit"), std::string::npos) << second.output;
}

}  // namespace
}  // namespace nsbench::testing
