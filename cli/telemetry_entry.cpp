// The entry point of the nsbench-telemetry module (see telemetry_module.h).
#include "cli/telemetry_module.h"

extern "C" __attribute__((visibility("default"))) void nsbench_telemetry_subcommands(
    std::vector<nsbench::cli::Subcommand>* out) {
  out->push_back(nsbench::cli::run_subcommand());
  out->push_back(nsbench::cli::trace_subcommand());
  out->push_back(nsbench::cli::overhead_subcommand());
}
