// Helpers shared by the test folders.
#pragma once

#include <unistd.h>

#include <cstdlib>
#include <string>

#include <gtest/gtest.h>

namespace nsbench::testing {

// CI runs as root and must run every privileged test; elsewhere a test that needs a capability
// skips with the reason.
inline bool running_in_ci() {
  const char* ci = std::getenv("CI");
  return ci != nullptr && std::string(ci) != "" && std::string(ci) != "false";
}

}  // namespace nsbench::testing

// Skips the test with `reason` unless running as root; in CI, where root is guaranteed, a
// non-root run is a failure instead of a skip.
#define NSBENCH_REQUIRE_ROOT()                                           \
  do {                                                                   \
    if (geteuid() != 0) {                                                \
      if (::nsbench::testing::running_in_ci())                           \
        FAIL() << "CI must run as root";                                 \
      GTEST_SKIP() << "needs root (CAP_SYS_ADMIN) to create namespaces"; \
    }                                                                    \
  } while (0)
