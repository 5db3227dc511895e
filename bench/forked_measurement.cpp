#include "bench/forked_measurement.h"

#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <string>

#include "engine/process.h"

namespace nsbench::bench {

// What a child leaves in the shared page. Plain fixed-size fields: the parent reads them after
// the child is gone, so nothing may point into the child's memory.
struct ForkedMeasurement::Report {
  enum class State : int { empty, measured, failed };
  State state;
  double seconds;
  int error_number;
  char operation[128];
  char subject[128];
  char hint[256];
};

namespace {

void copy_text(char* destination, size_t size, const std::string& text) {
  const size_t length = std::min(size - 1, text.size());
  std::memcpy(destination, text.data(), length);
  destination[length] = '\0';
}

[[noreturn]] void run_child(const std::function<Result<double>()>& timed_step,
                            ForkedMeasurement::Report* report) {
  using State = ForkedMeasurement::Report::State;
  // Exceptions must not unwind into the parent's stack frames copied into this child.
  try {
    Result<double> seconds = timed_step();
    if (seconds) {
      report->seconds = *seconds;
      report->state = State::measured;
    } else {
      report->error_number = seconds.error().error_number;
      copy_text(report->operation, sizeof report->operation, seconds.error().operation);
      copy_text(report->subject, sizeof report->subject, seconds.error().subject);
      copy_text(report->hint, sizeof report->hint, seconds.error().hint);
      report->state = State::failed;
    }
  } catch (...) {
    _exit(2);
  }
  // _exit, not exit: the parent's atexit handlers and stdio buffers belong to the parent.
  _exit(0);
}

}  // namespace

ForkedMeasurement::ForkedMeasurement() {
  void* page =
      mmap(nullptr, sizeof(Report), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (page == MAP_FAILED) {
    mapped_ = system_error("mmap shared report page");
    return;
  }
  report_ = static_cast<Report*>(page);
}

ForkedMeasurement::~ForkedMeasurement() {
  if (report_ != nullptr)
    munmap(report_, sizeof(Report));
}

Result<> ForkedMeasurement::valid() const {
  return mapped_;
}

Result<double> ForkedMeasurement::run(const std::function<Result<double>()>& timed_step) {
  if (!mapped_)
    return std::unexpected(mapped_.error());
  std::memset(report_, 0, sizeof(Report));

  const pid_t child = fork();
  if (child < 0)
    return system_error("fork measuring child");
  if (child == 0)
    run_child(timed_step, report_);

  int wait_status = 0;
  pid_t reaped;
  do {
    reaped = waitpid(child, &wait_status, 0);
  } while (reaped < 0 && errno == EINTR);
  if (reaped < 0)
    return system_error("waitpid", std::to_string(child));

  switch (report_->state) {
    case Report::State::measured:
      return report_->seconds;
    case Report::State::failed:
      return std::unexpected(
          Error{report_->operation, report_->subject, report_->error_number, report_->hint});
    case Report::State::empty:
      break;
  }
  return plain_error("measuring child", "",
                     "it ended with status " + std::to_string(engine::shell_status(wait_status)) +
                         " before reporting a duration");
}

}  // namespace nsbench::bench
