#include "engine/process.h"

#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <utility>

namespace nsbench::engine {

int shell_status(int wait_status) {
  if (WIFEXITED(wait_status))
    return WEXITSTATUS(wait_status);
  if (WIFSIGNALED(wait_status))
    return 128 + WTERMSIG(wait_status);
  return 255;
}

ChildProcess::ChildProcess(ChildProcess&& other) noexcept
    : pid_(std::exchange(other.pid_, -1)), pidfd_(std::exchange(other.pidfd_, -1)) {}

ChildProcess& ChildProcess::operator=(ChildProcess&& other) noexcept {
  if (this != &other) {
    release();
    pid_ = std::exchange(other.pid_, -1);
    pidfd_ = std::exchange(other.pidfd_, -1);
  }
  return *this;
}

ChildProcess::~ChildProcess() {
  release();
}

void ChildProcess::release() {
  if (pid_ > 0) {
    // Never waited for: the owner gave up on it, so it must not outlive the owner.
    (void)signal(SIGKILL);
    int status = 0;
    while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
    pid_ = -1;
  }
  if (pidfd_ >= 0)
    close(std::exchange(pidfd_, -1));
}

Result<int> ChildProcess::wait() {
  if (pid_ <= 0)
    return plain_error("wait", "child", "the process was already waited for");
  int status = 0;
  pid_t reaped;
  do {
    reaped = waitpid(pid_, &status, 0);
  } while (reaped < 0 && errno == EINTR);
  if (reaped < 0)
    return system_error("waitpid", std::to_string(pid_));
  pid_ = -1;
  if (pidfd_ >= 0)
    close(std::exchange(pidfd_, -1));
  return shell_status(status);
}

Result<> ChildProcess::signal(int signal_number) {
  if (pid_ <= 0)
    return plain_error("signal", "child", "the process has been reaped");
  // The pidfd pins the process identity; kill() by PID is the fallback for kernels before 5.1.
  const long sent = pidfd_ >= 0 ? syscall(SYS_pidfd_send_signal, pidfd_, signal_number, nullptr, 0)
                                : kill(pid_, signal_number);
  if (sent < 0)
    return system_error("send signal", std::to_string(pid_));
  return {};
}

}  // namespace nsbench::engine
