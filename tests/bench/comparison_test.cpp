#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <string>
#include <vector>

#include "bench/comparisons.h"
#include "bench/runner.h"
#include "bench/tool_comparison.h"
#include "support.h"

namespace nsbench::bench {
namespace {

ScenarioSummary summary_with_median(const std::string& scenario, double median_seconds) {
  ScenarioSummary summary;
  summary.scenario = scenario;
  summary.median_seconds = median_seconds;
  return summary;
}

const ComparisonResult* find_result(const std::vector<ComparisonResult>& results,
                                    const std::string& name) {
  const auto found = std::find_if(results.begin(), results.end(), [&](const auto& result) {
    return result.comparison.name == name;
  });
  return found == results.end() ? nullptr : &*found;
}

// The test binary is not nsbench: /proc/self/exe would start copies of the test suite.
class ToolComparison : public ::testing::Test {
 protected:
  void SetUp() override { set_nsbench_binary(NSBENCH_BINARY); }
  void TearDown() override { set_nsbench_binary(""); }
};

// Runs `filter` in a forked child whose PATH holds only an empty directory, and returns the
// failure lines the run produced; the child's exit code says whether run_scenarios returned.
struct ChildRun {
  int exit_code = -1;
  std::string failures;
};

ChildRun run_without_tools_in_path(const std::string& filter) {
  int pipe_ends[2];
  if (pipe(pipe_ends) != 0)
    return {};
  const pid_t child = fork();
  if (child == 0) {
    close(pipe_ends[0]);
    // The PATH change lives and dies with this child; the test process keeps its own.
    char empty_directory[] = "/tmp/nsbench-no-tools-XXXXXX";
    if (mkdtemp(empty_directory) == nullptr)
      _exit(2);
    setenv("PATH", empty_directory, 1);

    RunOptions options;
    options.quick = true;
    options.repetitions = 1;
    options.filter = filter;
    Result<RunResult> result = run_scenarios(options);
    rmdir(empty_directory);
    if (!result)
      _exit(3);
    std::string lines;
    for (const std::string& failure : result->failures)
      lines += failure + "\n";
    (void)!write(pipe_ends[1], lines.data(), lines.size());
    _exit(result->scenarios.empty() ? 0 : 4);
  }
  close(pipe_ends[1]);
  ChildRun run;
  char buffer[4096];
  ssize_t got;
  while ((got = read(pipe_ends[0], buffer, sizeof buffer)) > 0)
    run.failures.append(buffer, static_cast<size_t>(got));
  close(pipe_ends[0]);
  int status = 0;
  if (child > 0 && waitpid(child, &status, 0) == child && WIFEXITED(status))
    run.exit_code = WEXITSTATUS(status);
  return run;
}

TEST(Comparisons, EveryComparedScenarioIsInTheCatalogue) {
  const std::vector<std::string> names = scenario_names();
  for (const Comparison& comparison : all_comparisons()) {
    SCOPED_TRACE(comparison.name);
    EXPECT_NE(std::find(names.begin(), names.end(), comparison.numerator), names.end());
    EXPECT_NE(std::find(names.begin(), names.end(), comparison.denominator), names.end());
  }
}

TEST(Comparisons, DivideMediansAndJudgeThemAgainstTheGoal) {
  const std::vector<ComparisonResult> results =
      compare_medians({summary_with_median("engine/spawn_vs_bare/engine", 104e-6),
                       summary_with_median("engine/spawn_vs_bare/bare", 100e-6),
                       summary_with_median("tools/nsbench_unshare", 3e-3),
                       summary_with_median("tools/util_linux_unshare", 2e-3)});

  const ComparisonResult* engine = find_result(results, "engine/bare");
  ASSERT_NE(engine, nullptr);
  EXPECT_DOUBLE_EQ(engine->median_ratio, 1.04);
  EXPECT_EQ(engine->meets_goal, true);

  const ComparisonResult* tools = find_result(results, "nsbench/util-linux");
  ASSERT_NE(tools, nullptr);
  EXPECT_DOUBLE_EQ(tools->median_ratio, 1.5);
  EXPECT_EQ(tools->meets_goal, false);

  // bubblewrap did not run: no ratio rather than a zero or an infinity.
  EXPECT_EQ(find_result(results, "nsbench/bwrap"), nullptr);

  const nlohmann::json json = comparisons_to_json(results);
  ASSERT_EQ(json.size(), 2u);
  EXPECT_EQ(json[0].value("name", ""), "engine/bare");
  EXPECT_DOUBLE_EQ(json[0].value("goal_max_ratio", 0.0), 1.05);
  EXPECT_TRUE(json[0].value("meets_goal", false));
}

TEST(Comparisons, ContextOnlyComparisonHasNoVerdict) {
  const std::vector<ComparisonResult> results =
      compare_medians({summary_with_median("tools/nsbench_unshare", 2e-3),
                       summary_with_median("tools/bubblewrap", 4e-3)});
  ASSERT_EQ(results.size(), 1u);
  EXPECT_DOUBLE_EQ(results[0].median_ratio, 0.5);
  EXPECT_FALSE(results[0].meets_goal.has_value());
  EXPECT_FALSE(comparisons_to_json(results)[0].contains("meets_goal"));
}

TEST(FindInPath, NamesThePackageOfAMissingTool) {
  Result<std::string> shell = find_in_path("sh", "dash");
  ASSERT_TRUE(shell) << shell.error().message();
  EXPECT_TRUE(shell->ends_with("/sh"));

  Result<std::string> missing = find_in_path("nsbench-no-such-tool", "nsbench-no-such-package");
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message().find("nsbench-no-such-tool"), std::string::npos);
  EXPECT_NE(missing.error().message().find("Debian package nsbench-no-such-package"),
            std::string::npos);
}

TEST_F(ToolComparison, ComparisonScenariosRunWithPositiveMedians) {
  NSBENCH_REQUIRE_ROOT();
  // The engine pair and nsbench need nothing installed; the other tools only when present.
  std::string filter = "^(engine/spawn_vs_bare/|tools/nsbench_unshare$";
  size_t expected = 3;
  if (find_in_path("unshare", "util-linux")) {
    filter += "|tools/util_linux_unshare$";
    ++expected;
  }
  if (find_in_path("bwrap", "bubblewrap")) {
    filter += "|tools/bubblewrap$";
    ++expected;
  }
  filter += ")";

  RunOptions options;
  options.quick = true;
  options.repetitions = 1;
  options.filter = filter;
  Result<RunResult> result = run_scenarios(options);
  ASSERT_TRUE(result) << result.error().message();
  EXPECT_TRUE(result->failures.empty()) << result->failures.front();
  ASSERT_EQ(result->scenarios.size(), expected);
  for (const ScenarioSummary& summary : result->scenarios) {
    SCOPED_TRACE(summary.scenario);
    EXPECT_GT(summary.median_seconds, 0);
    // A whole tool start takes milliseconds; a second would be a unit mistake or a hang.
    EXPECT_LT(summary.median_seconds, 1.0);
  }

  const std::vector<ComparisonResult> comparisons = compare_medians(result->scenarios);
  ASSERT_GE(comparisons.size(), 1u);
  for (const ComparisonResult& comparison : comparisons)
    EXPECT_GT(comparison.median_ratio, 0) << comparison.comparison.name;
}

TEST_F(ToolComparison, MissingToolIsAFailureNamingItsPackage) {
  NSBENCH_REQUIRE_ROOT();
  const ChildRun run = run_without_tools_in_path("^tools/(util_linux_unshare|bubblewrap)$");
  EXPECT_EQ(run.exit_code, 0) << run.failures;
  EXPECT_NE(run.failures.find("tools/util_linux_unshare: find 'unshare' in PATH"),
            std::string::npos)
      << run.failures;
  EXPECT_NE(run.failures.find("Debian package util-linux"), std::string::npos) << run.failures;
  EXPECT_NE(run.failures.find("tools/bubblewrap: find 'bwrap' in PATH"), std::string::npos)
      << run.failures;
  EXPECT_NE(run.failures.find("Debian package bubblewrap"), std::string::npos) << run.failures;
  // One line per failure, for the CLI to print as it is.
  EXPECT_EQ(std::count(run.failures.begin(), run.failures.end(), '\n'), 2) << run.failures;
}

TEST_F(ToolComparison, MissingNsbenchBinaryIsAFailureNamingThePath) {
  NSBENCH_REQUIRE_ROOT();
  set_nsbench_binary("/nonexistent/nsbench");
  RunOptions options;
  options.quick = true;
  options.repetitions = 1;
  options.filter = "^tools/nsbench_unshare$";
  Result<RunResult> result = run_scenarios(options);
  ASSERT_TRUE(result) << result.error().message();
  EXPECT_TRUE(result->scenarios.empty());
  ASSERT_EQ(result->failures.size(), 1u);
  EXPECT_NE(result->failures[0].find("/nonexistent/nsbench"), std::string::npos)
      << result->failures[0];
}

}  // namespace
}  // namespace nsbench::bench
