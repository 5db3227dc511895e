// The catalogue of benchmark scenarios: what each measures, the probe labels of the syscall it
// exercises, and how many iterations it runs per repetition.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "bench/operations.h"
#include "common/result.h"

namespace nsbench::bench {

struct Scenario {
  std::string name;     // "create/net"
  std::string syscall;  // probe label: clone3, setns, unshare
  std::string ns_type;  // probe label: a namespace type, "multi" or "none"
  // Iterations per repetition. Fixed, so that Google Benchmark runs no estimation phase and every
  // measured iteration is a sample; chosen per scenario so that a full run spends about a second
  // or two on each scenario on a small machine, and a quick run a fraction of that.
  int64_t quick_iterations = 0;
  int64_t full_iterations = 0;
  // Called once per repetition, before its first iteration; the operation is destroyed after the
  // repetition's last iteration.
  std::function<Result<std::unique_ptr<Operation>>()> prepare;
};

// Every scenario, baseline first, in a stable order.
const std::vector<Scenario>& all_scenarios();

}  // namespace nsbench::bench
