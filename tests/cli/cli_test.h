// What every end-to-end test of the nsbench binary needs: the binary's path, the subprocess
// runner, the /proc readers and a way to require the reference tools a test compares against.
#pragma once

#include <optional>
#include <string>

#include "command_runner.h"
#include "process_inspection.h"
#include "support.h"

namespace nsbench::testing {

// The binary under test, built by this tree (see tests/CMakeLists.txt).
inline const std::string kNsbench = NSBENCH_BINARY;

}  // namespace nsbench::testing

// Declares `variable` as the path of `program`; skips the test when it is missing, except in CI,
// where every tool is installed and a missing one is a failure.
#define NSBENCH_REQUIRE_TOOL(variable, program, package)                                 \
  const std::optional<std::string> variable = ::nsbench::testing::find_program(program); \
  do {                                                                                   \
    if (!variable) {                                                                     \
      if (::nsbench::testing::running_in_ci())                                           \
        FAIL() << program " is missing in CI";                                           \
      GTEST_SKIP() << "needs " program " (apt-get install " package ")";                 \
    }                                                                                    \
  } while (0)
