#include "command_runner.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <thread>

#include <fmt/core.h>

namespace nsbench::testing {

namespace {

using Clock = std::chrono::steady_clock;

// Runs in the forked child, where only async-signal-safe calls are allowed.
[[noreturn]] void exec_in_child(const std::vector<char*>& arguments, int output_fd, int error_fd) {
  // Its own process group, so that a timeout can kill it with everything it started.
  setpgid(0, 0);

  // The test runner may have ignored or blocked signals (a shell does so for background jobs);
  // the command must start with the defaults a user's command gets, or signal tests lie.
  struct sigaction default_action {};
  default_action.sa_handler = SIG_DFL;
  for (int signal_number = 1; signal_number < NSIG; ++signal_number)
    sigaction(signal_number, &default_action, nullptr);
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);

  const int null_fd = open("/dev/null", O_RDONLY);
  if (null_fd >= 0)
    dup2(null_fd, STDIN_FILENO);
  dup2(output_fd, STDOUT_FILENO);
  dup2(error_fd, STDERR_FILENO);
  execvp(arguments[0], arguments.data());

  static constexpr char kMessage[] = "command runner: execvp failed\n";
  (void)!write(STDERR_FILENO, kMessage, sizeof kMessage - 1);
  _exit(127);
}

pid_t launch(const std::vector<std::string>& argv, int output_fd, int error_fd) {
  // Built before the fork: the child must not allocate.
  std::vector<char*> arguments;
  for (const std::string& argument : argv)
    arguments.push_back(const_cast<char*>(argument.c_str()));
  arguments.push_back(nullptr);

  const pid_t pid = fork();
  if (pid == 0)
    exec_in_child(arguments, output_fd, error_fd);
  // Set from both sides, so that the group exists before either the parent kills it or the child
  // execs, whichever happens first.
  if (pid > 0)
    setpgid(pid, pid);
  return pid;
}

void kill_process_group(pid_t pid) {
  kill(-pid, SIGKILL);
  kill(pid, SIGKILL);  // in case it never got to setpgid
}

// Reaps `pid` if it ends before `deadline`; returns its wait status, or nothing if still running.
std::optional<int> reap_before(pid_t pid, Clock::time_point deadline) {
  for (;;) {
    int status = 0;
    const pid_t reaped = waitpid(pid, &status, WNOHANG);
    if (reaped == pid)
      return status;
    if (reaped < 0 && errno != EINTR)
      return std::nullopt;
    if (Clock::now() >= deadline)
      return std::nullopt;
    std::this_thread::sleep_for(2ms);
  }
}

int reap(pid_t pid) {
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return status;
}

// Reads both pipes until both reach end of file or `deadline` passes; returns false on timeout.
bool drain_pipes(std::array<int, 2> fds, std::array<std::string*, 2> sinks,
                 Clock::time_point deadline) {
  std::array<pollfd, 2> polled = {{{fds[0], POLLIN, 0}, {fds[1], POLLIN, 0}}};
  int open_count = 2;
  while (open_count > 0) {
    const auto remaining =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (remaining <= 0ms)
      return false;
    const int ready = poll(polled.data(), polled.size(), static_cast<int>(remaining.count()) + 1);
    if (ready < 0 && errno != EINTR)
      return false;
    for (size_t i = 0; i < polled.size(); ++i) {
      if (polled[i].fd < 0 || polled[i].revents == 0)
        continue;
      char buffer[4096];
      const ssize_t got = read(polled[i].fd, buffer, sizeof buffer);
      if (got > 0) {
        sinks[i]->append(buffer, static_cast<size_t>(got));
      } else if (got == 0 || errno != EINTR) {
        polled[i].fd = -1;  // poll() skips negative descriptors
        --open_count;
      }
    }
  }
  return true;
}

// A command the runner could not even start: no exit status, the reason on stderr.
CommandResult runner_failure(const char* operation) {
  CommandResult result;
  result.wait_status = -1;
  result.standard_error = fmt::format("command runner: {}: {}\n", operation, std::strerror(errno));
  return result;
}

}  // namespace

bool CommandResult::exited() const {
  return !timed_out && WIFEXITED(wait_status);
}

int CommandResult::exit_code() const {
  return exited() ? WEXITSTATUS(wait_status) : -1;
}

int CommandResult::terminating_signal() const {
  return WIFSIGNALED(wait_status) ? WTERMSIG(wait_status) : 0;
}

std::string CommandResult::first_error_line() const {
  return standard_error.substr(0, standard_error.find('\n'));
}

std::string CommandResult::describe() const {
  std::string outcome;
  if (timed_out)
    outcome = "timed out and was killed";
  else if (exited())
    outcome = fmt::format("exited with {}", exit_code());
  else
    outcome = fmt::format("killed by signal {}", terminating_signal());
  return fmt::format("{}\n--- stdout ---\n{}--- stderr ---\n{}", outcome, standard_output,
                     standard_error);
}

CommandResult run_command(const std::vector<std::string>& argv, std::chrono::milliseconds timeout) {
  CommandResult result;
  int output_pipe[2];
  int error_pipe[2];
  if (pipe2(output_pipe, O_CLOEXEC) != 0)
    return runner_failure("pipe2");
  if (pipe2(error_pipe, O_CLOEXEC) != 0) {
    close(output_pipe[0]);
    close(output_pipe[1]);
    return runner_failure("pipe2");
  }

  const Clock::time_point deadline = Clock::now() + timeout;
  const pid_t pid = launch(argv, output_pipe[1], error_pipe[1]);
  close(output_pipe[1]);
  close(error_pipe[1]);
  if (pid < 0) {
    close(output_pipe[0]);
    close(error_pipe[0]);
    return runner_failure("fork");
  }

  const bool finished = drain_pipes({output_pipe[0], error_pipe[0]},
                                    {&result.standard_output, &result.standard_error}, deadline);
  close(output_pipe[0]);
  close(error_pipe[0]);

  // The pipes can close before the process ends (or a hung process keeps them open): either way
  // the deadline holds for the process itself too.
  std::optional<int> status = finished ? reap_before(pid, deadline) : std::nullopt;
  if (!status) {
    result.timed_out = true;
    kill_process_group(pid);
    status = reap(pid);
  }
  result.wait_status = *status;
  return result;
}

BackgroundCommand::BackgroundCommand(const std::vector<std::string>& argv) {
  output_fd_ = memfd_create("nsbench-cli-test-output", MFD_CLOEXEC);
  if (output_fd_ < 0)
    return;
  pid_ = launch(argv, output_fd_, output_fd_);
}

BackgroundCommand::~BackgroundCommand() {
  if (pid_ > 0 && !wait_status_) {
    kill_process_group(pid_);
    reap(pid_);
  }
  if (output_fd_ >= 0)
    close(output_fd_);
}

std::optional<int> BackgroundCommand::wait_for_exit(std::chrono::milliseconds timeout) {
  if (!wait_status_ && pid_ > 0)
    wait_status_ = reap_before(pid_, Clock::now() + timeout);
  return wait_status_;
}

std::string BackgroundCommand::output() const {
  std::string text;
  char buffer[4096];
  off_t offset = 0;
  for (ssize_t got; (got = pread(output_fd_, buffer, sizeof buffer, offset)) > 0; offset += got)
    text.append(buffer, static_cast<size_t>(got));
  return text;
}

}  // namespace nsbench::testing
