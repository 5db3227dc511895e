#include "bench/bpftrace_session.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <sstream>
#include <thread>
#include <utility>

#include <nlohmann/json.hpp>

#include "bench/tool_comparison.h"
#include "probes/snapshot.h"

namespace nsbench::bench {

namespace {

// bpftrace compiles its script with LLVM before attaching: seconds on a busy machine.
constexpr std::chrono::seconds kAttachTimeout{60};

// The bpftrace of the session that is running, 0 when none is.
std::atomic<pid_t> running_bpftrace{0};

// A SIGINT, SIGTERM or SIGHUP that ends nsbench while bpftrace runs would leave bpftrace running
// with its probes attached, an orphan: the handler kills it first (the kernel detaches its probes
// as it dies), then lets the signal take its default course.
void kill_bpftrace_and_reraise(int signal_number) {
  if (const pid_t pid = running_bpftrace.load(); pid > 0)
    kill(pid, SIGKILL);
  signal(signal_number, SIG_DFL);
  raise(signal_number);
}

// Installs the handler for the signals that still have their default action; a program that
// handles them itself keeps its handlers.
// Called before bpftrace is reaped, after which its PID may be another process's.
void forget_running(pid_t pid) {
  if (pid > 0)
    running_bpftrace.compare_exchange_strong(pid, 0);
}

void take_bpftrace_along_on_termination() {
  for (const int signal_number : {SIGINT, SIGTERM, SIGHUP}) {
    struct sigaction current {};
    if (sigaction(signal_number, nullptr, &current) == 0 && current.sa_handler == SIG_DFL) {
      struct sigaction handler {};
      handler.sa_handler = kill_bpftrace_and_reraise;
      sigaction(signal_number, &handler, nullptr);
    }
  }
}
// bpftrace announces its probes just before it attaches them, and says nothing when done. Its
// tracepoint probes attach within milliseconds; this wait leaves a wide margin.
constexpr std::chrono::milliseconds kAttachSettle{1000};
// bpftrace can miss a SIGINT that arrives just before it blocks waiting for events, and then waits
// for an event that never comes: stop() repeats the signal this often, this many times.
constexpr std::chrono::milliseconds kStopResend{500};
constexpr int kStopAttempts = 20;

std::string last_line_of_file(int fd) {
  std::string all = start_of_file(fd, 512);
  // bpftrace warns about RLIMIT_MEMLOCK on kernels that account BPF memory by cgroup; the line
  // that explains a failure is the last one.
  while (!all.empty() && all.back() == '\n')
    all.pop_back();
  const size_t last = all.rfind('\n');
  return last == std::string::npos ? all : all.substr(last + 1);
}

// Reads what is available on `fd` into `into`; false at end of file.
bool read_available(int fd, std::string& into) {
  char buffer[4096];
  const ssize_t got = read(fd, buffer, sizeof buffer);
  if (got > 0) {
    into.append(buffer, static_cast<size_t>(got));
    return true;
  }
  return got < 0 && (errno == EINTR || errno == EAGAIN);
}

}  // namespace

std::string namespace_latency_bpftrace_script(std::optional<pid_t> only_process) {
  const std::string filter = only_process ? "/pid == " + std::to_string(*only_process) + "/ " : "";
  std::string enters;
  std::string exits;
  for (const char* syscall : {"clone", "clone3", "unshare", "setns"}) {
    enters += std::string(enters.empty() ? "" : ",") + "tracepoint:syscalls:sys_enter_" + syscall;
    exits += std::string(exits.empty() ? "" : ",") + "tracepoint:syscalls:sys_exit_" + syscall;
  }
  return enters + " " + filter + "{ @start[tid] = nsecs; }\n" + exits +
         " /@start[tid]/ { @latency_ns[probe, args->ret < 0] = hist(nsecs - @start[tid]); "
         "delete(@start[tid]); }\n";
}

Result<std::map<std::string, std::vector<BpftraceBucket>>> parse_bpftrace_histograms(
    const std::string& json_output, const std::string& map) {
  std::map<std::string, std::vector<BpftraceBucket>> histograms;
  std::istringstream lines(json_output);
  for (std::string line; std::getline(lines, line);) {
    const nlohmann::json record = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (!record.is_object() || record.value("type", "") != "hist")
      continue;
    const nlohmann::json& data = record["data"];
    if (!data.contains(map))
      continue;
    for (const auto& [key, buckets] : data[map].items()) {
      std::vector<BpftraceBucket>& into = histograms[key];
      for (const nlohmann::json& bucket : buckets) {
        // The first bucket of values below 1 has no min; the last one open upwards has no max.
        into.push_back({bucket.value("min", uint64_t{0}), bucket.value("max", UINT64_MAX),
                        bucket.value("count", uint64_t{0})});
      }
    }
  }
  if (histograms.empty())
    return plain_error("read bpftrace's output", map, "it printed no histogram of that map");
  return histograms;
}

int median_slot(const std::vector<std::vector<BpftraceBucket>>& histograms) {
  std::map<uint64_t, uint64_t> counts_by_max;
  uint64_t total = 0;
  for (const std::vector<BpftraceBucket>& buckets : histograms) {
    for (const BpftraceBucket& bucket : buckets) {
      counts_by_max[bucket.max] += bucket.count;
      total += bucket.count;
    }
  }
  uint64_t below = 0;
  for (const auto& [max, count] : counts_by_max) {
    below += count;
    if (count != 0 && 2 * below >= total)
      return probes::slot_for_ns(max);
  }
  return -1;
}

Result<BpftraceSession> BpftraceSession::start(const std::string& script) {
  Result<std::string> bpftrace = find_in_path("bpftrace", "bpftrace");
  if (!bpftrace)
    return std::unexpected(bpftrace.error());

  int output[2];
  if (pipe2(output, O_CLOEXEC) != 0)
    return system_error("pipe2", "bpftrace output");
  const int error_fd = memfd_create("nsbench-bpftrace-stderr", MFD_CLOEXEC);
  if (error_fd < 0) {
    const Error failure{"memfd_create", "bpftrace stderr", errno, {}};
    close(output[0]);
    close(output[1]);
    return std::unexpected(failure);
  }

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, output[1], STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, error_fd, STDERR_FILENO);
  std::string program = *bpftrace;
  std::string format_option = "-f";
  std::string format = "json";
  std::string text = "-e";
  std::string source = script;
  char* argv[] = {program.data(), format_option.data(), format.data(),
                  text.data(),    source.data(),        nullptr};
  pid_t pid = -1;
  const int spawn_error = posix_spawn(&pid, program.c_str(), &actions, nullptr, argv, environ);
  posix_spawn_file_actions_destroy(&actions);
  close(output[1]);
  if (spawn_error != 0) {
    close(output[0]);
    close(error_fd);
    errno = spawn_error;
    return system_error("posix_spawn", program);
  }
  // Only this process can reap the child, so its PID cannot be reused before the pidfd exists.
  const int pidfd = static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
  if (pidfd < 0) {
    const Error failure{"pidfd_open", "bpftrace", errno, {}};
    kill(pid, SIGKILL);
    close(output[0]);
    close(error_fd);
    return std::unexpected(failure);
  }
  BpftraceSession session(engine::ChildProcess(pid, pidfd), output[0], error_fd);
  running_bpftrace = pid;
  take_bpftrace_along_on_termination();

