// Checks a text exposition with promtool, the reference parser and linter of the Prometheus
// project.
#pragma once

#include <string>

#include <gtest/gtest.h>

#include "process_helpers.h"

namespace nsbench::testing {

// promtool reads the exposition from stdin; exit code 0 means it parsed and passed the lint.
inline ::testing::AssertionResult passes_promtool_check_metrics(const std::string& promtool,
                                                                const std::string& exposition) {
  const ProcessResult result = run_process({promtool, "check", "metrics"}, exposition);
  if (result.exit_code == 0)
    return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << "promtool check metrics exited " << result.exit_code << ":\n"
         << result.output << "\n--- exposition ---\n"
         << exposition;
}

}  // namespace nsbench::testing
