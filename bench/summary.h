// One scenario's result as the rest of nsbench sees it: statistics of the per-iteration latencies
// measured in user space. Produced by bench/, consumed by exporter/ and cli/.
#pragma once

#include <cstdint>
#include <string>

namespace nsbench::bench {

struct ScenarioSummary {
  std::string scenario;  // e.g. "create/net", "setns/pid", "full_start"
  std::string syscall;   // the namespace syscall the scenario exercises (probe label)
  std::string ns_type;   // its namespace type label (probe label)
  uint64_t samples = 0;  // iterations measured
  double median_seconds = 0;
  double p99_seconds = 0;
  double mean_seconds = 0;
  double stddev_seconds = 0;
  double cv_ratio = 0;  // stddev / mean
};

}  // namespace nsbench::bench
