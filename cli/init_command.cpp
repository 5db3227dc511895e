// `nsbench init`: a PID-1 init for containers and new PID namespaces.
#include <memory>

#include "cli/exit_codes.h"
#include "cli/subcommand.h"
#include "engine/init.h"

namespace nsbench::cli {

Subcommand init_subcommand() {
  return {"init", "Run a program under a minimal init: forward signals, reap zombies",
          [](CLI::App& app) -> Action {
            auto to_group = std::make_shared<bool>(false);
            app.add_flag("-g,--process-group", *to_group,
                         "forward signals to the program's whole process group, as tini -g does");
            app.prefix_command();
            app.footer("Usage: nsbench init [-g] -- PROGRAM [ARGS...]");
            return [&app, to_group](const std::vector<std::string>& after_dash) {
              const std::vector<std::string> command =
                  command_from_remaining(app, after_dash, false);
              if (command.empty()) {
                print_error("init", "no program given: nsbench init -- PROGRAM [ARGS...]");
                return usage_exit_code();
              }
              return engine::run_init(
                  command, *to_group ? engine::ForwardTo::process_group : engine::ForwardTo::child);
            };
          }};
}

}  // namespace nsbench::cli
