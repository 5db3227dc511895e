// `nsbench run`: the main job. Wired to the benchmarks, probes and exporter below.
#include "cli/exit_codes.h"
#include "cli/subcommand.h"

namespace nsbench::cli {

Subcommand run_subcommand() {
  return {"run", "Attach the probes, run every benchmark scenario and report",
          [](CLI::App&) -> Action {
            return [](const std::vector<std::string>&) {
              print_error("run", "not wired yet");
              return kExitFailure;
            };
          }};
}

}  // namespace nsbench::cli