  // bpftrace announces its attached probes in its first JSON line; anything else first is a
  // failure, told on its standard error.
  const auto deadline = std::chrono::steady_clock::now() + kAttachTimeout;
  while (session.output_.find("\"attached_probes\"") == std::string::npos) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0)
      return plain_error("start bpftrace", program, "its probes were not attached within 60 s");
    pollfd ready{session.output_fd_, POLLIN, 0};
    if (poll(&ready, 1, static_cast<int>(left.count())) < 0 && errno != EINTR)
      return system_error("poll", "bpftrace output");
    if ((ready.revents & (POLLIN | POLLHUP)) != 0 &&
        !read_available(session.output_fd_, session.output_)) {
      const Result<int> status = session.process_.wait();
      return plain_error("start bpftrace", program,
                         "it exited with status " + std::to_string(status.value_or(-1)) + ": " +
                             last_line_of_file(session.error_fd_));
    }
  }
  std::this_thread::sleep_for(kAttachSettle);
  return session;
}

BpftraceSession::BpftraceSession(engine::ChildProcess process, int output_fd, int error_fd)
    : process_(std::move(process)), output_fd_(output_fd), error_fd_(error_fd) {}

BpftraceSession::BpftraceSession(BpftraceSession&& other) noexcept
    : process_(std::move(other.process_)),
      output_fd_(std::exchange(other.output_fd_, -1)),
      error_fd_(std::exchange(other.error_fd_, -1)),
      output_(std::move(other.output_)) {}

BpftraceSession& BpftraceSession::operator=(BpftraceSession&& other) noexcept {
  if (this != &other) {
    close_outputs();
    process_ = std::move(other.process_);
    output_fd_ = std::exchange(other.output_fd_, -1);
    error_fd_ = std::exchange(other.error_fd_, -1);
    output_ = std::move(other.output_);
  }
  return *this;
}

// The ChildProcess member kills and reaps a bpftrace still running; its probes go with it.
BpftraceSession::~BpftraceSession() {
  forget_running(process_.pid());
  close_outputs();
}

void BpftraceSession::close_outputs() {
  for (int* fd : {&output_fd_, &error_fd_}) {
    if (*fd >= 0)
      close(*fd);
    *fd = -1;
  }
}

Result<std::string> BpftraceSession::stop() {
  // bpftrace prints its maps on the way out; the pipe ends when it has exited.
  bool ended = false;
  for (int attempt = 0; attempt < kStopAttempts && !ended; ++attempt) {
    if (Result<> interrupted = process_.signal(SIGINT); !interrupted)
      return std::unexpected(interrupted.error());
    const auto resend_at = std::chrono::steady_clock::now() + kStopResend;
    for (;;) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          resend_at - std::chrono::steady_clock::now());
      pollfd ready{output_fd_, POLLIN, 0};
      if (left.count() <= 0 || poll(&ready, 1, static_cast<int>(left.count())) == 0)
        break;
      if ((ready.revents & (POLLIN | POLLHUP)) != 0 && !read_available(output_fd_, output_)) {
        ended = true;
        break;
      }
    }
  }
  if (!ended) {
    (void)process_.signal(SIGKILL);
    return plain_error("stop bpftrace", "bpftrace", "it did not exit after SIGINT");
  }
  forget_running(process_.pid());
  Result<int> status = process_.wait();
  if (!status)
    return std::unexpected(status.error());
  if (*status != 0) {
    return plain_error(
        "stop bpftrace", "bpftrace",
        "it exited with status " + std::to_string(*status) + ": " + last_line_of_file(error_fd_));
  }
  return output_;
}

}  // namespace nsbench::bench
