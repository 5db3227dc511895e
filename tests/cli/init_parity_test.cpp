// nsbench init side by side with tini and dumb-init, the inits containers use today: the same
// commands under each must give the same exit codes, get the same signals, leave no zombie and
// reach the same processes. Each check runs against all three, so a difference shows up as the
// one implementation that fails it.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <thread>
#include <utility>

#include <fmt/core.h>

#include "cli_test.h"

namespace nsbench::testing {
namespace {

struct InitUnderTest {
  const char* name;     // for the test names
  const char* program;  // found in PATH; nsbench is the binary under test
  // Arguments before the command, forwarding signals to the command alone or to its group.
  std::vector<std::string> to_child;
  std::vector<std::string> to_group;
  const char* debian_package;
};

const InitUnderTest kInits[] = {
    {"nsbench", nullptr, {"init", "--"}, {"init", "-g", "--"}, ""},
    // -s: a subreaper when it is not PID 1, as nsbench init is on its own.
    {"tini", "tini", {"-s", "--"}, {"-s", "-g", "--"}, "tini"},
    // dumb-init forwards to the group unless told to keep to a single child.
    {"dumb_init", "dumb-init", {"--single-child", "--"}, {"--"}, "dumb-init"},
};

class InitParity : public ::testing::TestWithParam<InitUnderTest> {
 public:
  void SetUp() override {
    const InitUnderTest& init = GetParam();
    if (init.program == nullptr) {
      program_ = kNsbench;
      return;
    }
    const std::optional<std::string> found = find_program(init.program);
    if (!found) {
      if (running_in_ci())
        FAIL() << init.program << " is missing in CI";
      GTEST_SKIP() << "needs " << init.program << " (apt-get install " << init.debian_package
                   << ")";
    }
    program_ = *found;
  }

  // The init's command line around `command`.
  std::vector<std::string> argv(const std::vector<std::string>& command, bool to_group = false) {
    std::vector<std::string> line = {program_};
    const std::vector<std::string>& options = to_group ? GetParam().to_group : GetParam().to_child;
    line.insert(line.end(), options.begin(), options.end());
    line.insert(line.end(), command.begin(), command.end());
    return line;
  }

  std::string program_;
};

// Waits until `command` has printed `text`, or the deadline passes.
bool wait_for_output(const BackgroundCommand& command, const std::string& text,
                     std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (command.output().find(text) != std::string::npos)
      return true;
    std::this_thread::sleep_for(10ms);
  }
  return false;
}

// Whether `pid` has ended: gone, or a zombie waiting for a parent that is not ours to reap.
bool has_ended(pid_t pid, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    const std::string stat = read_text_file(fmt::format("/proc/{}/stat", pid));
    const size_t state = stat.rfind(") ");
    if (stat.empty() || (state != std::string::npos && stat[state + 2] == 'Z'))
      return true;
    std::this_thread::sleep_for(10ms);
  }
  return false;
}

TEST_P(InitParity, PassesEveryExitCodeFrom0To255Through) {
  for (int code = 0; code <= 255; ++code) {
    const CommandResult result = run_command(argv({"sh", "-c", fmt::format("exit {}", code)}));
    ASSERT_EQ(result.exit_code(), code) << result.describe();
  }
}

TEST_P(InitParity, ExitsWith128PlusTheSignalThatKilledTheCommand) {
  for (int signal_number : {SIGHUP, SIGINT, SIGKILL, SIGUSR1, SIGUSR2, SIGPIPE, SIGALRM, SIGTERM}) {
    const CommandResult result =
        run_command(argv({"sh", "-c", fmt::format("kill -{} $$", signal_number)}));
    EXPECT_EQ(result.exit_code(), 128 + signal_number) << strsignal(signal_number) << "\n"
                                                       << result.describe();
  }
}

