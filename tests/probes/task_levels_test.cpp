// Every new task's PID and user namespace nesting level lands in its own slot, up to the kernel's
// limit of 32, and each namespace a successful clone, clone3 or unshare creates is counted once
// under its type. A descendants filter rooted at a test child makes every figure exact.
#include <sched.h>

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include <gtest/gtest.h>

#include "probes/namespace_probes.h"
#include "support.h"
#include "workload.h"

namespace nsbench::probes {
namespace {

using testing::GatedChild;

// Runs `steps` in a gated child under probes that follow only it and its descendants, and returns
// what they saw; nullopt (with a test failure or skip recorded) when that cannot be done.
std::optional<Snapshot> snapshot_of_subtree(const std::function<std::string()>& steps,
                                            std::optional<AttachMode> mode = std::nullopt) {
  GatedChild root(steps);
  Result<NamespaceProbes> probes =
      NamespaceProbes::attach({.force_mode = mode, .descendants_of = root.pid()});
  if (!probes) {
    ADD_FAILURE() << probes.error().message();
    return std::nullopt;
  }
  root.release();
  if (const std::string problem = root.wait(); !problem.empty()) {
    ADD_FAILURE() << problem;
    return std::nullopt;
  }
  return probes->snapshot();
}

class TaskLevelsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    NSBENCH_REQUIRE_ROOT();
    if (!testing::in_initial_pid_namespace())
      GTEST_SKIP() << "the descendants filter needs the initial PID namespace";
  }
};

TEST_F(TaskLevelsTest, RecordsEachLevelUpToTheKernelsLimitOfThirtyTwo) {
  constexpr int kLevels = kMaxNamespaceLevel;

  const std::optional<Snapshot> seen =
      snapshot_of_subtree([] { return testing::nest_namespaces_and_fork(kLevels, kLevels); });
  ASSERT_TRUE(seen);

  // One fork in each user namespace, all at PID level 0; then one task at each PID level, all in
  // the deepest user namespace.
  LevelHistogram pid_expected;
  LevelHistogram user_expected;
  pid_expected.tasks[0] = kLevels;
  for (int level = 1; level <= kLevels; ++level) {
    pid_expected.tasks[level] = 1;
    user_expected.tasks[level] = 1;
  }
  user_expected.tasks[kLevels] += kLevels;
  EXPECT_EQ(seen->pidns_levels.tasks, pid_expected.tasks);
  EXPECT_EQ(seen->userns_levels.tasks, user_expected.tasks);
  EXPECT_EQ(seen->pidns_levels.max_level(), kMaxNamespaceLevel);
  EXPECT_EQ(seen->userns_levels.max_level(), kMaxNamespaceLevel);

  EXPECT_EQ(seen->namespaces_created.at("user"), static_cast<uint64_t>(kLevels));
  EXPECT_EQ(seen->namespaces_created.at("pid"), static_cast<uint64_t>(kLevels));
}

TEST_F(TaskLevelsTest, CountsEveryNamespaceFlagOfASuccessfulCallOnce) {
  constexpr int kCalls = 5;

  const std::optional<Snapshot> seen = snapshot_of_subtree([] {
    std::string problem = testing::unshare_namespaces(CLONE_NEWUTS | CLONE_NEWIPC, kCalls);
    if (problem.empty())
      problem = testing::clone_children(CLONE_NEWNET, kCalls);
    if (problem.empty())
      problem = testing::clone3_children(CLONE_NEWTIME | CLONE_NEWCGROUP | CLONE_NEWNS, kCalls);
    if (problem.empty())
      problem = testing::setns_into_net_namespaces(kCalls);  // one unshare, then joins only
    if (problem.empty())
      problem = testing::setns_with_bad_fd(kCalls);
    return problem;
  });
  ASSERT_TRUE(seen);

  const std::map<std::string, uint64_t> expected = {
      {"mnt", kCalls},     {"uts", kCalls}, {"ipc", kCalls},    {"pid", 0},
      {"net", kCalls + 1}, {"user", 0},     {"cgroup", kCalls}, {"time", kCalls}};
  EXPECT_EQ(seen->namespaces_created, expected);
  // The clone and clone3 children, in the root's namespaces.
  EXPECT_EQ(seen->pidns_levels.tasks[0], static_cast<uint64_t>(2 * kCalls));
  EXPECT_EQ(seen->userns_levels.tasks[0], static_cast<uint64_t>(2 * kCalls));
}

TEST_F(TaskLevelsTest, DoesNotCountTheNamespacesOfAFailedCall) {
  const std::optional<Snapshot> seen = snapshot_of_subtree([] {
    // EINVAL: CLONE_PARENT means nothing to unshare.
    if (unshare(CLONE_NEWUTS | CLONE_NEWIPC | CLONE_PARENT) == 0)
      return std::string("unshare with CLONE_PARENT succeeded");
    return std::string();
  });
  ASSERT_TRUE(seen);

  for (const auto& [ns_type, created] : seen->namespaces_created)
    EXPECT_EQ(created, 0u) << ns_type;
  EXPECT_EQ(testing::counts_by_key(*seen).at("unshare/multi/error"), 1u);
}

}  // namespace
}  // namespace nsbench::probes
