#include "bench/engine_overhead.h"

#include <linux/sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <string>

namespace nsbench::bench {

namespace {

using Clock = std::chrono::steady_clock;

class BareClone3AndWait final : public Operation {
 public:
  explicit BareClone3AndWait(engine::NamespaceSet namespaces) : namespaces_(namespaces) {}

  Result<double> run_once() override {
    int pidfd = -1;
    clone_args args{};
    args.flags = namespaces_.clone_flags() | CLONE_PIDFD;
    args.pidfd = reinterpret_cast<uint64_t>(&pidfd);
    args.exit_signal = SIGCHLD;

    const bool new_mounts = namespaces_.contains(engine::NamespaceType::mnt);
    const Clock::time_point start = Clock::now();
    const long pid = syscall(SYS_clone3, &args, sizeof args);
    // The child is a copy of a multithreaded process: only async-signal-safe calls from here.
    // In a new mount namespace the engine makes every mount private first, as util-linux does:
    // a syscall of the sequence it wraps, so the bare sequence makes it too.
    if (pid == 0)
      _exit(new_mounts && mount("none", "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0 ? 1 : 0);
    if (pid < 0)
      return system_error("clone3", namespaces_.to_string());

    int wait_status = 0;
    pid_t reaped;
    do {
      reaped = waitpid(static_cast<pid_t>(pid), &wait_status, 0);
    } while (reaped < 0 && errno == EINTR);
    close(pidfd);
    const double seconds = std::chrono::duration<double>(Clock::now() - start).count();

    if (reaped < 0)
      return system_error("waitpid", std::to_string(pid));
    if (!WIFEXITED(wait_status) || WEXITSTATUS(wait_status) != 0) {
      return plain_error(
          "child of bare clone3", namespaces_.to_string(),
          "it did not exit with status 0 (wait status " + std::to_string(wait_status) + ")");
    }
    return seconds;
  }

 private:
  engine::NamespaceSet namespaces_;
};

}  // namespace

engine::NamespaceSet engine_overhead_namespaces() {
  using engine::NamespaceType;
  return engine::NamespaceSet::of({NamespaceType::pid, NamespaceType::mnt, NamespaceType::uts,
                                   NamespaceType::ipc, NamespaceType::net});
}

Result<std::unique_ptr<Operation>> bare_clone3_and_wait(engine::NamespaceSet namespaces) {
  return std::make_unique<BareClone3AndWait>(namespaces);
}

}  // namespace nsbench::bench
