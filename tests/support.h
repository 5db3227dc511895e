// Helpers shared by the test folders.
#pragma once

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <optional>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

namespace nsbench::testing {

// CI runs as root and must run every privileged test; elsewhere a test that needs a capability
// skips with the reason.
inline bool running_in_ci() {
  const char* ci = std::getenv("CI");
  return ci != nullptr && std::string(ci) != "" && std::string(ci) != "false";
}

// The absolute path of `program` found in PATH, as a shell would run it.
inline std::optional<std::string> find_program(const std::string& program) {
  const char* path = std::getenv("PATH");
  std::istringstream directories(path != nullptr ? path : "/usr/bin:/bin");
  for (std::string directory; std::getline(directories, directory, ':');) {
    const std::filesystem::path candidate = std::filesystem::path(directory) / program;
    if (access(candidate.c_str(), X_OK) == 0)
      return candidate.string();
  }
  return std::nullopt;
}

}  // namespace nsbench::testing

// Declares `variable` as the path of `program`. CI installs every tool, so there a missing one
// fails the test; elsewhere the test skips, naming the Debian package to install.
#define NSBENCH_REQUIRE_PROGRAM(variable, program, package)                              \
  const std::optional<std::string> variable = ::nsbench::testing::find_program(program); \
  do {                                                                                   \
    if (!variable) {                                                                     \
      if (::nsbench::testing::running_in_ci())                                           \
        FAIL() << program " is missing in CI";                                           \
      GTEST_SKIP() << "needs " program " (apt-get install " package ")";                 \
    }                                                                                    \
  } while (0)

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
