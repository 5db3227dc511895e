// What every end-to-end test of the nsbench binary needs: the binary's path, the subprocess
// runner and the /proc readers; support.h has the root and program requirements.
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
