// Black-box checks of the kernel rules the engine is built on: which setns() calls the kernel
// refuses and with which errno, what joining moves and what it leaves alone, how time namespaces
// shift clocks, what happens once a PID namespace's init is gone, and where nesting stops. Checks
// that join or unshare run in a forked child: a rule that did not hold would otherwise change the
// namespaces of the test process itself.
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "common/pipe_io.h"
#include "engine/forked_helper.h"
#include "engine/join.h"
#include "engine/nesting.h"
#include "engine/spawn.h"
#include "namespace_inodes.h"
#include "support.h"

namespace nsbench::engine {
namespace {

using nsbench::read_all;
using nsbench::write_all;

// Every file in /proc/PID/ns/, including the two that name the namespaces of future children.
const std::vector<std::string> kNamespaceFiles = {
    "mnt", "uts",  "ipc",    "pid",  "pid_for_children",
    "net", "user", "cgroup", "time", "time_for_children"};

using NamespaceInodes = std::map<std::string, ino_t>;

NamespaceInodes namespace_inodes(const std::string& pid) {
  NamespaceInodes inodes;
  for (const std::string& file : kNamespaceFiles) {
    struct stat info {};
    const std::string path = "/proc/" + pid + "/ns/" + file;
    inodes[file] = stat(path.c_str(), &info) == 0 ? info.st_ino : 0;
  }
  return inodes;
}

NamespaceInodes own_namespace_inodes() {
  return namespace_inodes("self");
}

// One line per namespace file whose inode is not the expected one; empty when all match.
std::string differences(const NamespaceInodes& expected, const NamespaceInodes& actual) {
  std::string report;
  for (const auto& [file, inode] : expected) {
    const ino_t seen = actual.contains(file) ? actual.at(file) : 0;
    if (seen != inode) {
      report += file + ": expected inode " + std::to_string(inode) + ", found " +
                std::to_string(seen) + "\n";
    }
  }
  return report;
}

std::string errno_name(int error_number) {
  const char* text = strerrorname_np(error_number);
  return text != nullptr ? text : std::to_string(error_number);
}

// "" when `result` is -1 with errno `expected`, else a line saying what happened instead.
std::string expect_failure(const std::string& call, long result, int expected) {
  if (result == -1 && errno == expected)
    return {};
  if (result == -1)
    return call + " failed with " + errno_name(errno) + ", not " + errno_name(expected) + "\n";
  return call + " succeeded, but should fail with " + errno_name(expected) + "\n";
}

int open_pidfd(pid_t pid) {
  return static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
}

// Runs `check` in a forked child and returns what it found wrong: empty when every expectation
// held. The child carries the report back through a pipe, as gtest's own checks cannot cross the
// fork. Anything `check` forks must be gone before it returns, or the pipe would stay open.
std::string run_check_in_child(const std::function<std::string()>& check) {
  int report_pipe[2];
  if (pipe2(report_pipe, O_CLOEXEC) != 0)
    return "pipe2: " + errno_name(errno);
  auto child = spawn_in_namespaces(SpawnOptions{}, [&] {
    close(report_pipe[0]);
    return write_all(report_pipe[1], check()) ? 0 : 1;
  });
  close(report_pipe[1]);
  if (!child) {
    close(report_pipe[0]);
    return "spawn of the checking child: " + child.error().message();
  }
  std::string report = read_all(report_pipe[0]);
  close(report_pipe[0]);
  const int status = child->wait().value_or(-1);
  if (status != 0)
    report += "the checking child ended with status " + std::to_string(status) + "\n";
  return report;
}

// A process in new namespaces (all eight unless told), parked until released, to be joined.
class ParkedTarget {
 public:
  explicit ParkedTarget(NamespaceSet namespaces = NamespaceSet::all()) {
    if (pipe2(pipe_, O_CLOEXEC) != 0)
      return;
    const int read_end = pipe_[0];
    const int write_end = pipe_[1];
    SpawnOptions options;
    options.namespaces = namespaces;
    process_ = spawn_in_namespaces(options, [read_end, write_end] {
      close(write_end);  // the target's own copy would keep the pipe open for ever
      char byte;
      return read(read_end, &byte, 1) == 0 ? 0 : 1;
    });
  }
  ~ParkedTarget() { (void)release(); }

  // Lets the target exit and reaps it; returns its status.
  int release() {
    for (int& fd : pipe_) {
      if (fd >= 0)
        close(std::exchange(fd, -1));
    }
    if (!process_ || process_->pid() < 0)
      return -1;
    return process_->wait().value_or(-1);
  }

