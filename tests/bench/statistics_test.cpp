#include "bench/statistics.h"

#include <vector>

#include <gtest/gtest.h>

namespace nsbench::bench {
namespace {

TEST(Statistics, EvenCountInterpolatesTheMedianBetweenTheMiddleSamples) {
  const std::vector<double> samples = {4, 1, 3, 2};
  const SampleStatistics statistics = describe(samples);
  EXPECT_EQ(statistics.count, 4u);
  EXPECT_DOUBLE_EQ(statistics.median, 2.5);
  // Position 0.99 * 3 = 2.97: between 3 and 4, 97% of the way.
  EXPECT_DOUBLE_EQ(statistics.p99, 3.97);
  EXPECT_DOUBLE_EQ(statistics.mean, 2.5);
  // Squared deviations 2.25 + 0.25 + 0.25 + 2.25 = 5, over n - 1 = 3.
  EXPECT_DOUBLE_EQ(statistics.stddev, 1.2909944487358056);
  EXPECT_DOUBLE_EQ(statistics.cv, 1.2909944487358056 / 2.5);
}

TEST(Statistics, OddCountTakesTheMiddleSampleAsMedian) {
  const std::vector<double> samples = {5, 1, 9};
  const SampleStatistics statistics = describe(samples);
  EXPECT_DOUBLE_EQ(statistics.median, 5);
  EXPECT_DOUBLE_EQ(statistics.p99, 8.92);  // 5 + 0.98 * (9 - 5)
  EXPECT_DOUBLE_EQ(statistics.mean, 5);
  EXPECT_DOUBLE_EQ(statistics.stddev, 4);  // (16 + 0 + 16) / 2 = 16
  EXPECT_DOUBLE_EQ(statistics.cv, 0.8);
}

TEST(Statistics, P99OfAHundredSamplesInterpolatesNearTheTop) {
  std::vector<double> samples;
  for (int value = 100; value >= 1; --value)
    samples.push_back(value);
  const SampleStatistics statistics = describe(samples);
  EXPECT_DOUBLE_EQ(statistics.median, 50.5);
  EXPECT_DOUBLE_EQ(statistics.p99, 99.01);  // position 98.01: 99 + 0.01 * (100 - 99)
  EXPECT_DOUBLE_EQ(statistics.mean, 50.5);
}

TEST(Statistics, SingleSampleHasNoSpread) {
  const std::vector<double> samples = {7e-6};
  const SampleStatistics statistics = describe(samples);
  EXPECT_EQ(statistics.count, 1u);
  EXPECT_DOUBLE_EQ(statistics.median, 7e-6);
  EXPECT_DOUBLE_EQ(statistics.p99, 7e-6);
  EXPECT_DOUBLE_EQ(statistics.mean, 7e-6);
  EXPECT_EQ(statistics.stddev, 0);
  EXPECT_EQ(statistics.cv, 0);
}

TEST(Statistics, EmptyInputGivesZeros) {
  const SampleStatistics statistics = describe({});
  EXPECT_EQ(statistics.count, 0u);
  EXPECT_EQ(statistics.median, 0);
  EXPECT_EQ(statistics.p99, 0);
  EXPECT_EQ(statistics.mean, 0);
  EXPECT_EQ(statistics.stddev, 0);
  EXPECT_EQ(statistics.cv, 0);
}

TEST(Statistics, SmallSpreadAroundALargeMeanKeepsItsDigits) {
  // A sum of squares minus the squared sum would cancel almost every digit here.
  const std::vector<double> samples = {1e9 + 1, 1e9 + 2, 1e9 + 3};
  const SampleStatistics statistics = describe(samples);
  EXPECT_DOUBLE_EQ(statistics.mean, 1e9 + 2);
  EXPECT_DOUBLE_EQ(statistics.stddev, 1);
}

TEST(Statistics, QuantileEndsAreTheExtremes) {
  const std::vector<double> sorted = {1, 2, 10};
  EXPECT_DOUBLE_EQ(quantile_of_sorted(sorted, 0), 1);
  EXPECT_DOUBLE_EQ(quantile_of_sorted(sorted, 1), 10);
  EXPECT_DOUBLE_EQ(quantile_of_sorted(sorted, 0.75), 6);  // position 1.5: halfway from 2 to 10
  EXPECT_DOUBLE_EQ(quantile_of_sorted({}, 0.5), 0);
}

}  // namespace
}  // namespace nsbench::bench
