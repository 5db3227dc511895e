#include "bench/forked_measurement.h"

#include <unistd.h>

#include <gtest/gtest.h>

namespace nsbench::bench {
namespace {

TEST(ForkedMeasurement, ReturnsTheDurationTheChildReports) {
  ForkedMeasurement measurement;
  ASSERT_TRUE(measurement.valid());
  Result<double> seconds = measurement.run([]() -> Result<double> { return 0.125; });
  ASSERT_TRUE(seconds) << seconds.error().message();
  EXPECT_DOUBLE_EQ(*seconds, 0.125);
}

TEST(ForkedMeasurement, StepRunsInAnotherProcess) {
  ForkedMeasurement measurement;
  const pid_t parent = getpid();
  Result<double> seconds = measurement.run([parent]() -> Result<double> {
    return getpid() != parent && getppid() == parent ? 1.0 : 0.0;
  });
  ASSERT_TRUE(seconds) << seconds.error().message();
  EXPECT_EQ(*seconds, 1.0);
}

TEST(ForkedMeasurement, CarriesTheChildsErrorBackWhole) {
  ForkedMeasurement measurement;
  Result<double> seconds = measurement.run([]() -> Result<double> {
    errno = EPERM;
    return system_error("setns net", "/proc/1/ns/net", "run as root");
  });
  ASSERT_FALSE(seconds);
  EXPECT_EQ(seconds.error().operation, "setns net");
  EXPECT_EQ(seconds.error().subject, "/proc/1/ns/net");
  EXPECT_EQ(seconds.error().error_number, EPERM);
  EXPECT_EQ(seconds.error().hint, "run as root");
}

TEST(ForkedMeasurement, ChildThatDiesBeforeReportingIsAnError) {
  ForkedMeasurement measurement;
  Result<double> seconds = measurement.run([]() -> Result<double> { _exit(3); });
  ASSERT_FALSE(seconds);
  EXPECT_NE(seconds.error().hint.find("status 3"), std::string::npos) << seconds.error().message();
}

TEST(ForkedMeasurement, EarlierReportDoesNotLeakIntoTheNextRun) {
  ForkedMeasurement measurement;
  ASSERT_TRUE(measurement.run([]() -> Result<double> { return 2.0; }));
  Result<double> seconds = measurement.run([]() -> Result<double> { _exit(0); });
  EXPECT_FALSE(seconds);
}

}  // namespace
}  // namespace nsbench::bench
