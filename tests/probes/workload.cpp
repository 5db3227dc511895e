#include "workload.h"

#include <fcntl.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
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
    const std::string problem = steps();
    if (!problem.empty() && write(report[1], problem.data(), problem.size()) < 0)
      _exit(2);
    _exit(problem.empty() ? 0 : 1);
  }

  close(report[1]);
  std::string problem;
  char buffer[256];
  for (ssize_t n; (n = read(report[0], buffer, sizeof(buffer))) > 0;)
    problem.append(buffer, n);
  close(report[0]);

  int status = 0;
  if (waitpid(child, &status, 0) != child)
    return failed("waitpid");
  if (problem.empty() && !(WIFEXITED(status) && WEXITSTATUS(status) == 0)) {
    problem = "workload child ended with status " + std::to_string(status);
  }
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