TEST_P(InitParity, ForwardsEachCommonSignalToTheCommand) {
  for (const auto& [signal_name, signal_number] :
       {std::pair{"HUP", SIGHUP}, std::pair{"INT", SIGINT}, std::pair{"QUIT", SIGQUIT},
        std::pair{"USR1", SIGUSR1}, std::pair{"USR2", SIGUSR2}, std::pair{"TERM", SIGTERM},
        std::pair{"ALRM", SIGALRM}, std::pair{"WINCH", SIGWINCH}}) {
    SCOPED_TRACE(signal_name);
    // The command says when its trap is set, then waits in short sleeps, so that the trap runs
    // soon after the signal arrives.
    BackgroundCommand init(argv({"sh", "-c",
                                 fmt::format("trap 'echo got {0}; exit 0' {0}; echo ready; "
                                             "while :; do sleep 0.02; done",
                                             signal_name)}));
    ASSERT_TRUE(init.started());
    ASSERT_TRUE(wait_for_output(init, "ready", 10s)) << init.output();
    ASSERT_EQ(kill(init.pid(), signal_number), 0);

    const std::optional<int> status = init.wait_for_exit(10s);
    ASSERT_TRUE(status) << "still running after the signal: " << init.output();
    EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0) << init.output();
    EXPECT_NE(init.output().find(std::string("got ") + signal_name), std::string::npos)
        << init.output();
  }
}

TEST_P(InitParity, AsPid1ReapsAThousandOrphansLeavingNoZombie) {
  NSBENCH_REQUIRE_ROOT();
  NSBENCH_REQUIRE_PROGRAM(util_linux_unshare, "unshare", "util-linux");
  // Each subshell exits at once and leaves its background child to PID 1, the init under test.
  // The script then waits for the zombies among them to be reaped, and prints how many are left.
  const char* script =
      "i=0; while [ $i -lt 1000 ]; do (true &); i=$((i+1)); done; "
      "t=0; while [ $t -lt 100 ]; do "
      "n=$(grep -l '^State:.*Z' /proc/[0-9]*/status 2>/dev/null | wc -l); "
      "[ $n -eq 0 ] && break; sleep 0.05; t=$((t+1)); done; echo $n";
  std::vector<std::string> line = {*util_linux_unshare, "-fp", "--mount-proc"};
  for (const std::string& word : argv({"sh", "-c", script}))
    line.push_back(word);
  const CommandResult result = run_command(line, 60s);
  ASSERT_EQ(result.exit_code(), 0) << result.describe();
  EXPECT_EQ(result.standard_output, "0\n") << result.describe();
}

// The command starts a background child, writes its PID to a file and waits. SIGTERM to the
// init reaches the child's process group in group mode, the command alone otherwise.
void check_reach_of_sigterm(InitParity& test, bool to_group) {
  char pattern[] = "/tmp/nsbench-init-parity-XXXXXX";
  const int fd = mkstemp(pattern);
  ASSERT_GE(fd, 0);
  close(fd);
  const std::string pid_file = pattern;
  BackgroundCommand init(
      test.argv({"sh", "-c", fmt::format("sleep 1000 & echo $! > {}; echo ready; wait", pid_file)},
                to_group));
  ASSERT_TRUE(init.started());
  ASSERT_TRUE(wait_for_output(init, "ready", 10s)) << init.output();
  pid_t sleeper = 0;
  std::ifstream(pid_file) >> sleeper;
  std::remove(pid_file.c_str());
  ASSERT_GT(sleeper, 0);

  ASSERT_EQ(kill(init.pid(), SIGTERM), 0);
  const std::optional<int> status = init.wait_for_exit(10s);
  ASSERT_TRUE(status) << init.output();
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 128 + SIGTERM) << init.output();

  const bool ended = has_ended(sleeper, 2s);
  if (!ended)
    kill(sleeper, SIGKILL);
  EXPECT_EQ(ended, to_group) << (to_group ? "the command's child survived"
                                          : "the command's child got a signal meant for the "
                                            "command alone");
}

TEST_P(InitParity, GroupModeSignalsEverythingTheCommandStarted) {
  check_reach_of_sigterm(*this, true);
}

TEST_P(InitParity, ChildModeSignalsTheCommandAlone) {
  check_reach_of_sigterm(*this, false);
}

INSTANTIATE_TEST_SUITE_P(NsbenchTiniDumbInit, InitParity, ::testing::ValuesIn(kInits),
                         [](const ::testing::TestParamInfo<InitUnderTest>& info) {
                           return std::string(info.param.name);
                         });

}  // namespace
}  // namespace nsbench::testing
