#include "bench/runner.h"

#include <dirent.h>
#include <fcntl.h>
#include <grp.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <set>
#include <sstream>

#include "bench/scenarios.h"
#include "support.h"

namespace nsbench::bench {
namespace {

const Scenario& find_scenario(const std::string& name) {
  const std::vector<Scenario>& scenarios = all_scenarios();
  return *std::find_if(scenarios.begin(), scenarios.end(),
                       [&](const Scenario& scenario) { return scenario.name == name; });
}

// Children of this process, zombies included, found by the parent PID in /proc/*/stat.
std::vector<pid_t> children_of_this_process() {
  std::vector<pid_t> children;
  DIR* proc = opendir("/proc");
  if (proc == nullptr)
    return children;
  while (dirent* entry = readdir(proc)) {
    const std::string name = entry->d_name;
    if (name.find_first_not_of("0123456789") != std::string::npos)
      continue;
    std::ifstream stat_file("/proc/" + name + "/stat");
    std::string line;
    std::getline(stat_file, line);
    // The command name in parentheses may itself hold spaces and parentheses.
    const size_t end_of_name = line.rfind(')');
    if (end_of_name == std::string::npos)
      continue;
    std::istringstream fields(line.substr(end_of_name + 1));
    char state = 0;
    pid_t parent = 0;
    fields >> state >> parent;
    if (parent == getpid())
      children.push_back(std::stoi(name));
  }
  closedir(proc);
  return children;
}

const std::string kCheapScenarios = "^(baseline/fork_exit|create/uts|setns/uts)$";

TEST(Runner, CatalogueHasEveryScenarioOnce) {
  const std::vector<std::string> names = scenario_names();
  EXPECT_EQ(names.size(), 24u);
  EXPECT_EQ(std::set<std::string>(names.begin(), names.end()).size(), names.size());
  EXPECT_EQ(names.front(), "baseline/fork_exit");
  for (const char* type : {"mnt", "uts", "ipc", "pid", "net", "user", "cgroup", "time"}) {
    EXPECT_NE(std::find(names.begin(), names.end(), std::string("create/") + type), names.end());
    EXPECT_NE(std::find(names.begin(), names.end(), std::string("setns/") + type), names.end());
  }
  EXPECT_NE(std::find(names.begin(), names.end(), "pidns/unshare_fork"), names.end());
  EXPECT_NE(std::find(names.begin(), names.end(), "full_start"), names.end());
}

TEST(Runner, QuickRunSummarizesEveryIterationOfEveryRepetition) {
  NSBENCH_REQUIRE_ROOT();
  RunOptions options;
  options.quick = true;
  options.filter = kCheapScenarios;
  options.repetitions = 2;
  Result<RunResult> result = run_scenarios(options);
  ASSERT_TRUE(result) << result.error().message();
  EXPECT_TRUE(result->failures.empty()) << result->failures.front();
  ASSERT_EQ(result->scenarios.size(), 3u);

  for (const ScenarioSummary& summary : result->scenarios) {
    SCOPED_TRACE(summary.scenario);
    const Scenario& scenario = find_scenario(summary.scenario);
    EXPECT_EQ(summary.samples, static_cast<uint64_t>(scenario.quick_iterations * 2));
    EXPECT_EQ(summary.syscall, scenario.syscall);
    EXPECT_EQ(summary.ns_type, scenario.ns_type);
    EXPECT_GT(summary.median_seconds, 0);
    EXPECT_GE(summary.p99_seconds, summary.median_seconds);
    EXPECT_GT(summary.mean_seconds, 0);
    EXPECT_GE(summary.cv_ratio, 0);
    // Nothing here takes anywhere near a second; a larger figure would be a unit mistake.
    EXPECT_LT(summary.median_seconds, 0.1);
  }
  EXPECT_EQ(result->scenarios[0].scenario, "baseline/fork_exit");
  EXPECT_EQ(result->scenarios[1].syscall, "clone3");
  EXPECT_EQ(result->scenarios[1].ns_type, "uts");
  EXPECT_EQ(result->scenarios[2].syscall, "setns");

  const nlohmann::json& create_uts = result->report["scenarios"][1];
  EXPECT_DOUBLE_EQ(create_uts.value("median_over_baseline_seconds", 0.0),
                   result->scenarios[1].median_seconds - result->scenarios[0].median_seconds);
  EXPECT_FALSE(result->report["scenarios"][2].contains("median_over_baseline_seconds"));
}

TEST(Runner, ReportIsGoogleBenchmarkJsonWithContextAndCounters) {
  NSBENCH_REQUIRE_ROOT();
  RunOptions options;
  options.quick = true;
  options.filter = "^baseline/fork_exit$";
  options.context = {{"attach_mode", "tracepoint"}, {"cpu_model", "given by the caller"}};
  Result<RunResult> result = run_scenarios(options);
  ASSERT_TRUE(result) << result.error().message();
  const nlohmann::json& report = result->report;

  ASSERT_TRUE(report.contains("context"));
  const nlohmann::json& context = report["context"];
  EXPECT_EQ(context.value("attach_mode", ""), "tracepoint");
  EXPECT_EQ(context.value("cpu_model", ""), "given by the caller");
  EXPECT_TRUE(context.contains("kernel_release"));
  EXPECT_TRUE(context.contains("mount_count"));
  EXPECT_TRUE(context.contains("num_cpus"));  // Google Benchmark's own
  EXPECT_EQ(context.value("run_mode", ""), "quick");

  ASSERT_TRUE(report.contains("benchmarks"));
  int repetitions = 0;
  std::set<std::string> aggregates;
  for (const nlohmann::json& entry : report["benchmarks"]) {
    EXPECT_EQ(entry.value("run_name", ""),
              "baseline/fork_exit/iterations:" +
                  std::to_string(find_scenario("baseline/fork_exit").quick_iterations) +
                  "/repeats:3/manual_time");
    EXPECT_EQ(entry.value("time_unit", ""), "us");
    EXPECT_GT(entry.value("real_time", 0.0), 0);
    if (entry.value("run_type", "") == "iteration") {
      ++repetitions;
      EXPECT_GT(entry.value("median", 0.0), 0);
      EXPECT_GE(entry.value("p99", 0.0), entry.value("median", 0.0));
      EXPECT_TRUE(entry.contains("cv"));
      EXPECT_EQ(entry.value("samples", 0.0), find_scenario("baseline/fork_exit").quick_iterations);
    } else {
      EXPECT_EQ(entry.value("run_type", ""), "aggregate");
      aggregates.insert(entry.value("aggregate_name", ""));
    }
  }
  EXPECT_EQ(repetitions, 3);
  EXPECT_TRUE(aggregates.contains("mean"));
  EXPECT_TRUE(aggregates.contains("median"));
  EXPECT_TRUE(aggregates.contains("stddev"));

  ASSERT_EQ(report["scenarios"].size(), 1u);
  EXPECT_EQ(report["scenarios"][0].value("scenario", ""), "baseline/fork_exit");
  EXPECT_DOUBLE_EQ(report["scenarios"][0].value("median_seconds", 0.0),
                   result->scenarios[0].median_seconds);
}

TEST(Runner, SecondRunInTheSameProcessReportsItsOwnContext) {
  NSBENCH_REQUIRE_ROOT();
  RunOptions options;
  options.quick = true;
  options.repetitions = 1;
  options.filter = "^baseline/fork_exit$";
  options.context = {{"attach_mode", "first"}};
  ASSERT_TRUE(run_scenarios(options));
  options.context = {{"attach_mode", "second"}};
  Result<RunResult> second = run_scenarios(options);
  ASSERT_TRUE(second) << second.error().message();
  EXPECT_EQ(second->report["context"].value("attach_mode", ""), "second");
  EXPECT_EQ(second->scenarios.size(), 1u);
}

TEST(Runner, WritesTheReportToTheJsonPath) {
  NSBENCH_REQUIRE_ROOT();
  char directory[] = "/tmp/nsbench-bench-test-XXXXXX";
  ASSERT_NE(mkdtemp(directory), nullptr);
  RunOptions options;
  options.quick = true;
  options.repetitions = 1;
  options.filter = "^baseline/fork_exit$";
  options.json_path = std::string(directory) + "/results.json";
  Result<RunResult> result = run_scenarios(options);
  ASSERT_TRUE(result) << result.error().message();

  std::ifstream written(options.json_path);
  const nlohmann::json document = nlohmann::json::parse(written, nullptr, false);
  EXPECT_EQ(document, result->report);
  std::remove(options.json_path.c_str());
  rmdir(directory);
}

TEST(Runner, FilterMatchingNoScenarioIsAnError) {
  RunOptions options;
  options.filter = "^no-such-scenario$";
  Result<RunResult> result = run_scenarios(options);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().operation, "select scenarios");
  EXPECT_EQ(result.error().subject, "^no-such-scenario$");
}

TEST(Runner, MalformedFilterIsAnError) {
  RunOptions options;
  options.filter = "create/(net";
  Result<RunResult> result = run_scenarios(options);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().operation, "parse scenario filter");
}

