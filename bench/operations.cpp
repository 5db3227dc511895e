#include "bench/operations.h"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "bench/forked_measurement.h"
#include "engine/join.h"
#include "engine/spawn.h"

namespace nsbench::bench {

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// A child that exits with anything but 0 did not do what the scenario measures.
Result<> expect_success(Result<int> status, const std::string& what, const std::string& subject) {
  if (!status)
    return std::unexpected(status.error());
  if (*status != 0)
    return plain_error(what, subject, "it exited with status " + std::to_string(*status));
  return {};
}

class SpawnAndWait final : public Operation {
 public:
  explicit SpawnAndWait(engine::NamespaceSet namespaces) { options_.namespaces = namespaces; }

  Result<double> run_once() override {
    const Clock::time_point start = Clock::now();
    Result<engine::ChildProcess> child = engine::spawn_in_namespaces(options_, exit_at_once_);
    if (!child)
      return std::unexpected(child.error());
    Result<int> status = child->wait();
    const double seconds = seconds_since(start);

    if (auto checked = expect_success(status, "child of clone3", options_.namespaces.to_string());
        !checked)
      return std::unexpected(checked.error());
    return seconds;
  }

 private:
  engine::SpawnOptions options_;
  std::function<int()> exit_at_once_ = [] { return 0; };
};

// A process parked in all eight new namespaces until the pipe it reads is closed, so that the
// namespaces stay alive for as long as iterations join them.
class ParkedTarget {
 public:
  static Result<std::unique_ptr<ParkedTarget>> start() {
    auto target = std::unique_ptr<ParkedTarget>(new ParkedTarget());
    int ends[2];
    if (pipe2(ends, O_CLOEXEC) != 0)
      return system_error("pipe2");
    target->release_fd_ = ends[1];

    const int read_end = ends[0];
    const int write_end = ends[1];
    engine::SpawnOptions options;
    options.namespaces = engine::NamespaceSet::all();
    Result<engine::ChildProcess> child =
        engine::spawn_in_namespaces(options, [read_end, write_end]() {
          // The child's own copy of the write end would keep the pipe open forever.
          close(write_end);
          char byte;
          ssize_t got;
          do {
            got = read(read_end, &byte, 1);
          } while (got < 0 && errno == EINTR);
          return 0;
        });
    close(read_end);
    if (!child)
      return std::unexpected(child.error());
    target->process_ = std::move(*child);
    return target;
  }

  ParkedTarget(const ParkedTarget&) = delete;
  ParkedTarget& operator=(const ParkedTarget&) = delete;

  // Closing the pipe lets the target return; waiting reaps it, and with it its namespaces go.
  ~ParkedTarget() {
    if (release_fd_ >= 0)
      close(release_fd_);
    if (process_.pid() > 0)
      (void)process_.wait();
  }

  pid_t pid() const { return process_.pid(); }

 private:
  ParkedTarget() = default;

  engine::ChildProcess process_;
  int release_fd_ = -1;
};

class JoinNamespaceOfTarget final : public Operation {
 public:
  JoinNamespaceOfTarget(std::unique_ptr<ParkedTarget> target, engine::NamespaceType type)
      : target_(std::move(target)),
        type_(type),
        path_("/proc/" + std::to_string(target_->pid()) + "/ns/" +
              std::string(engine::name(type))) {}

  Result<double> run_once() override {
    return measurement_.run([this]() -> Result<double> {
      // The file is opened before the clock starts, so that the figure is the setns() call
      // itself and can be set beside the kernel-side setns() latency.
      const int fd = open(path_.c_str(), O_RDONLY | O_CLOEXEC);
      if (fd < 0)
        return system_error("open namespace file", path_);

      // A fresh fork of the benchmark process pays copy-on-write faults and cold caches on the
      // first pass through any code path, which would cost several times the join itself. A
      // dry run on a descriptor that is not open takes the engine's path up to the failing
      // setns() and joins nothing.
      (void)engine::join_namespace_fd(-1, type_, path_);

      const Clock::time_point start = Clock::now();
      Result<> joined = engine::join_namespace_fd(fd, type_, path_);
      const double seconds = seconds_since(start);
      close(fd);
      if (!joined)
        return std::unexpected(joined.error());
      return seconds;
    });
  }

  Result<> valid() const { return measurement_.valid(); }

 private:
  std::unique_ptr<ParkedTarget> target_;
  engine::NamespaceType type_;
  std::string path_;
  ForkedMeasurement measurement_;
};

class UnsharePidAndFork final : public Operation {
 public:
  Result<double> run_once() override {
    return measurement_.run([]() -> Result<double> {
      const Clock::time_point start = Clock::now();
      if (auto unshared =
              engine::unshare_namespaces(engine::NamespaceSet::of({engine::NamespaceType::pid}));
          !unshared)
        return std::unexpected(unshared.error());

      // unshare(CLONE_NEWPID) moves only future children: this fork creates the namespace's
      // first process, its PID 1.
      const pid_t first = fork();
      if (first < 0)
        return system_error("fork", "pid");
      if (first == 0)
        _exit(0);
      int wait_status = 0;
      pid_t reaped;
      do {
        reaped = waitpid(first, &wait_status, 0);
      } while (reaped < 0 && errno == EINTR);
      const double seconds = seconds_since(start);
      if (reaped < 0)
        return system_error("waitpid", "pid");
      return seconds;
    });
  }

  Result<> valid() const { return measurement_.valid(); }

 private:
  ForkedMeasurement measurement_;
};

class FullContainerStart final : public Operation {
 public:
  FullContainerStart() {
    options_.namespaces = engine::NamespaceSet::all();
    options_.mount_proc = true;
    options_.init = true;
  }

  Result<double> run_once() override {
    const Clock::time_point start = Clock::now();
    Result<engine::ChildProcess> child = engine::spawn_command(options_, command_);
    if (!child)
      return std::unexpected(child.error());
    Result<int> status = child->wait();
    const double seconds = seconds_since(start);

    if (auto checked = expect_success(status, "container init running /bin/true", "multi");
        !checked)
      return std::unexpected(checked.error());
    return seconds;
  }

 private:
  engine::SpawnOptions options_;
  std::vector<std::string> command_ = {"/bin/true"};
};

}  // namespace

Result<std::unique_ptr<Operation>> spawn_and_wait(engine::NamespaceSet namespaces) {
  return std::make_unique<SpawnAndWait>(namespaces);
}

Result<std::unique_ptr<Operation>> join_namespace_of_target(engine::NamespaceType type) {
  Result<std::unique_ptr<ParkedTarget>> target = ParkedTarget::start();
  if (!target)
    return std::unexpected(target.error());
  auto operation = std::make_unique<JoinNamespaceOfTarget>(std::move(*target), type);
  if (auto valid = operation->valid(); !valid)
    return std::unexpected(valid.error());
  return operation;
}

Result<std::unique_ptr<Operation>> unshare_pid_and_fork() {
  auto operation = std::make_unique<UnsharePidAndFork>();
  if (auto valid = operation->valid(); !valid)
    return std::unexpected(valid.error());
  return operation;
}

Result<std::unique_ptr<Operation>> full_container_start() {
  return std::make_unique<FullContainerStart>();
}

}  // namespace nsbench::bench
