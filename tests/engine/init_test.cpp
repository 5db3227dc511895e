#include "engine/init.h"

#include <dirent.h>
#include <signal.h>
#include <unistd.h>

#include <fstream>
#include <string>
#include <thread>

#include "engine/spawn.h"
#include "support.h"

namespace nsbench::engine {
namespace {

// Counts zombie processes visible in this process's /proc.
int count_zombies() {
  int zombies = 0;
  DIR* proc = opendir("/proc");
  if (proc == nullptr)
    return -1;
  while (dirent* entry = readdir(proc)) {
    if (entry->d_name[0] < '0' || entry->d_name[0] > '9')
      continue;
    std::ifstream status(std::string("/proc/") + entry->d_name + "/status");
    std::string line;
    while (std::getline(status, line)) {
      if (line.starts_with("State:")) {
        zombies += line.find('Z') != std::string::npos ? 1 : 0;
        break;
      }
    }
  }
  closedir(proc);
  return zombies;
}

SpawnOptions pid_namespace_with_init() {
  SpawnOptions options;
  options.namespaces = NamespaceSet::of({NamespaceType::pid, NamespaceType::mnt});
  options.mount_proc = true;
  options.init = true;
  return options;
}

TEST(Init, CommandRunsAsPidTwo) {
  NSBENCH_REQUIRE_ROOT();
  auto child = spawn_in_namespaces(pid_namespace_with_init(), [] { return getpid() == 2 ? 0 : 1; });
  ASSERT_TRUE(child) << child.error().message();
  EXPECT_EQ(child->wait().value_or(-1), 0);
}

TEST(Init, ReapsOrphansOfExitedChildren) {
  NSBENCH_REQUIRE_ROOT();
  // The command leaves 200 orphans that exit at once; they are re-parented to the init, which
  // must reap them while the command is still running.
  auto child = spawn_in_namespaces(pid_namespace_with_init(), [] {
    for (int i = 0; i < 200; ++i) {
      const pid_t middle = fork();
      if (middle == 0) {
        if (fork() == 0)
          _exit(0);
        _exit(0);
      }
      waitpid(middle, nullptr, 0);
    }
    for (int attempt = 0; attempt < 100; ++attempt) {
      if (count_zombies() == 0)
        return 0;
      usleep(10'000);
    }
    return 1;
  });
  ASSERT_TRUE(child) << child.error().message();
  EXPECT_EQ(child->wait().value_or(-1), 0) << "zombies were left unreaped";
}

TEST(Init, ExitsWithTheCommandsCode) {
  NSBENCH_REQUIRE_ROOT();
  for (int code : {0, 1, 2, 42, 126, 127, 128, 255}) {
    auto child = spawn_in_namespaces(pid_namespace_with_init(), [code] { return code; });
    ASSERT_TRUE(child) << child.error().message();
    EXPECT_EQ(child->wait().value_or(-1), code);
  }
}

TEST(Init, KilledCommandGives128PlusSignal) {
  NSBENCH_REQUIRE_ROOT();
  for (int signal_number : {SIGKILL, SIGTERM, SIGSEGV}) {
    auto child = spawn_in_namespaces(pid_namespace_with_init(), [signal_number] {
      signal(signal_number, SIG_DFL);
      kill(getpid(), signal_number);
      return 0;
    });
    ASSERT_TRUE(child) << child.error().message();
    EXPECT_EQ(child->wait().value_or(-1), 128 + signal_number);
  }
}

TEST(Init, ForwardsCommonSignalsToTheCommand) {
  NSBENCH_REQUIRE_ROOT();
  for (int signal_number : {SIGTERM, SIGINT, SIGHUP, SIGUSR1, SIGQUIT}) {
    auto child = spawn_command(pid_namespace_with_init(), {"sleep", "30"});
    ASSERT_TRUE(child) << child.error().message();
    // Give the init time to start the command; a signal before that reaches the init's queue and
    // is forwarded as soon as the command exists, so this only makes the test exercise forwarding.
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    ASSERT_TRUE(child->signal(signal_number));
    EXPECT_EQ(child->wait().value_or(-1), 128 + signal_number) << strsignal(signal_number);
  }
}

TEST(Init, MissingCommandExits127AndUnexecutableExits126) {
  NSBENCH_REQUIRE_ROOT();
  auto missing = spawn_command(pid_namespace_with_init(), {"/nonexistent/command"});
  ASSERT_TRUE(missing) << missing.error().message();
  EXPECT_EQ(missing->wait().value_or(-1), 127);

  char path[] = "/tmp/nsbench-not-executable-XXXXXX";
  const int fd = mkstemp(path);  // created with mode 0600: readable, not executable
  ASSERT_GE(fd, 0);
  close(fd);
  auto unexecutable = spawn_command(pid_namespace_with_init(), {path});
  const int status = unexecutable ? unexecutable->wait().value_or(-1) : -1;
  unlink(path);
  ASSERT_TRUE(unexecutable) << unexecutable.error().message();
  EXPECT_EQ(status, 126);
}

TEST(Init, OutsidePidOneItBecomesASubreaper) {
  // Run as an ordinary child of the test: orphans of the command must still come to the init.
  auto child = spawn_in_namespaces(SpawnOptions{}, [] {
    return run_init_function([] {
      const pid_t init = getppid();
      if (fork() == 0) {
        usleep(50'000);  // outlive the parent, then report who adopted us
        std::ofstream("/dev/null") << init;
        _exit(getppid() == init ? 0 : 1);
      }
      return 0;
    });
  });
  ASSERT_TRUE(child) << child.error().message();
  EXPECT_EQ(child->wait().value_or(-1), 0);
}

}  // namespace
}  // namespace nsbench::engine
