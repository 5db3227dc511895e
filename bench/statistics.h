// Descriptive statistics of per-iteration latencies. Benchmark latencies are skewed (a few slow
// iterations when the kernel defers work), so the median and a high quantile say more than the
// mean; the coefficient of variation tells whether a run was quiet enough to be trusted.
#pragma once

#include <cstdint>
#include <span>

namespace nsbench::bench {

struct SampleStatistics {
  uint64_t count = 0;
  double median = 0;
  double p99 = 0;
  double mean = 0;
  double stddev = 0;  // sample standard deviation (divides by count - 1)
  double cv = 0;      // stddev / mean
};

// The q-quantile (0 <= q <= 1) of `sorted` (ascending), interpolating linearly between the two
// nearest ranks: position q * (n - 1), the definition R and NumPy use by default. Returns 0 for
// an empty input.
double quantile_of_sorted(std::span<const double> sorted, double q);

// Statistics of `samples` in any order. An empty input gives all zeros. With a single sample
// there is no spread to measure, so stddev and cv are 0; cv is also 0 when the mean is 0.
SampleStatistics describe(std::span<const double> samples);

}  // namespace nsbench::bench
