// `nsbench init`: a PID-1 init for containers and new PID namespaces.
#include "cli/exit_codes.h"
#include "cli/subcommand.h"
#include "engine/init.h"

namespace nsbench::cli {

int init_main(const std::vector<std::string>& arguments) {
  bool to_group = false;
  const OptionTable table = {
      {'g', "process-group", Value::none, "",
       "forward signals to the program's whole process group, as tini -g does",
       [&to_group](const char*) {
         to_group = true;
         return std::string();
       }},
  };
  ParsedCommandLine parsed;
  if (auto exit =
          parse_or_exit("init", table, "Usage: nsbench init [-g] [--] PROGRAM [ARGS...]",
                        "Run a program under a minimal init: forward signals, reap zombies.",
                        arguments, parsed)) {
    return *exit;
  }
  if (parsed.command.empty()) {
    print_error("init", "no program given: nsbench init -- PROGRAM [ARGS...]");
    return usage_exit_code();
  }
  return engine::run_init(parsed.command,
                          to_group ? engine::ForwardTo::process_group : engine::ForwardTo::child);
}

}  // namespace nsbench::cli
