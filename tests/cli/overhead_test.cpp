// `nsbench overhead`: one quick round end to end, with real bpftrace, and its JSON report.
#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "cli_test.h"
#include "command_runner.h"
#include "support.h"

namespace nsbench::testing {
namespace {

TEST(OverheadCommand, QuickRoundReportsWhatEveryTracerAddsToEveryWorkload) {
  NSBENCH_REQUIRE_ROOT();
  NSBENCH_REQUIRE_PROGRAM(bpftrace, "bpftrace", "bpftrace");
  const std::string report_path = (std::filesystem::temp_directory_path() /
                                   ("nsbench-overhead-" + std::to_string(getpid()) + ".json"))
                                      .string();

  const CommandResult result =
      run_command({kNsbench, "overhead", "--quick", "--json", report_path}, 120s);
  ASSERT_EQ(result.exit_code(), 0) << result.describe();
  EXPECT_NE(result.standard_output.find("goals, for nsbench/"), std::string::npos)
      << result.describe();

  std::ifstream file(report_path);
  const nlohmann::json report = nlohmann::json::parse(file, nullptr, false);
  std::filesystem::remove(report_path);
  ASSERT_TRUE(report.is_object()) << "the report is not JSON";
  const std::string picked = "nsbench/" + report.value("picked_attach_mode", std::string());

  std::vector<std::string> workloads;
  for (const nlohmann::json& row : report["workloads"]) {
    workloads.push_back(row["workload"]);
    for (const std::string& tracer : {picked, std::string("bpftrace")}) {
      ASSERT_TRUE(row["added_seconds"].contains(tracer)) << row.dump();
      EXPECT_TRUE(std::isfinite(row["added_seconds"][tracer].get<double>())) << row.dump();
      EXPECT_EQ(row["per_call_seconds"][tracer].size(), 1U) << row.dump();
    }
  }
  EXPECT_EQ(workloads, (std::vector<std::string>{"setns", "unshare", "clone", "getppid"}));
  // The run with run-time statistics names the programs and their runs.
  ASSERT_FALSE(report["programs"].empty());
  EXPECT_GT(report["programs"][0]["runs"].get<uint64_t>(), 0U);
  // Both tools saw the setns calls.
  EXPECT_GT(report["setns_median_slot_upper_edge_ns"]["nsbench"].get<uint64_t>(), 0U);
  EXPECT_GT(report["setns_median_slot_upper_edge_ns"]["bpftrace"].get<uint64_t>(), 0U);
}

TEST(OverheadCommand, BadOptionsGetOneLineAndAUsageExitCode) {
  for (const std::vector<std::string>& arguments : {std::vector<std::string>{"--rounds", "0"},
                                                    {"--batches", "lots"},
                                                    {"--attach-mode", "kprobe"},
                                                    {"--", "extra"}}) {
    std::vector<std::string> argv = {kNsbench, "overhead"};
    argv.insert(argv.end(), arguments.begin(), arguments.end());
    const CommandResult result = run_command(argv);
    EXPECT_EQ(result.exit_code(), 2) << result.describe();
    EXPECT_NE(result.first_error_line(), "") << result.describe();
  }
}

}  // namespace
}  // namespace nsbench::testing