TEST(Runner, NegativeRepetitionsIsAnError) {
  RunOptions options;
  options.repetitions = -1;
  EXPECT_FALSE(run_scenarios(options));
}

TEST(Runner, LeavesNoChildProcessBehind) {
  NSBENCH_REQUIRE_ROOT();
  const std::vector<pid_t> before = children_of_this_process();
  RunOptions options;
  options.quick = true;
  options.repetitions = 1;
  options.filter = "^(setns/(pid|user|mnt)|pidns/unshare_fork|full_start|create/pid)$";
  Result<RunResult> result = run_scenarios(options);
  ASSERT_TRUE(result) << result.error().message();
  EXPECT_TRUE(result->failures.empty()) << result->failures.front();
  EXPECT_EQ(result->scenarios.size(), 6u);
  EXPECT_EQ(children_of_this_process(), before);
}

// Without privileges clone3 with CLONE_NEWUTS fails; the run must record that and still measure
// the baseline. Run in a forked child that drops root, since dropping it cannot be undone.
TEST(Runner, FailingScenarioIsReportedAndTheOthersStillRun) {
  NSBENCH_REQUIRE_ROOT();
  int report_pipe[2];
  ASSERT_EQ(pipe(report_pipe), 0);
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    close(report_pipe[0]);
    const gid_t nobody = 65534;
    if (setgroups(0, nullptr) != 0 || setresgid(nobody, nobody, nobody) != 0 ||
        setresuid(nobody, nobody, nobody) != 0)
      _exit(10);
    RunOptions options;
    options.quick = true;
    options.repetitions = 2;
    options.filter = "^(baseline/fork_exit|create/uts)$";
    Result<RunResult> result = run_scenarios(options);
    if (!result)
      _exit(11);
    nlohmann::json outcome = {{"failures", result->failures},
                              {"summaries", nlohmann::json::array()}};
    for (const ScenarioSummary& summary : result->scenarios)
      outcome["summaries"].push_back(summary.scenario);
    for (const nlohmann::json& entry : result->report["benchmarks"]) {
      if (entry.value("error_occurred", false))
        outcome["errors_in_report"].push_back(entry.value("run_name", ""));
    }
    const std::string text = outcome.dump();
    (void)!write(report_pipe[1], text.data(), text.size());
    _exit(0);
  }

  close(report_pipe[1]);
  std::string text;
  char buffer[4096];
  ssize_t got;
  while ((got = read(report_pipe[0], buffer, sizeof buffer)) > 0)
    text.append(buffer, static_cast<size_t>(got));
  close(report_pipe[0]);
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  ASSERT_EQ(WEXITSTATUS(status), 0);

  const nlohmann::json outcome = nlohmann::json::parse(text);
  ASSERT_EQ(outcome["failures"].size(), 1u) << text;
  const std::string failure = outcome["failures"][0];
  EXPECT_TRUE(failure.starts_with("create/uts: clone3 (uts): Operation not permitted")) << failure;
  EXPECT_EQ(outcome["summaries"], nlohmann::json::array({"baseline/fork_exit"}));
  EXPECT_EQ(outcome["errors_in_report"].size(), 2u) << text;  // one per repetition
}

}  // namespace
}  // namespace nsbench::bench
