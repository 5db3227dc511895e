// `nsbench enter`: run a program in the namespaces of another process, with nsenter's options.
#include <sys/types.h>

#include <memory>

#include "cli/exit_codes.h"
#include "cli/namespace_flags.h"
#include "cli/subcommand.h"
#include "engine/join.h"
#include "engine/spawn.h"

namespace nsbench::cli {

namespace {

struct EnterOptions {
  NamespaceFlags namespaces;
  pid_t target = 0;
};

// Joins what was asked: every type without "=FILE" from the target's pidfd in one step when
// possible; when any file was given, every namespace by file, all opened before the first join.
Result<> join_requested(const EnterOptions& options) {
  const engine::NamespaceSet requested = options.namespaces.requested();
  std::vector<std::pair<engine::NamespaceType, std::string>> files;
  bool any_file = false;
  for (engine::NamespaceType type : engine::kAllNamespaceTypes) {
    if (!requested.contains(type))
      continue;
    if (auto file = options.namespaces.file(type)) {
      files.emplace_back(type, *file);
      any_file = true;
    } else if (options.target > 0) {
      files.emplace_back(type, "/proc/" + std::to_string(options.target) + "/ns/" +
                                   std::string(engine::name(type)));
    } else {
      return plain_error("no target for the " + std::string(engine::name(type)) + " namespace", "",
                         "give -t PID or --" + std::string(engine::name(type)) + "=FILE");
    }
  }
  if (!any_file)
    return engine::join_namespaces(options.target, requested);
  return engine::join_namespace_files(files);
}

}  // namespace

Subcommand enter_subcommand() {
  return {"enter", "Run a program in the namespaces of another process (nsenter's options)",
          [](CLI::App& app) -> Action {
            auto options = std::make_shared<EnterOptions>();
            app.prefix_command();
            app.add_option("-t,--target", options->target, "the process whose namespaces to enter")
                ->check(CLI::Validator(
                    [](const std::string& text) -> std::string {
                      pid_t pid = 0;
                      const bool parsed = CLI::detail::lexical_cast(text, pid);
                      return parsed && pid > 0 ? "" : "'" + text + "' is not a process ID";
                    },
                    "PID"));
            options->namespaces.declare(app, "enter");
            app.footer("The program and its arguments follow the options; default: $SHELL.");

            return [options, &app](const std::vector<std::string>& after_dash) {
              const std::vector<std::string> command =
                  command_from_remaining(app, after_dash, true);
              if (options->namespaces.requested().empty()) {
                print_error("enter",
                            "no namespace to enter: give at least one of -m -u -i -n -p "
                            "-U -C -T");
                return kExitUsage;
              }
              if (auto joined = join_requested(*options); !joined) {
                print_error("enter", joined.error());
                return joined.error().error_number == 0 ? kExitUsage : kExitFailure;
              }

              // A joined PID namespace holds only processes created afterwards, so the command
              // always runs in a child, which nsbench waits for.
              return run_and_wait("enter", engine::SpawnOptions{}, command);
            };
          }};
}

}  // namespace nsbench::cli
