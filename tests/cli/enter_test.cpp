// End-to-end tests of `nsbench enter`: joining the namespaces of a running process.
#include <signal.h>
#include <sys/wait.h>

#include <filesystem>
#include <optional>
#include <string>

#include <fmt/core.h>

#include "cli_test.h"
#include "support.h"

namespace nsbench::testing {
namespace {

// The target's PID namespace holds the target as PID 1 and, once joined, ps: nothing else.
void expect_target_and_ps_only(const CommandResult& entered) {
  ASSERT_EQ(entered.exit_code(), 0) << entered.describe();
  const std::optional<std::vector<PsRow>> rows = parse_ps_aux(entered.standard_output);
  ASSERT_TRUE(rows) << "not a ps aux listing:\n" << entered.standard_output;
  ASSERT_EQ(rows->size(), 2u) << entered.standard_output;
  EXPECT_EQ(rows->at(0), (PsRow{1, "sleep 1000"}));
  EXPECT_EQ(rows->at(1).command, "ps aux");
}

TEST(EnterCommand, RootKeepsTheWorkingDirectoryUnlessAMountNamespaceIsJoined) {
  NSBENCH_REQUIRE_ROOT();
  BackgroundCommand target({kNsbench, "unshare", "-fm", "sleep", "1000"});
  ASSERT_TRUE(target.started());
  const std::optional<pid_t> sleep_pid = wait_for_child_named(target.pid(), "sleep", 5s);
  ASSERT_TRUE(sleep_pid) << target.output();
  const std::string pid = std::to_string(*sleep_pid);

  // As nsenter: -r alone keeps the caller's working directory; joining the mount namespace too
  // moves it to that namespace's root.
  const CommandResult kept = run_command({kNsbench, "enter", "-t", pid, "-r", "pwd"});
  ASSERT_EQ(kept.exit_code(), 0) << kept.describe();
  EXPECT_EQ(kept.standard_output, std::filesystem::current_path().string() + "\n");
  const CommandResult joined = run_command({kNsbench, "enter", "-t", pid, "-m", "-r", "pwd"});
  ASSERT_EQ(joined.exit_code(), 0) << joined.describe();
  EXPECT_EQ(joined.standard_output, "/\n");
  // -W names a directory as the entered namespaces see it.
  const CommandResult in_namespace =
      run_command({kNsbench, "enter", "-t", pid, "-m", "-W", "/proc", "pwd"});
  ASSERT_EQ(in_namespace.exit_code(), 0) << in_namespace.describe();
  EXPECT_EQ(in_namespace.standard_output, "/proc\n");
}

TEST(EnterCommand, EnterSeesTheTargetsProcesses) {
  NSBENCH_REQUIRE_ROOT();
  NSBENCH_REQUIRE_PROGRAM(ps, "ps", "procps");

  // If an assertion ends the test early, the destructor kills the whole process group, sleep
  // included.
  BackgroundCommand target({kNsbench, "unshare", "-fp", "--mount-proc", "sleep", "1000"});
  ASSERT_TRUE(target.started());
  // Named "sleep" only once exec'ed, which is after /proc was mounted in its namespace.
  const std::optional<pid_t> sleep_pid = wait_for_child_named(target.pid(), "sleep", 5s);
  ASSERT_TRUE(sleep_pid) << "no sleep under nsbench unshare:\n" << target.output();

  {
    SCOPED_TRACE("by target PID");
    expect_target_and_ps_only(run_command(
        {kNsbench, "enter", "-t", std::to_string(*sleep_pid), "-p", "-m", "ps", "aux"}));
  }
  {
    SCOPED_TRACE("by namespace file");
    expect_target_and_ps_only(
        run_command({kNsbench, "enter", fmt::format("--pid=/proc/{}/ns/pid", *sleep_pid),
                     fmt::format("--mount=/proc/{}/ns/mnt", *sleep_pid), "ps", "aux"}));
  }

  // The sleep is PID 1 of its namespace and has no handler, so only SIGKILL ends it; nsbench then
  // reports the death as 128 + 9.
  ASSERT_EQ(kill(*sleep_pid, SIGKILL), 0);
  const std::optional<int> status = target.wait_for_exit(5s);
  ASSERT_TRUE(status) << "nsbench unshare outlived its command";
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 128 + SIGKILL)
      << "wait status " << *status << "\n"
      << target.output();
}

}  // namespace
}  // namespace nsbench::testing
