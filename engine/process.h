// A child process started by the engine, owned through a pidfd so that waiting and signalling
// can never hit a recycled PID.
#pragma once

#include <sys/types.h>

#include "common/result.h"

namespace nsbench::engine {

// Exit status as a shell reports it: the exit code, or 128 + signal number when killed.
int shell_status(int wait_status);

class ChildProcess {
 public:
  ChildProcess() = default;
  ChildProcess(pid_t pid, int pidfd) : pid_(pid), pidfd_(pidfd) {}
  ChildProcess(ChildProcess&& other) noexcept;
  ChildProcess& operator=(ChildProcess&& other) noexcept;
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;
  // A child that was never waited for is killed and reaped: nothing is left behind.
  ~ChildProcess();

  pid_t pid() const { return pid_; }
  int pidfd() const { return pidfd_; }

  // Waits for the child to exit and returns its shell status (code, or 128 + signal).
  Result<int> wait();

  // Sends a signal through the pidfd.
  Result<> signal(int signal_number);

 private:
  void release();

  pid_t pid_ = -1;
  int pidfd_ = -1;
};

}  // namespace nsbench::engine
