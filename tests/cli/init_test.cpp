// End-to-end tests of the init, as `nsbench init` and as `nsbench unshare --init`: exit codes,
// reaping and signal forwarding.
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <utility>

#include <fmt/core.h>

#include "cli_test.h"

namespace nsbench::testing {
namespace {

TEST(InitCommand, PassesTheCommandsExitCodeThrough) {
  for (int code : {0, 1, 2, 42, 126, 255}) {
    SCOPED_TRACE(code);
    const CommandResult result =
        run_command({kNsbench, "init", "--", "sh", "-c", fmt::format("exit {}", code)});
    EXPECT_EQ(result.exit_code(), code) << result.describe();
  }
}

TEST(InitCommand, ExitsWith128PlusTheSignalThatKilledTheCommand) {
  const CommandResult result = run_command({kNsbench, "init", "--", "sh", "-c", "kill -KILL $$"});
  EXPECT_EQ(result.exit_code(), 128 + SIGKILL) << result.describe();
}

TEST(InitCommand, ExitsWith127WhenTheCommandDoesNotExist) {
  const CommandResult result = run_command({kNsbench, "init", "--", "/nonexistent/command"});
  EXPECT_EQ(result.exit_code(), 127) << result.describe();
  EXPECT_TRUE(result.first_error_line().starts_with("nsbench init: ")) << result.describe();
  EXPECT_NE(result.first_error_line().find("/nonexistent/command"), std::string::npos);
}

TEST(InitCommand, ExitsWith126WhenTheCommandIsNotExecutable) {
  char path[] = "/tmp/nsbench-cli-test-XXXXXX";
  const int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  close(fd);
  // A script without any execute bit: even root may not run it.
  ASSERT_EQ(chmod(path, 0644), 0);

  const CommandResult result = run_command({kNsbench, "init", "--", path});
  unlink(path);
  EXPECT_EQ(result.exit_code(), 126) << result.describe();
  EXPECT_TRUE(result.first_error_line().starts_with("nsbench init: ")) << result.describe();
}

TEST(InitCommand, ReapsEveryOrphanInANewPidNamespace) {
  NSBENCH_REQUIRE_ROOT();
  // Each subshell exits at once, so its sleep is re-parented to PID 1, the init; when they have
  // all finished, any of them the init did not reap is still a zombie in the namespace's /proc.
  const char* script =
      "for i in $(seq 100); do (sleep 0.01 &); done; sleep 0.5; "
      "grep -l '^State:.*Z' /proc/[0-9]*/status | wc -l";
  const CommandResult result =
      run_command({kNsbench, "unshare", "--init", "-fp", "--mount-proc", "sh", "-c", script});
  ASSERT_EQ(result.exit_code(), 0) << result.describe();
  EXPECT_EQ(result.standard_output, "0\n") << result.describe();
}

TEST(InitCommand, ForwardsTerminationSignalsToTheCommand) {
  for (const auto& [signal_number, expected] :
       {std::pair{SIGTERM, 143}, std::pair{SIGINT, 130}, std::pair{SIGHUP, 129}}) {
    SCOPED_TRACE(strsignal(signal_number));
    BackgroundCommand init({kNsbench, "init", "--", "sleep", "100"});
    ASSERT_TRUE(init.started());

    // The init blocks signals before it forks; until then the signal's default action would end
    // nsbench with the same number and hide a missing forward. Once the child is "sleep", the
    // signal can only reach the command through the init.
    ASSERT_TRUE(wait_for_child_named(init.pid(), "sleep", 5s)) << init.output();
    ASSERT_EQ(kill(init.pid(), signal_number), 0);

    const std::optional<int> status = init.wait_for_exit(5s);
    ASSERT_TRUE(status) << "nsbench init still runs after the signal";
    ASSERT_TRUE(WIFEXITED(*status)) << "the signal killed nsbench init itself";
    EXPECT_EQ(WEXITSTATUS(*status), expected) << init.output();
  }
}

}  // namespace
}  // namespace nsbench::testing
