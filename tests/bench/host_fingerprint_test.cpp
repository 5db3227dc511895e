#include "bench/host_fingerprint.h"

#include <sys/utsname.h>

#include <string>

#include <gtest/gtest.h>

namespace nsbench::bench {
namespace {

TEST(HostFingerprint, NamesTheRunningKernelAndCountsCoresAndMounts) {
  const std::map<std::string, std::string> fingerprint = host_fingerprint();
  utsname names{};
  ASSERT_EQ(uname(&names), 0);
  EXPECT_EQ(fingerprint.at("kernel_release"), names.release);
  EXPECT_GT(std::stoi(fingerprint.at("cpu_cores")), 0);
  EXPECT_GT(std::stoi(fingerprint.at("mount_count")), 0);
  EXPECT_FALSE(fingerprint.at("cpu_model").empty());
  EXPECT_FALSE(fingerprint.at("nsbench_version").empty());
  EXPECT_FALSE(fingerprint.at("benchmark_library_version").empty());
}

TEST(HostFingerprint, KeysDoNotCollideWithGoogleBenchmarksOwnContext) {
  for (const auto& [key, value] : host_fingerprint()) {
    for (const char* own : {"date", "host_name", "executable", "num_cpus", "mhz_per_cpu",
                            "cpu_scaling_enabled", "caches", "load_avg", "library_build_type"}) {
      EXPECT_NE(key, own);
    }
  }
}

}  // namespace
}  // namespace nsbench::bench
