// nsbench-telemetry: the subcommands of nsbench that attach probes, run benchmarks and export
// metrics (run, trace, overhead). Started by `nsbench`; see telemetry_launcher.h.
#include <stdlib.h>

#include <string>
#include <vector>

#include "bench/tool_comparison.h"
#include "cli/command_line.h"
#include "cli/subcommand.h"
#include "cli/telemetry_launcher.h"

int main(int argc, char** argv) {
  // The nsbench executable that started us, which the benchmarks of `nsbench unshare` run.
  if (const char* nsbench = getenv(nsbench::cli::kNsbenchExecutableVariable))
    nsbench::bench::set_nsbench_binary(nsbench);
  return nsbench::cli::run_command_line(
      {nsbench::cli::run_subcommand(), nsbench::cli::trace_subcommand(),
       nsbench::cli::overhead_subcommand()},
      std::vector<std::string>(argv, argv + argc));
}
