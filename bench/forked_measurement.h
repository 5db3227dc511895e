// Runs a timed step in a fresh single-threaded child and brings its duration back to the parent.
// Some namespace operations cannot run in the benchmark process itself: setns() into a user,
// mount or time namespace is refused while other threads share the caller's state, joining a user
// namespace cannot be undone, and unshare(CLONE_NEWPID) works only once per process.
#pragma once

#include <functional>

#include "common/result.h"

namespace nsbench::bench {

class ForkedMeasurement {
 public:
  // Maps the page the children report through; check valid() before use.
  ForkedMeasurement();
  ForkedMeasurement(const ForkedMeasurement&) = delete;
  ForkedMeasurement& operator=(const ForkedMeasurement&) = delete;
  ~ForkedMeasurement();

  // The error of the mapping, when it failed.
  Result<> valid() const;

  // Forks a child that calls `timed_step` and exits; returns the seconds the step reported, or
  // its Error. Only the step's own timing counts, not the fork or the exit. The child is always
  // reaped before this returns.
  Result<double> run(const std::function<Result<double>()>& timed_step);

  // The page's layout, defined where it is used.
  struct Report;

 private:
  Report* report_ = nullptr;
  Result<> mapped_;
};

}  // namespace nsbench::bench
