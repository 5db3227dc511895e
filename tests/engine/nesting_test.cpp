#include "engine/nesting.h"

#include "support.h"

namespace nsbench::engine {
namespace {

TEST(Nesting, CommandRunsAtTheInnermostLevel) {
  NSBENCH_REQUIRE_ROOT();
  // At depth 3 the command's PID namespace is three levels below the host's: its NSpid line in
  // /proc/self/status lists one PID per level, host first, so four fields follow the key.
  auto run = run_nested(NestOptions{3, false},
                        {"sh", "-c", "test $(grep NSpid /proc/self/status | wc -w) -eq 5"});
  ASSERT_TRUE(run) << run.error().message();
  EXPECT_EQ(run->depth_reached, 3);
  EXPECT_EQ(run->exit_status, 0);
}

TEST(Nesting, ReachesTheKernelLimitWithUserNamespaces) {
  NSBENCH_REQUIRE_ROOT();
  auto run = run_nested(NestOptions{kMaxNestingDepth, true}, {"true"});
  ASSERT_TRUE(run) << run.error().message();
  EXPECT_EQ(run->depth_reached, kMaxNestingDepth);
  EXPECT_EQ(run->exit_status, 0);
}

TEST(Nesting, OneLevelPastTheLimitFailsNamingIt) {
  NSBENCH_REQUIRE_ROOT();
  auto run = run_nested(NestOptions{kMaxNestingDepth + 1, false}, {"true"});
  ASSERT_FALSE(run);
  EXPECT_EQ(run.error().error_number, ENOSPC);
  EXPECT_NE(run.error().message().find("at most 32"), std::string::npos) << run.error().message();
  EXPECT_NE(run.error().message().find("level 33"), std::string::npos) << run.error().message();
}

TEST(Nesting, ExitStatusOfTheInnermostCommandComesBack) {
  NSBENCH_REQUIRE_ROOT();
  auto run = run_nested(NestOptions{2, false}, {"sh", "-c", "exit 9"});
  ASSERT_TRUE(run) << run.error().message();
  EXPECT_EQ(run->exit_status, 9);
}

TEST(Nesting, ZeroDepthIsRefused) {
  auto run = run_nested(NestOptions{0, false}, {"true"});
  ASSERT_FALSE(run);
}

}  // namespace
}  // namespace nsbench::engine
