#include "exporter/histogram_buckets.h"

#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include <gtest/gtest.h>

#include "sample_metrics.h"

namespace nsbench::exporter {
namespace {

using testing::histogram_of;

constexpr uint64_t kTwoTo32 = uint64_t{1} << 32;

// Observations straddling every edge that matters: the sub-microsecond slots folded into the first
// bucket, both sides of the first exported edge, the last exported edge and beyond it.
const std::vector<uint64_t> kEdgeObservations = {
    1, 2, 3, 4, 5, 1023, 1024, 1025, kTwoTo32, kTwoTo32 + 1, uint64_t{1} << 35};

TEST(HistogramBuckets, ExportsPowerOfTwoEdgesFromOneMicrosecondToFourSeconds) {
  const auto histogram = to_prometheus_histogram(histogram_of("unshare", "net", "ok", {}));

  const int finite_buckets = kLastExportedSlot - kFirstExportedSlot + 1;
  ASSERT_EQ(histogram.bucket.size(), static_cast<size_t>(finite_buckets + 1));
  EXPECT_EQ(histogram.bucket.front().upper_bound, 1.024e-06);
  EXPECT_EQ(histogram.bucket[1].upper_bound, 2.048e-06);
  EXPECT_EQ(histogram.bucket[finite_buckets - 1].upper_bound, 4.294967296);
  EXPECT_TRUE(std::isinf(histogram.bucket.back().upper_bound));
  for (int i = 0; i < finite_buckets; ++i) {
    EXPECT_EQ(histogram.bucket[i].upper_bound, std::ldexp(1.0, kFirstExportedSlot + i) / 1e9);
  }
}

TEST(HistogramBuckets, EdgesAreInclusiveExactlyAsPrometheusLe) {
  const auto histogram =
      to_prometheus_histogram(histogram_of("unshare", "net", "ok", kEdgeObservations));

  // 1..5 ns and 1023, 1024 ns are <= 1.024e-06 s; 1025 ns is not.
  EXPECT_EQ(histogram.bucket[0].cumulative_count, 7u);
  EXPECT_EQ(histogram.bucket[1].cumulative_count, 8u);
  // 2^32 ns is in the last finite bucket; 2^32 + 1 ns and 2^35 ns only in +Inf.
  const size_t last_finite = histogram.bucket.size() - 2;
  EXPECT_EQ(histogram.bucket[last_finite - 1].cumulative_count, 8u);
  EXPECT_EQ(histogram.bucket[last_finite].cumulative_count, 9u);
  EXPECT_EQ(histogram.bucket.back().cumulative_count, kEdgeObservations.size());
}

TEST(HistogramBuckets, EveryBucketCountsTheObservationsAtOrBelowItsEdge) {
  const auto histogram =
      to_prometheus_histogram(histogram_of("unshare", "net", "ok", kEdgeObservations));

  // Recount from the raw observations, independently of the slot arithmetic.
  for (const auto& bucket : histogram.bucket) {
    uint64_t expected = 0;
    for (const uint64_t ns : kEdgeObservations) {
      if (static_cast<double>(ns) / 1e9 <= bucket.upper_bound)
        ++expected;
    }
    EXPECT_EQ(bucket.cumulative_count, expected) << "le=" << bucket.upper_bound;
  }
}

TEST(HistogramBuckets, InfBucketEqualsCountAndSumIsInSeconds) {
  const auto latency = histogram_of("unshare", "net", "ok", kEdgeObservations);
  const auto histogram = to_prometheus_histogram(latency);

  EXPECT_EQ(histogram.sample_count, latency.count);
  EXPECT_EQ(histogram.bucket.back().cumulative_count, histogram.sample_count);
  EXPECT_DOUBLE_EQ(histogram.sample_sum, static_cast<double>(latency.sum_ns) * 1e-9);
}

TEST(HistogramBuckets, CountFollowsTheSlotsWhenASnapshotIsTorn) {
  // A snapshot read while events arrive: the total lags the slots by one.
  auto latency = histogram_of("setns", "mnt", "ok", {2'000, 3'000, 5'000});
  latency.count = 2;

  const auto histogram = to_prometheus_histogram(latency);

  EXPECT_EQ(histogram.sample_count, 3u);
  EXPECT_EQ(histogram.bucket.back().cumulative_count, 3u);
}

TEST(HistogramBuckets, BucketsNeverDecrease) {
  const auto histogram = to_prometheus_histogram(testing::sample_snapshot(3).latencies.front());

  for (size_t i = 1; i < histogram.bucket.size(); ++i) {
    EXPECT_LE(histogram.bucket[i - 1].cumulative_count, histogram.bucket[i].cumulative_count);
    EXPECT_LT(histogram.bucket[i - 1].upper_bound, histogram.bucket[i].upper_bound);
  }
}

}  // namespace
}  // namespace nsbench::exporter
