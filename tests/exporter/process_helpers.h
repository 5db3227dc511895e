// Running external tools (promtool, prometheus) from the exporter and dashboard tests.
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "support.h"

extern char** environ;

namespace nsbench::testing {

struct ProcessResult {
  int exit_code = -1;  // -1 when the process could not be started or was killed
  std::string output;  // stdout and stderr interleaved
};

// Runs argv[0] with `input` on its stdin and waits for it. stdin is a memfd holding the whole
// input, so a tool that answers before reading everything cannot deadlock the test.
inline ProcessResult run_process(const std::vector<std::string>& argv,
                                 const std::string& input = {}) {
  ProcessResult result;
  const int input_fd = memfd_create("nsbench-test-stdin", MFD_CLOEXEC);
  int output_pipe[2];
  if (input_fd < 0 || pipe2(output_pipe, O_CLOEXEC) != 0)
    return result;
  if (write(input_fd, input.data(), input.size()) != static_cast<ssize_t>(input.size())) {
    return result;
  }
  lseek(input_fd, 0, SEEK_SET);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, input_fd, STDIN_FILENO);
  posix_spawn_file_actions_adddup2(&actions, output_pipe[1], STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, output_pipe[1], STDERR_FILENO);

  std::vector<char*> arguments;
  for (const std::string& argument : argv)
    arguments.push_back(const_cast<char*>(argument.c_str()));
  arguments.push_back(nullptr);

  pid_t pid = -1;
  const int spawn_error =
      posix_spawnp(&pid, arguments[0], &actions, nullptr, arguments.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(output_pipe[1]);
  close(input_fd);

  if (spawn_error == 0) {
    char buffer[4096];
    for (ssize_t n; (n = read(output_pipe[0], buffer, sizeof(buffer))) > 0;) {
      result.output.append(buffer, static_cast<size_t>(n));
    }
  }
  close(output_pipe[0]);
  if (spawn_error != 0)
    return result;

  int status = 0;
  waitpid(pid, &status, 0);
  if (WIFEXITED(status))
    result.exit_code = WEXITSTATUS(status);
  return result;
}

// A background process the test started and stops (SIGTERM, then SIGKILL) when it goes out of
// scope.
class BackgroundProcess {
 public:
  BackgroundProcess(const std::vector<std::string>& argv, const std::string& log_path) {
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log_path.c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
    std::vector<char*> arguments;
    for (const std::string& argument : argv) {
      arguments.push_back(const_cast<char*>(argument.c_str()));
    }
    arguments.push_back(nullptr);
    if (posix_spawnp(&pid_, arguments[0], &actions, nullptr, arguments.data(), environ) != 0) {
      pid_ = -1;
    }
    posix_spawn_file_actions_destroy(&actions);
  }
  BackgroundProcess(const BackgroundProcess&) = delete;
  BackgroundProcess& operator=(const BackgroundProcess&) = delete;

  ~BackgroundProcess() {
    if (pid_ <= 0)
      return;
    kill(pid_, SIGTERM);
    for (int i = 0; i < 100; ++i) {
      if (waitpid(pid_, nullptr, WNOHANG) == pid_)
        return;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }

  bool started() const { return pid_ > 0; }

  // Reaps the process if it has exited, so that the destructor never signals a reused pid.
  bool running() {
    if (pid_ <= 0)
      return false;
    if (waitpid(pid_, nullptr, WNOHANG) == pid_) {
      pid_ = -1;
      return false;
    }
    return true;
  }

 private:
  pid_t pid_ = -1;
};

}  // namespace nsbench::testing
