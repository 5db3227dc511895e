// Runs the nsbench binary (and reference tools) as a subprocess, the way a user's shell would,
// so that the tests see exit statuses and output exactly as users do.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace nsbench::testing {

using namespace std::chrono_literals;

// How a finished command ended and what it printed.
struct CommandResult {
  int wait_status = 0;
  bool timed_out = false;  // killed by the runner after its deadline
  std::string standard_output;
  std::string standard_error;

  bool exited() const;
  // The status given to exit(), or -1 when the command was killed by a signal.
  int exit_code() const;
  // The signal that killed the command, or 0 when it exited.
  int terminating_signal() const;
  std::string first_error_line() const;
  // Everything, for a failure message.
  std::string describe() const;
};

// Runs `argv` (searched in PATH) and waits for it. A command still running after `timeout` is
// killed, with its whole process group, so that a hung command fails the test instead of hanging
// ctest.
CommandResult run_command(const std::vector<std::string>& argv,
                          std::chrono::milliseconds timeout = 10s);

// A command left running while the test does something else. Its output goes to an in-memory file
// rather than a pipe, so that it can never block on a full pipe nobody reads. Destroying it kills
// its process group (with any PID namespace it created) and reaps it.
class BackgroundCommand {
 public:
  explicit BackgroundCommand(const std::vector<std::string>& argv);
  BackgroundCommand(const BackgroundCommand&) = delete;
  BackgroundCommand& operator=(const BackgroundCommand&) = delete;
  ~BackgroundCommand();

  bool started() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }

  // Waits up to `timeout` for the command to end; returns its wait status, or nothing when it is
  // still running. Once it has returned a status, the process has been reaped.
  std::optional<int> wait_for_exit(std::chrono::milliseconds timeout);
  std::string output() const;

 private:
  pid_t pid_ = -1;
  int output_fd_ = -1;
  std::optional<int> wait_status_;
};

}  // namespace nsbench::testing
