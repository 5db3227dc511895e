#include "workload.h"

#include <fcntl.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace nsbench::probes::testing {
namespace {

std::string failed(const std::string& step) {
  return step + ": " + std::strerror(errno);
}

// Waits for a child that was created to exit at once.
std::string reap(pid_t child, const std::string& step) {
  int status = 0;
  if (waitpid(child, &status, 0) != child)
    return failed("waitpid after " + step);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    return step + ": child did not exit cleanly";
  return {};
}

// Reads what a child wrote to `report` until it closes it, then reaps the child.
std::string collect_report(pid_t child, int report) {
  std::string problem;
  char buffer[256];
  for (ssize_t n; (n = read(report, buffer, sizeof(buffer))) > 0;)
    problem.append(buffer, n);
  close(report);

  int status = 0;
  if (waitpid(child, &status, 0) != child)
    return failed("waitpid");
  if (problem.empty() && !(WIFEXITED(status) && WEXITSTATUS(status) == 0)) {
    problem = "workload child ended with status " + std::to_string(status);
  }
  return problem;
}

[[noreturn]] void run_steps_and_exit(const std::function<std::string()>& steps, int report) {
  const std::string problem = steps();
  if (!problem.empty() && write(report, problem.data(), problem.size()) < 0)
    _exit(2);
  _exit(problem.empty() ? 0 : 1);
}

bool write_file(const std::string& path, const std::string& text) {
  FILE* file = std::fopen(path.c_str(), "w");
  if (file == nullptr)
    return false;
  const bool written = std::fputs(text.c_str(), file) >= 0;
  return std::fclose(file) == 0 && written;
}

}  // namespace

std::string run_in_child(const std::function<std::string()>& steps) {
  int report[2];
  if (pipe2(report, O_CLOEXEC) != 0)
    return failed("pipe2");

  const pid_t child = fork();
  if (child < 0)
    return failed("fork");
  if (child == 0) {
    close(report[0]);
    run_steps_and_exit(steps, report[1]);
  }

  close(report[1]);
  return collect_report(child, report[0]);
}

GatedChild::GatedChild(const std::function<std::string()>& steps) {
  int gate[2];
  int report[2];
  if (pipe2(gate, O_CLOEXEC) != 0 || pipe2(report, O_CLOEXEC) != 0) {
    fork_problem_ = failed("pipe2");
    return;
  }

  pid_ = fork();
  if (pid_ < 0) {
    fork_problem_ = failed("fork");
    return;
  }
  if (pid_ == 0) {
    close(gate[1]);
    close(report[0]);
    char go = 0;
    // Anything but a byte means the test gave up before releasing it.
    if (read(gate[0], &go, 1) != 1)
      _exit(3);
    close(gate[0]);
    run_steps_and_exit(steps, report[1]);
  }

  close(gate[0]);
  close(report[1]);
  gate_ = gate[1];
  report_ = report[0];
}

GatedChild::~GatedChild() {
  if (pid_ <= 0)
    return;
  if (gate_ >= 0)
    close(gate_);
  if (report_ >= 0) {
    kill(pid_, SIGKILL);
    wait();
  }
}

void GatedChild::release() {
  if (gate_ < 0)
    return;
  const char go = 1;
  if (write(gate_, &go, 1) != 1)
    fork_problem_ = failed("release the gated child");
  close(gate_);
  gate_ = -1;
}

std::string GatedChild::wait() {
  if (!fork_problem_.empty() || report_ < 0)
    return fork_problem_.empty() ? "the gated child was already waited for" : fork_problem_;
  const std::string problem = collect_report(pid_, report_);
  report_ = -1;
  return problem;
}

std::string setns_into_net_namespaces(int calls) {
  const int home = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
  if (home < 0)
    return failed("open /proc/self/ns/net");
  if (unshare(CLONE_NEWNET) != 0)
    return failed("unshare(CLONE_NEWNET)");
  const int fresh = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
  if (fresh < 0)
    return failed("open the new /proc/self/ns/net");

  // Back and forth, so that every call really switches namespaces.
  for (int call = 0; call < calls; ++call) {
    if (setns(call % 2 == 0 ? home : fresh, CLONE_NEWNET) != 0)
      return failed("setns net");
  }
  return {};
}

std::string setns_into_net_namespaces_without_flags(int calls) {
  const std::string path = "/proc/" + std::to_string(getpid()) + "/ns/net";
  const int home = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (home < 0)
    return failed("open " + path);
  if (unshare(CLONE_NEWNET) != 0)
    return failed("unshare(CLONE_NEWNET)");
  const int fresh = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fresh < 0)
    return failed("open the new " + path);

  for (int call = 0; call < calls; ++call) {
    if (setns(call % 2 == 0 ? home : fresh, 0) != 0)
      return failed("setns(fd, 0) into a net namespace");
  }
  return {};
}

