#include "bench/tool_comparison.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/process.h"

namespace nsbench::bench {

namespace {

using Clock = std::chrono::steady_clock;

std::string& nsbench_binary_override() {
  static std::string path;
  return path;
}

std::string joined(const std::vector<std::string>& argv) {
  std::string line;
  for (const std::string& argument : argv)
    line += (line.empty() ? "" : " ") + argument;
  return line;
}

// The first line a failed tool wrote to its standard error, kept in `fd` from offset 0.
std::string first_line_of(int fd) {
  const std::string text = start_of_file(fd, 256);
  return text.substr(0, text.find('\n'));
}

// A program started whole and waited for, once per iteration. Its output goes nowhere, except
// that its standard error is kept in a memory file so that a failure can say what the tool said.
class RunToolAndWait final : public Operation {
 public:
  RunToolAndWait(std::string path, std::vector<std::string> argv)
      : path_(std::move(path)), argv_(std::move(argv)) {
    for (std::string& argument : argv_)
      pointers_.push_back(argument.data());
    pointers_.push_back(nullptr);
  }

  RunToolAndWait(const RunToolAndWait&) = delete;
  RunToolAndWait& operator=(const RunToolAndWait&) = delete;

  ~RunToolAndWait() override {
    if (actions_ready_)
      posix_spawn_file_actions_destroy(&actions_);
    for (int fd : {null_fd_, stderr_fd_}) {
      if (fd >= 0)
        close(fd);
    }
  }

  Result<> open_outputs() {
    null_fd_ = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (null_fd_ < 0)
      return system_error("open", "/dev/null");
    stderr_fd_ = memfd_create("nsbench-tool-stderr", MFD_CLOEXEC);
    if (stderr_fd_ < 0)
      return system_error("memfd_create", "tool stderr");
    if (posix_spawn_file_actions_init(&actions_) != 0)
      return plain_error("posix_spawn_file_actions_init", path_);
    actions_ready_ = true;
    // dup2 clears close-on-exec on the target descriptors, so the tool keeps exactly 0, 1, 2.
    posix_spawn_file_actions_adddup2(&actions_, null_fd_, STDIN_FILENO);
    posix_spawn_file_actions_adddup2(&actions_, null_fd_, STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&actions_, stderr_fd_, STDERR_FILENO);
    return {};
  }

  Result<double> run_once() override {
    // The tool's descriptor 2 shares this file's offset: emptying it here readies it for the
    // iteration, outside the measured part.
    if (ftruncate(stderr_fd_, 0) != 0 || lseek(stderr_fd_, 0, SEEK_SET) != 0)
      return system_error("reset tool stderr", path_);

    // posix_spawn() creates the child with CLONE_VM|CLONE_VFORK, so its cost does not grow with
    // the benchmark process's memory, whichever tool is started.
    const Clock::time_point start = Clock::now();
    pid_t pid = -1;
    const int spawn_error =
        posix_spawn(&pid, path_.c_str(), &actions_, nullptr, pointers_.data(), environ);
    if (spawn_error != 0) {
      errno = spawn_error;
      return system_error("posix_spawn", path_);
    }
    int wait_status = 0;
    pid_t reaped;
    do {
      reaped = waitpid(pid, &wait_status, 0);
    } while (reaped < 0 && errno == EINTR);
    const double seconds = std::chrono::duration<double>(Clock::now() - start).count();

    if (reaped < 0)
      return system_error("waitpid", std::to_string(pid));
    if (const int status = engine::shell_status(wait_status); status != 0) {
      const std::string said = first_line_of(stderr_fd_);
      return plain_error(
          "run '" + joined(argv_) + "'", path_,
          "it exited with status " + std::to_string(status) + (said.empty() ? "" : ": " + said));
    }
    return seconds;
  }

 private:
  std::string path_;
  std::vector<std::string> argv_;
  std::vector<char*> pointers_;
  posix_spawn_file_actions_t actions_{};
  bool actions_ready_ = false;
  int null_fd_ = -1;
  int stderr_fd_ = -1;
};

Result<std::unique_ptr<Operation>> run_tool(std::string path, std::vector<std::string> argv) {
  auto operation = std::make_unique<RunToolAndWait>(std::move(path), std::move(argv));
  if (auto opened = operation->open_outputs(); !opened)
    return std::unexpected(opened.error());
  return operation;
}

bool is_executable_file(const std::string& path) {
  struct stat status {};
  return stat(path.c_str(), &status) == 0 && S_ISREG(status.st_mode) &&
         access(path.c_str(), X_OK) == 0;
}

// The tools' own arguments after the program name: a new PID namespace, a fresh /proc in it (and
// so a new mount namespace), then true, found in PATH by the tool.
const std::vector<std::string> kUnshareArguments = {"-fp", "--mount-proc", "true"};

}  // namespace

std::string start_of_file(int fd, size_t limit) {
  std::string text(limit, '\0');
  const ssize_t got = pread(fd, text.data(), limit, 0);
  text.resize(got > 0 ? static_cast<size_t>(got) : 0);
  return text;
}

void set_nsbench_binary(std::string path) {
  nsbench_binary_override() = std::move(path);
}

Result<std::string> find_in_path(const std::string& command, const std::string& debian_package) {
  const std::string hint = "install the Debian package " + debian_package;
  // execvp()'s own default when PATH is unset.
  const char* variable = std::getenv("PATH");
  const std::string_view search = variable != nullptr ? variable : "/bin:/usr/bin";

  size_t begin = 0;
  while (begin <= search.size()) {
    size_t end = search.find(':', begin);
    if (end == std::string_view::npos)
      end = search.size();
    // An empty entry means the current directory, as for execvp().
    std::string directory(search.substr(begin, end - begin));
    const std::string candidate = (directory.empty() ? "." : directory) + "/" + command;
    if (is_executable_file(candidate))
      return candidate;
    begin = end + 1;
  }
  errno = ENOENT;
  return system_error("find '" + command + "' in PATH", "", hint);
}

Result<std::unique_ptr<Operation>> nsbench_unshare_true() {
  std::string path = nsbench_binary_override();
  if (path.empty()) {
    char target[4096];
    const ssize_t length = readlink("/proc/self/exe", target, sizeof target - 1);
    if (length < 0)
      return system_error("read nsbench's own path", "/proc/self/exe");
    path.assign(target, static_cast<size_t>(length));
  }
  if (!is_executable_file(path))
    return plain_error("find the nsbench binary", path, "no executable file there");

  // argv[0] "nsbench": invoked as "unshare", nsbench would insert the subcommand itself.
  std::vector<std::string> argv = {"nsbench", "unshare"};
  argv.insert(argv.end(), kUnshareArguments.begin(), kUnshareArguments.end());
  return run_tool(std::move(path), std::move(argv));
}

Result<std::unique_ptr<Operation>> util_linux_unshare_true() {
  Result<std::string> path = find_in_path("unshare", "util-linux");
  if (!path)
    return std::unexpected(path.error());
  std::vector<std::string> argv = {"unshare"};
  argv.insert(argv.end(), kUnshareArguments.begin(), kUnshareArguments.end());
  return run_tool(std::move(*path), std::move(argv));
}

Result<std::unique_ptr<Operation>> bubblewrap_true() {
  Result<std::string> path = find_in_path("bwrap", "bubblewrap");
  if (!path)
    return std::unexpected(path.error());
  return run_tool(std::move(*path),
                  {"bwrap", "--unshare-pid", "--dev-bind", "/", "/", "--proc", "/proc", "true"});
}

}  // namespace nsbench::bench
