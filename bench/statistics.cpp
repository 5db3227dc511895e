#include "bench/statistics.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

namespace nsbench::bench {

double quantile_of_sorted(std::span<const double> sorted, double q) {
  if (sorted.empty())
    return 0;
  const double position = std::clamp(q, 0.0, 1.0) * static_cast<double>(sorted.size() - 1);
  const auto lower = static_cast<size_t>(std::floor(position));
  const size_t upper = std::min(lower + 1, sorted.size() - 1);
  const double fraction = position - static_cast<double>(lower);
  return sorted[lower] + fraction * (sorted[upper] - sorted[lower]);
}

SampleStatistics describe(std::span<const double> samples) {
  SampleStatistics statistics;
  statistics.count = samples.size();
  if (samples.empty())
    return statistics;

  std::vector<double> sorted(samples.begin(), samples.end());
  std::sort(sorted.begin(), sorted.end());
  statistics.median = quantile_of_sorted(sorted, 0.5);
  statistics.p99 = quantile_of_sorted(sorted, 0.99);

  const double count = static_cast<double>(sorted.size());
  statistics.mean = std::accumulate(sorted.begin(), sorted.end(), 0.0) / count;
  if (sorted.size() < 2)
    return statistics;

  // Two passes (mean first, then squared deviations) rather than a running sum of squares, which
  // loses most of its digits when the spread is small next to the mean, as it is for latencies.
  double squared_deviations = 0;
  for (double sample : sorted)
    squared_deviations += (sample - statistics.mean) * (sample - statistics.mean);
  statistics.stddev = std::sqrt(squared_deviations / (count - 1));
  if (statistics.mean != 0)
    statistics.cv = statistics.stddev / statistics.mean;
  return statistics;
}

}  // namespace nsbench::bench