std::string setns_into_the_same_net_namespace(int calls) {
  const int current = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
  if (current < 0)
    return failed("open /proc/self/ns/net");
  for (int call = 0; call < calls; ++call) {
    if (setns(current, 0) != 0)
      return failed("setns(fd, 0) into the current net namespace");
  }
  return {};
}

namespace {

// Becomes root of a new user namespace nested in the current one, mapped onto the caller's ids.
std::string enter_new_user_namespace() {
  const uid_t uid = geteuid();
  const gid_t gid = getegid();
  if (unshare(CLONE_NEWUSER) != 0)
    return failed("unshare(CLONE_NEWUSER)");
  if (!write_file("/proc/self/setgroups", "deny") ||
      !write_file("/proc/self/uid_map", "0 " + std::to_string(uid) + " 1") ||
      !write_file("/proc/self/gid_map", "0 " + std::to_string(gid) + " 1")) {
    return failed("map ids in the new user namespace");
  }
  return {};
}

std::string fork_and_exit_at_once() {
  const pid_t child = fork();
  if (child < 0)
    return failed("fork");
  if (child == 0)
    _exit(0);
  return reap(child, "fork");
}

// unshare(CLONE_NEWPID) and fork, the child going on down until `levels` are made.
std::string fork_into_nested_pid_namespaces(int levels) {
  if (levels == 0)
    return {};
  if (unshare(CLONE_NEWPID) != 0)
    return failed("unshare(CLONE_NEWPID)");
  const pid_t child = fork();
  if (child < 0)
    return failed("fork into a new PID namespace");
  if (child == 0) {
    const std::string problem = fork_into_nested_pid_namespaces(levels - 1);
    if (!problem.empty())
      std::fprintf(stderr, "%s\n", problem.c_str());
    _exit(problem.empty() ? 0 : 1);
  }
  return reap(child, "fork into PID namespace (" + std::to_string(levels) + " levels left)");
}

}  // namespace

std::string nest_namespaces_and_fork(int user_levels, int pid_levels) {
  for (int level = 1; level <= user_levels; ++level) {
    if (std::string problem = enter_new_user_namespace(); !problem.empty())
      return problem + " (user level " + std::to_string(level) + ")";
    if (std::string problem = fork_and_exit_at_once(); !problem.empty())
      return problem;
  }
  return fork_into_nested_pid_namespaces(pid_levels);
}

std::string setns_with_bad_fd(int calls) {
  for (int call = 0; call < calls; ++call) {
    if (setns(-1, CLONE_NEWNET) == 0 || errno != EBADF)
      return "setns(-1) did not fail with EBADF";
  }
  return {};
}

std::string unshare_namespaces(uint64_t flags, int calls) {
  for (int call = 0; call < calls; ++call) {
    if (unshare(static_cast<int>(flags)) != 0)
      return failed("unshare");
  }
  return {};
}

std::string clone_children(uint64_t flags, int calls) {
  for (int call = 0; call < calls; ++call) {
    // The raw syscall, so the test controls exactly which flags the probe sees; with no new stack
    // the child runs on a copy of ours, like after fork.
    const long child = syscall(SYS_clone, flags | SIGCHLD, nullptr, nullptr, nullptr, nullptr);
    if (child < 0)
      return failed("clone");
    if (child == 0)
      _exit(0);
    if (std::string problem = reap(static_cast<pid_t>(child), "clone"); !problem.empty()) {
      return problem;
    }
  }
  return {};
}

std::string clone3_children(uint64_t flags, int calls) {
  for (int call = 0; call < calls; ++call) {
    clone_args args{};
    args.flags = flags;
    args.exit_signal = SIGCHLD;
    const long child = syscall(SYS_clone3, &args, sizeof(args));
    if (child < 0)
      return failed("clone3");
    if (child == 0)
      _exit(0);
    if (std::string problem = reap(static_cast<pid_t>(child), "clone3"); !problem.empty()) {
      return problem;
    }
  }
  return {};
}

bool in_initial_pid_namespace() {
  // The initial PID namespace's inode number is fixed by the kernel (PROC_PID_INIT_INO).
  struct stat pid_namespace {};
  return stat("/proc/self/ns/pid", &pid_namespace) != 0 || pid_namespace.st_ino == 0xEFFFFFFCU;
}

CountsByKey counts_by_key(const Snapshot& snapshot) {
  CountsByKey counts;
  for (const LatencyHistogram& histogram : snapshot.latencies) {
    counts[histogram.syscall + "/" + histogram.ns_type + "/" + histogram.result] = histogram.count;
  }
  return counts;
}

CountsByKey growth(const Snapshot& before, const Snapshot& after) {
  const CountsByKey earlier = counts_by_key(before);
  CountsByKey grown;
  for (const auto& [key, count] : counts_by_key(after)) {
    const auto previous = earlier.find(key);
    const uint64_t base = previous == earlier.end() ? 0 : previous->second;
    if (count > base)
      grown[key] = count - base;
  }
  return grown;
}

}  // namespace nsbench::probes::testing