  bool started() const { return process_.has_value(); }
  std::string start_error() const { return process_ ? "" : process_.error().message(); }
  pid_t pid() const { return process_ ? process_->pid() : -1; }
  int pidfd() const { return process_ ? process_->pidfd() : -1; }

 private:
  int pipe_[2] = {-1, -1};
  Result<ChildProcess> process_ = plain_error("not started");
};

// A child in all eight new namespaces that has exited but is not reaped yet.
class Zombie {
 public:
  Zombie() {
    SpawnOptions options;
    options.namespaces = NamespaceSet::all();
    process_ = spawn_in_namespaces(options, [] { return 0; });
    if (!process_)
      return;
    // WNOWAIT waits for the exit but leaves the child a zombie.
    siginfo_t info{};
    while (waitid(P_PID, process_->pid(), &info, WEXITED | WNOWAIT) != 0 && errno == EINTR) {
    }
  }
  bool started() const { return process_.has_value(); }
  std::string start_error() const { return process_ ? "" : process_.error().message(); }
  pid_t pid() const { return process_->pid(); }
  int pidfd() const { return process_->pidfd(); }
  int reap() { return process_->wait().value_or(-1); }

 private:
  Result<ChildProcess> process_ = plain_error("not started");
};

TEST(KernelRules, SetnsOnAPidfdWithoutAValidNamespaceFlagFailsWithEINVALAndChangesNothing) {
  NSBENCH_REQUIRE_ROOT();
  ParkedTarget target;
  ASSERT_TRUE(target.started()) << target.start_error();
  ASSERT_NE(namespace_inodes(std::to_string(target.pid()))["net"], own_namespace_inodes()["net"]);

  const int pidfd = target.pidfd();
  const std::string problems = run_check_in_child([pidfd] {
    const NamespaceInodes before = own_namespace_inodes();
    std::string report;
    // 0 asks for nothing; -1 and CLONE_VM carry bits that name no namespace, and a valid
    // bit does not make an invalid one acceptable.
    const std::vector<std::pair<std::string, int>> flag_sets = {
        {"0", 0},
        {"-1", -1},
        {"CLONE_VM", CLONE_VM},
        {"CLONE_VM|CLONE_NEWNET", CLONE_VM | CLONE_NEWNET}};
    for (const auto& [label, flags] : flag_sets) {
      report += expect_failure("setns(pidfd, " + label + ")", setns(pidfd, flags), EINVAL);
      report += differences(before, own_namespace_inodes());
    }
    return report;
  });
  EXPECT_EQ(problems, "");
}

TEST(KernelRules, SetnsOnThePidfdOfAZombieFailsWithESRCHAndChangesNothing) {
  NSBENCH_REQUIRE_ROOT();
  Zombie zombie;
  ASSERT_TRUE(zombie.started()) << zombie.start_error();

  const int pidfd = zombie.pidfd();
  const std::string problems = run_check_in_child([pidfd] {
    const NamespaceInodes before = own_namespace_inodes();
    std::string report =
        expect_failure("setns(zombie pidfd, CLONE_NEWNET)", setns(pidfd, CLONE_NEWNET), ESRCH);
    report +=
        expect_failure("setns(zombie pidfd, all eight)",
                       setns(pidfd, static_cast<int>(NamespaceSet::all().clone_flags())), ESRCH);
    return report + differences(before, own_namespace_inodes());
  });
  EXPECT_EQ(problems, "");
  EXPECT_EQ(zombie.reap(), 0);
}

TEST(KernelRules, SetnsOnThePidfdOfAReapedProcessFailsWithESRCHAndChangesNothing) {
  NSBENCH_REQUIRE_ROOT();
  Zombie zombie;
  ASSERT_TRUE(zombie.started()) << zombie.start_error();
  // The child's own pidfd is closed when it is reaped: keep one of our own across the reaping.
  const int pidfd = open_pidfd(zombie.pid());
  ASSERT_GE(pidfd, 0) << errno_name(errno);
  ASSERT_EQ(zombie.reap(), 0);

  const std::string problems = run_check_in_child([pidfd] {
    const NamespaceInodes before = own_namespace_inodes();
    std::string report =
        expect_failure("setns(reaped pidfd, CLONE_NEWNET)", setns(pidfd, CLONE_NEWNET), ESRCH);
    report +=
        expect_failure("setns(reaped pidfd, all eight)",
                       setns(pidfd, static_cast<int>(NamespaceSet::all().clone_flags())), ESRCH);
    return report + differences(before, own_namespace_inodes());
  });
  EXPECT_EQ(problems, "");
  close(pidfd);
}

// Asks the engine, in a child, to join each type of `pid` alone and all eight at once; every
// request must fail with ESRCH, say that the target has exited, and change nothing.
std::string expect_engine_join_refused_as_exited(pid_t pid, const std::string& situation) {
  return run_check_in_child([pid, &situation] {
    const NamespaceInodes before = own_namespace_inodes();
    std::string report;
    std::vector<NamespaceSet> requests = {NamespaceSet::all()};
    for (NamespaceType type : kAllNamespaceTypes)
      requests.push_back(NamespaceSet::of({type}));
    for (const NamespaceSet& types : requests) {
      auto joined = join_namespaces(pid, types);
      if (joined) {
        report += "joining " + types.to_string() + " of a " + situation + " target succeeded\n";
      } else if (joined.error().error_number != ESRCH ||
                 joined.error().message().find("exited") == std::string::npos) {
        report += "joining " + types.to_string() + " of a " + situation +
                  " target: " + joined.error().message() + "\n";
      }
    }
    return report + differences(before, own_namespace_inodes());
  });
}

TEST(KernelRules, JoiningAnExitedTargetThroughTheEngineReportsESRCHAsExited) {
  NSBENCH_REQUIRE_ROOT();
  Zombie zombie;
  ASSERT_TRUE(zombie.started()) << zombie.start_error();
  const pid_t pid = zombie.pid();

  // A zombie still has its PID, so pidfd_open succeeds and setns is what refuses; once reaped,
  // pidfd_open refuses.
  EXPECT_EQ(expect_engine_join_refused_as_exited(pid, "zombie"), "");
  ASSERT_EQ(zombie.reap(), 0);
  EXPECT_EQ(expect_engine_join_refused_as_exited(pid, "reaped"), "");
}

// Joins `types` of the target in a child and checks every namespace file of the child against
// what the kernel promises: joined types show the target's namespace, all others stay. A joined
// PID namespace applies only to children; a joined time namespace applies at once.
std::string join_and_check_every_file(pid_t target, NamespaceSet types) {
  return run_check_in_child([target, types] {
    const NamespaceInodes theirs = namespace_inodes(std::to_string(target));
    NamespaceInodes expected = own_namespace_inodes();
    for (NamespaceType type : kAllNamespaceTypes) {
      if (!types.contains(type))
        continue;
      const std::string kind(name(type));
      if (type == NamespaceType::pid) {
        expected["pid_for_children"] = theirs.at("pid");
      } else if (type == NamespaceType::time) {
        expected["time"] = theirs.at("time");
        expected["time_for_children"] = theirs.at("time");
      } else {
        expected[kind] = theirs.at(kind);
      }
    }
    if (auto joined = join_namespaces(target, types); !joined)
      return "join " + types.to_string() + ": " + joined.error().message() + "\n";
    const std::string report = differences(expected, own_namespace_inodes());
    return report.empty() ? report : "after joining " + types.to_string() + ":\n" + report;
  });
}

TEST(KernelRules, JoiningOneTypeMovesOnlyThatTypeAndLeavesEveryOtherNamespaceFile) {
  NSBENCH_REQUIRE_ROOT();
  ParkedTarget target;
  ASSERT_TRUE(target.started()) << target.start_error();
  const NamespaceInodes mine = own_namespace_inodes();
  const NamespaceInodes theirs = namespace_inodes(std::to_string(target.pid()));
  for (NamespaceType type : kAllNamespaceTypes) {
    ASSERT_NE(mine.at(std::string(name(type))), theirs.at(std::string(name(type)))) << name(type);
  }

  for (NamespaceType type : kAllNamespaceTypes)
    EXPECT_EQ(join_and_check_every_file(target.pid(), NamespaceSet::of({type})), "") << name(type);
}

TEST(KernelRules, JoiningAllEightAtOnceGivesExactlyTheTargetsNamespacesButKeepsTheOwnPid) {
  NSBENCH_REQUIRE_ROOT();
  ParkedTarget target;
  ASSERT_TRUE(target.started()) << target.start_error();
  EXPECT_EQ(join_and_check_every_file(target.pid(), NamespaceSet::all()), "");
  EXPECT_EQ(target.release(), 0);
}

TEST(KernelRules, SetnsOnAPidfdIsAllOrNothing) {
  NSBENCH_REQUIRE_ROOT();
  // The target shares the caller's user namespace, which the caller cannot join again: that part
  // of the request fails, so the net namespace, which alone would be fine, must not change either.
  ParkedTarget target(NamespaceSet::of({NamespaceType::net}));
  ASSERT_TRUE(target.started()) << target.start_error();
  const int pidfd = target.pidfd();
  const std::string problems = run_check_in_child([pidfd] {
    const NamespaceInodes before = own_namespace_inodes();
    std::string report = expect_failure("setns(pidfd, CLONE_NEWUSER|CLONE_NEWNET)",
                                        setns(pidfd, CLONE_NEWUSER | CLONE_NEWNET), EINVAL);
    return report + differences(before, own_namespace_inodes());
  });
  EXPECT_EQ(problems, "");
}

// A request the kernel refuses as a whole (the user namespace here is the caller's own) must not
// be carried out in part by joining one /proc/PID/ns file at a time.
TEST(KernelRules, AJoinTheKernelRefusesLeavesTheCallerUnchanged) {
  NSBENCH_REQUIRE_ROOT();
  ParkedTarget target(NamespaceSet::of({NamespaceType::net}));
  ASSERT_TRUE(target.started()) << target.start_error();
  const pid_t pid = target.pid();
  const std::string problems = run_check_in_child([pid] {
    const NamespaceInodes before = own_namespace_inodes();
    std::string report;
    auto joined = join_namespaces(pid, NamespaceSet::of({NamespaceType::user, NamespaceType::net}));
    if (joined)
      report += "joining the caller's own user namespace succeeded\n";
    else if (joined.error().error_number != EINVAL)
      report += "join: " + joined.error().message() + "\n";
    return report + differences(before, own_namespace_inodes());
  });
  EXPECT_EQ(problems, "");
}

// The number of threads of the calling process, from /proc/self/task.
int own_thread_count() {
  int threads = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator("/proc/self/task"))
    ++threads;
  return threads;
}

// Makes the caller multithreaded: starts a thread that waits until the returned function is
// called, which ends and joins it and returns once the caller is single-threaded again.
std::function<void()> start_parked_thread() {
  int park[2];
  if (pipe2(park, O_CLOEXEC) != 0)
    return [] {};
  auto thread = std::make_shared<std::thread>([read_end = park[0]] {
    char byte;
    (void)!read(read_end, &byte, 1);
  });
  return [thread, read_end = park[0], write_end = park[1]] {
    close(write_end);
    thread->join();
    close(read_end);
    // A joined thread leaves the thread group a moment after join() returns.
    for (int tries = 0; own_thread_count() > 1 && tries < 1000; ++tries)
      usleep(1000);
  };
}

TEST(KernelRules, JoiningATimeNamespaceFromAMultithreadedProcessFailsWithEUSERS) {
  NSBENCH_REQUIRE_ROOT();
  ParkedTarget target(NamespaceSet::of({NamespaceType::time}));
  ASSERT_TRUE(target.started()) << target.start_error();
  const int pidfd = target.pidfd();
  const std::string path = "/proc/" + std::to_string(target.pid()) + "/ns/time";
  const std::string problems = run_check_in_child([pidfd, &path] {
    const int file = open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (file < 0)
      return path + ": " + errno_name(errno) + "\n";
    const std::function<void()> stop_thread = start_parked_thread();
    const NamespaceInodes before = own_namespace_inodes();
    std::string report = own_thread_count() == 2 ? "" : "the second thread did not start\n";
    report += expect_failure("setns(pidfd, CLONE_NEWTIME) with two threads",
                             setns(pidfd, CLONE_NEWTIME), EUSERS);
    report += expect_failure("setns(time file, CLONE_NEWTIME) with two threads",
                             setns(file, CLONE_NEWTIME), EUSERS);
    report += differences(before, own_namespace_inodes());
    stop_thread();
    close(file);
    return report;
  });
  EXPECT_EQ(problems, "");
}

// setns() into a time namespace answers EUSERS to a multithreaded caller; the hint must say so
// rather than blame the user namespace nesting limit.
TEST(KernelRules, TheEngineExplainsEUSERSFromATimeJoinByTheThreads) {
  NSBENCH_REQUIRE_ROOT();
  ParkedTarget target(NamespaceSet::of({NamespaceType::time}));
  ASSERT_TRUE(target.started()) << target.start_error();
  const pid_t pid = target.pid();
  const std::string problems = run_check_in_child([pid] {
    const std::function<void()> stop_thread = start_parked_thread();
    auto joined = join_namespaces(pid, NamespaceSet::of({NamespaceType::time}));
    stop_thread();
    if (joined)
      return std::string("joining a time namespace with two threads succeeded\n");
    if (joined.error().error_number != EUSERS ||
        joined.error().message().find("thread") == std::string::npos) {
      return "join time: " + joined.error().message() + "\n";
    }
    return std::string();
  });
  EXPECT_EQ(problems, "");
}

struct ClockReadings {
  int64_t monotonic = 0;
  int64_t boottime = 0;
  int64_t realtime = 0;
};

int64_t clock_nanoseconds(clockid_t clock) {
  timespec now{};
  clock_gettime(clock, &now);
  return static_cast<int64_t>(now.tv_sec) * 1'000'000'000 + now.tv_nsec;
}

ClockReadings read_clocks() {
  // Monotonic first and boottime last, so that boottime minus monotonic is never understated.
  ClockReadings readings;
  readings.monotonic = clock_nanoseconds(CLOCK_MONOTONIC);
  readings.realtime = clock_nanoseconds(CLOCK_REALTIME);
  readings.boottime = clock_nanoseconds(CLOCK_BOOTTIME);
  return readings;
}

// The seconds and nanoseconds /proc/PID/timens_offsets lists per clock name.
std::map<std::string, std::pair<int64_t, int64_t>> parse_offsets(const std::string& text) {
  std::map<std::string, std::pair<int64_t, int64_t>> offsets;
  std::istringstream lines(text);
  std::string clock;
  int64_t seconds = 0;
  int64_t nanoseconds = 0;
  while (lines >> clock >> seconds >> nanoseconds)
    offsets[clock] = {seconds, nanoseconds};
  return offsets;
}

std::string own_offsets_text() {
  std::ifstream in("/proc/self/timens_offsets");
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(KernelRules, NewTimeNamespaceShiftsMonotonicAndBoottimeInTheChildOnly) {
  NSBENCH_REQUIRE_ROOT();
  using Offsets = std::map<std::string, std::pair<int64_t, int64_t>>;
  const Offsets no_offsets = {{"monotonic", {0, 0}}, {"boottime", {0, 0}}};
  ASSERT_EQ(parse_offsets(own_offsets_text()), no_offsets)
      << "this check assumes the test runs in the initial time namespace";

  // Different shifts per clock, so that a swap of the two would show.
  constexpr int64_t kMonotonicShift = 3 * 86400;
  constexpr int64_t kBoottimeShift = 5 * 86400 + 17;
  SpawnOptions options;
  options.namespaces = NamespaceSet::of({NamespaceType::time});
  options.clock_offsets = {kMonotonicShift, kBoottimeShift};

  int report_pipe[2];
  ASSERT_EQ(pipe2(report_pipe, O_CLOEXEC), 0);
  const ClockReadings before = read_clocks();
  auto child = spawn_in_namespaces(options, [&] {
    const ClockReadings inside = read_clocks();
    std::ostringstream report;
    report << inside.monotonic << ' ' << inside.boottime << ' ' << inside.realtime << '\n'
           << own_offsets_text();
    return write_all(report_pipe[1], report.str()) ? 0 : 1;
  });
  close(report_pipe[1]);
  ASSERT_TRUE(child) << child.error().message();
  const std::string report = read_all(report_pipe[0]);
  close(report_pipe[0]);
  ASSERT_EQ(child->wait().value_or(-1), 0);
  const ClockReadings after = read_clocks();

  std::istringstream fields(report);
  ClockReadings inside;
  ASSERT_TRUE(fields >> inside.monotonic >> inside.boottime >> inside.realtime) << report;
  const std::string offsets_inside((std::istreambuf_iterator<char>(fields)),
                                   std::istreambuf_iterator<char>());

  // The child read its clocks between the parent's two readings, so each shifted clock lies
  // between them plus the shift, to the nanosecond.
  constexpr int64_t kSecond = 1'000'000'000;
  EXPECT_GE(inside.monotonic, before.monotonic + kMonotonicShift * kSecond);
  EXPECT_LE(inside.monotonic, after.monotonic + kMonotonicShift * kSecond);
  EXPECT_GE(inside.boottime, before.boottime + kBoottimeShift * kSecond);
  EXPECT_LE(inside.boottime, after.boottime + kBoottimeShift * kSecond);
  // Time namespaces leave the wall clock alone (a second of slack for a clock step meanwhile).
  EXPECT_GE(inside.realtime, before.realtime - kSecond);
  EXPECT_LE(inside.realtime, after.realtime + kSecond);

  const Offsets requested = {{"monotonic", {kMonotonicShift, 0}},
                             {"boottime", {kBoottimeShift, 0}}};
  EXPECT_EQ(parse_offsets(offsets_inside), requested) << offsets_inside;
  EXPECT_EQ(parse_offsets(own_offsets_text()), no_offsets);
  // The parent's clocks did not jump by either shift while the child ran.
  EXPECT_LT(after.monotonic - before.monotonic, 600 * kSecond);
  EXPECT_LT(after.boottime - before.boottime, 600 * kSecond);
}

// "" when spawning through the engine fails with ENOMEM and the hint blames the exited init.
std::string expect_engine_spawn_refused_for_dead_init() {
  auto child = spawn_in_namespaces(SpawnOptions{}, [] { return 0; });
  if (child) {
    (void)child->wait();
    return "the engine spawned a child into a PID namespace without an init\n";
  }
  if (child.error().error_number != ENOMEM ||
      child.error().message().find("init has exited") == std::string::npos) {
    return "engine spawn: " + child.error().message() + "\n";
  }
  return {};
}

// "" when fork() fails with ENOMEM; a child that was created after all exits at once.
std::string expect_fork_refused(const std::string& situation) {
  const pid_t pid = fork();
  if (pid == 0)
    _exit(0);
  if (pid > 0)
    waitpid(pid, nullptr, 0);
  return expect_failure("fork " + situation, pid, ENOMEM);
}

TEST(KernelRules, ForkAfterTheInitOfAnUnsharedPidNamespaceExitedFailsWithENOMEM) {
  NSBENCH_REQUIRE_ROOT();
  const std::string problems = run_check_in_child([] {
    if (auto unshared = unshare_namespaces(NamespaceSet::of({NamespaceType::pid})); !unshared) {
      return unshared.error().message() + "\n";
    }
    // The first child becomes PID 1 of the new namespace; once it is gone, the
    // namespace takes no new process.
    const pid_t init = fork();
    if (init < 0)
      return "fork of the init: " + errno_name(errno) + "\n";
    if (init == 0)
      _exit(getpid() == 1 ? 0 : 1);
    int status = 0;
    waitpid(init, &status, 0);
    std::string report;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
      report += "the first child was not PID 1\n";
    report += expect_fork_refused("after the init exited");
    return report + expect_engine_spawn_refused_for_dead_init();
  });
  EXPECT_EQ(problems, "");
}

TEST(KernelRules, JoiningADeadPidNamespaceThroughAHeldFileWorksButForkFailsWithENOMEM) {
  NSBENCH_REQUIRE_ROOT();
  ParkedTarget target(NamespaceSet::of({NamespaceType::pid}));
  ASSERT_TRUE(target.started()) << target.start_error();
  const std::string path = "/proc/" + std::to_string(target.pid()) + "/ns/pid";
  const int held = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  ASSERT_GE(held, 0) << path << ": " << errno_name(errno);
  struct stat held_info {};
  ASSERT_EQ(fstat(held, &held_info), 0);
  // The target is PID 1 of that namespace: once it is reaped, only the open file keeps the
  // namespace alive.
  ASSERT_EQ(target.release(), 0);

  const ino_t dead_namespace = held_info.st_ino;
  const std::string problems = run_check_in_child([held, dead_namespace] {
    const NamespaceInodes before = own_namespace_inodes();
    if (auto joined = join_namespace_fd(held, NamespaceType::pid, "held pid file"); !joined) {
      return "joining the dead namespace: " + joined.error().message() + "\n";
    }
    NamespaceInodes expected = before;
    expected["pid_for_children"] = dead_namespace;
    std::string report = differences(expected, own_namespace_inodes());
    report += expect_fork_refused("into a namespace whose init was reaped");
    return report + expect_engine_spawn_refused_for_dead_init();
  });
  EXPECT_EQ(problems, "");
  close(held);
}

TEST(KernelRules, UnshareUserFromAMultithreadedProcessFailsWithEINVALAndTheEngineSaysWhy) {
  NSBENCH_REQUIRE_ROOT();
  const std::string problems = run_check_in_child([] {
    const std::function<void()> stop_thread = start_parked_thread();
    if (own_thread_count() != 2) {
      stop_thread();
      return std::string("the second thread did not start\n");
    }

    const NamespaceInodes before = own_namespace_inodes();
    std::string report =
        expect_failure("unshare(CLONE_NEWUSER) with two threads", unshare(CLONE_NEWUSER), EINVAL);
    auto unshared = unshare_namespaces(NamespaceSet::of({NamespaceType::user}));
    if (unshared) {
      report += "unshare_namespaces(user) succeeded with two threads\n";
    } else if (unshared.error().error_number != EINVAL ||
               unshared.error().message().find("multithreaded") == std::string::npos) {
      report += "unshare_namespaces(user): " + unshared.error().message() + "\n";
    }
    report += differences(before, own_namespace_inodes());
    stop_thread();

    // Alone again, the same call succeeds: the refusal was about the thread.
    if (unshare(CLONE_NEWUSER) != 0)
      report += "unshare(CLONE_NEWUSER) single-threaded: " + errno_name(errno) + "\n";
    return report;
  });
  EXPECT_EQ(problems, "");
}

// What the kernel refuses a multithreaded process, the engine does in a forked helper: the
// library keeps working inside a program with threads, and the program's namespaces stay its own.
TEST(ForkedHelper, JoinsUserAndMountNamespacesForAMultithreadedCaller) {
  NSBENCH_REQUIRE_ROOT();
  ParkedTarget target(NamespaceSet::of({NamespaceType::user, NamespaceType::mnt}));
  ASSERT_TRUE(target.started()) << target.start_error();
  const pid_t pid = target.pid();
  const NamespaceSet types = NamespaceSet::of({NamespaceType::user, NamespaceType::mnt});
  const std::string problems = run_check_in_child([pid, types] {
    const std::function<void()> stop_thread = start_parked_thread();
    std::string report = thread_count() == 2 ? "" : "the second thread did not start\n";
    const NamespaceInodes before = own_namespace_inodes();

    auto direct = join_namespaces(pid, types);
    if (direct)
      report += "joining user and mnt directly with two threads succeeded\n";
    // Inside, the helper compares its namespaces with the target's and answers with a value of
    // its own, so that a default 0 cannot pass for success.
    auto helped = run_joined(pid, types, [pid] {
      const bool same = testing::namespace_inode(pid, NamespaceType::user) ==
                            testing::namespace_inode(getpid(), NamespaceType::user) &&
                        testing::namespace_inode(pid, NamespaceType::mnt) ==
                            testing::namespace_inode(getpid(), NamespaceType::mnt);
      return same && thread_count() == 1 ? 42 : 1;
    });
    if (!helped)
      report += "run_joined: " + helped.error().message() + "\n";
    else if (*helped != 42)
      report += "inside the helper the namespaces were not the target's, or it had threads\n";
    report += differences(before, own_namespace_inodes());
    stop_thread();
    return report;
  });
  EXPECT_EQ(problems, "");
}

TEST(ForkedHelper, UnsharesAUserNamespaceForAMultithreadedCaller) {
  NSBENCH_REQUIRE_ROOT();
  const std::string problems = run_check_in_child([] {
    const std::function<void()> stop_thread = start_parked_thread();
    const NamespaceInodes before = own_namespace_inodes();
    const ino_t own_user = testing::namespace_inode(getpid(), NamespaceType::user);
    auto helped = run_unshared(NamespaceSet::of({NamespaceType::user}), [own_user] {
      return testing::namespace_inode(getpid(), NamespaceType::user) != own_user ? 7 : 1;
    });
    std::string report;
    if (!helped)
      report += "run_unshared: " + helped.error().message() + "\n";
    else if (*helped != 7)
      report += "the helper was still in the caller's user namespace\n";
    report += differences(before, own_namespace_inodes());
    stop_thread();
    return report;
  });
  EXPECT_EQ(problems, "");
}

TEST(ForkedHelper, BringsBackTheErrorOfTheHelperAndLeavesNoChild) {
  NSBENCH_REQUIRE_ROOT();
  ParkedTarget target(NamespaceSet::of({NamespaceType::uts}));
  ASSERT_TRUE(target.started()) << target.start_error();
  const pid_t gone = target.pid();
  target.release();

  bool ran = false;
  auto joined = run_joined(gone, NamespaceSet::of({NamespaceType::uts}), [&ran] {
    ran = true;
    return 0;
  });
  ASSERT_FALSE(joined);
  EXPECT_EQ(joined.error().error_number, ESRCH) << joined.error().message();
  EXPECT_NE(joined.error().hint, "") << joined.error().message();
  EXPECT_FALSE(ran);

  // A helper that dies says how.
  auto killed = run_in_forked_child([]() -> Result<int> {
    raise(SIGKILL);
    return 0;
  });
  ASSERT_FALSE(killed);
  EXPECT_NE(killed.error().message().find(std::to_string(128 + SIGKILL)), std::string::npos)
      << killed.error().message();

  // Every helper was reaped.
  siginfo_t info{};
  EXPECT_EQ(waitid(P_ALL, 0, &info, WEXITED | WNOHANG), -1);
  EXPECT_EQ(errno, ECHILD);
}

// How many PID namespaces lie between the caller's and the initial one: 0 on the host.
int own_pid_namespace_level() {
  std::ifstream status("/proc/self/status");
  for (std::string line; std::getline(status, line);) {
    if (!line.starts_with("NSpid:"))
      continue;
    std::istringstream pids(line.substr(6));
    int levels = -1;
    for (std::string pid; pids >> pid;)
      ++levels;
    return levels;
  }
  return -1;
}

struct NestingRefusal {
  int level = 0;  // the level whose creation failed
  int error_number = 0;
};

// Each level makes a new PID namespace for its children and forks its PID 1, which goes one level
// deeper, until unshare() is refused; the refused level reports itself on `report_fd`.
int descend_until_refused(int level, int report_fd) {
  if (unshare(CLONE_NEWPID) != 0) {
    const NestingRefusal refusal{level + 1, errno};
    return write(report_fd, &refusal, sizeof refusal) == sizeof refusal ? 0 : 1;
  }
  const pid_t next = fork();
  if (next < 0)
    return 2;
  if (next == 0)
    _exit(descend_until_refused(level + 1, report_fd));
  int status = 0;
  while (waitpid(next, &status, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 3;
}

TEST(KernelRules, TheThirtyThirdNestedPidNamespaceFailsWithENOSPC) {
  NSBENCH_REQUIRE_ROOT();
  const int start_level = own_pid_namespace_level();
  ASSERT_GE(start_level, 0);

  const std::string problems = run_check_in_child([start_level] {
    int report_pipe[2];
    if (pipe2(report_pipe, O_CLOEXEC) != 0)
      return "pipe2: " + errno_name(errno) + "\n";
    const int status = descend_until_refused(start_level, report_pipe[1]);
    close(report_pipe[1]);
    NestingRefusal refusal{};
    const ssize_t got = read(report_pipe[0], &refusal, sizeof refusal);
    close(report_pipe[0]);
    if (status != 0 || got != static_cast<ssize_t>(sizeof refusal))
      return "the chain of levels broke with status " + std::to_string(status) + "\n";
    std::string report;
    if (refusal.level != kMaxNestingDepth + 1)
      report += "refused at level " + std::to_string(refusal.level) + ", not 33\n";
    if (refusal.error_number != ENOSPC)
      report += "refused with " + errno_name(refusal.error_number) + ", not ENOSPC\n";
    return report;
  });
  EXPECT_EQ(problems, "");
}

TEST(KernelRules, NestingPastTheLimitWithUserNamespacesFailsWithENOSPCNamingTheLimit) {
  NSBENCH_REQUIRE_ROOT();
  ASSERT_EQ(own_pid_namespace_level(), 0) << "the levels below count from the initial namespace";
  // A user namespace may go one level deeper than a PID namespace, so the PID namespace is what
  // refuses level 33 even when both are created together.
  auto run = run_nested(NestOptions{kMaxNestingDepth + 1, true}, {"true"});
  ASSERT_FALSE(run) << "depth " << run->depth_reached;
  EXPECT_EQ(run.error().error_number, ENOSPC) << run.error().message();
  EXPECT_EQ(run.error().subject, "pid,user");
  const std::string message = run.error().message();
  EXPECT_NE(message.find("level 33"), std::string::npos) << message;
  EXPECT_NE(message.find("reached depth 32"), std::string::npos) << message;
  EXPECT_NE(message.find("at most 32"), std::string::npos) << message;
}

}  // namespace
}  // namespace nsbench::engine
