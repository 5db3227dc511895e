// `nsbench unshare`: run a program in new namespaces, with util-linux unshare's options.
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>

#include "cli/exit_codes.h"
#include "cli/namespace_flags.h"
#include "cli/subcommand.h"
#include "engine/mounts.h"
#include "engine/spawn.h"

namespace nsbench::cli {

namespace {

struct UnshareOptions {
  NamespaceFlags namespaces;
  bool fork = false;
  bool mount_proc = false;
  bool init = false;
};

int exec_in_place(const std::vector<std::string>& command) {
  const int exit_code = engine::execute(command);
  print_error("unshare", "failed to execute " + command[0] + ": " + std::strerror(errno));
  return exit_code;
}

// Without --fork the namespaces are unshared by nsbench itself, which then becomes the command;
// new PID and time namespaces then apply only to the command's children, as with util-linux.
int unshare_and_exec(const engine::SpawnOptions& spawn, const std::vector<std::string>& command) {
  if (auto unshared = engine::unshare_namespaces(spawn.namespaces); !unshared) {
    print_error("unshare", unshared.error());
    return kExitFailure;
  }
  if (spawn.namespaces.contains(engine::NamespaceType::mnt)) {
    if (auto made = engine::make_mounts_private(); !made) {
      print_error("unshare", made.error());
      return kExitFailure;
    }
  }
  if (spawn.mount_proc) {
    if (auto mounted = engine::mount_proc("/proc"); !mounted) {
      print_error("unshare", mounted.error());
      return kExitFailure;
    }
  }
  return exec_in_place(command);
}

}  // namespace

Subcommand unshare_subcommand() {
  return {
      "unshare", "Run a program in new namespaces (util-linux unshare's options)",
      [](CLI::App& app) -> Action {
        auto options = std::make_shared<UnshareOptions>();
        app.prefix_command();
        options->namespaces.declare(app, "unshare");
        app.add_flag("-f,--fork", options->fork, "fork before running the program");
        app.add_flag("--mount-proc", options->mount_proc, "mount a fresh /proc (implies --mount)");
        app.add_flag("--init", options->init,
                     "run the program under a PID-1 init that reaps zombies and forwards "
                     "signals (implies --fork)");
        app.footer("The program and its arguments follow the options; default: $SHELL.");

        return [options, &app](const std::vector<std::string>& after_dash) {
          const std::vector<std::string> command = command_from_remaining(app, after_dash, true);
          for (engine::NamespaceType type : engine::kAllNamespaceTypes) {
            if (options->namespaces.file(type)) {
              print_error("unshare", "keeping a namespace in a file (--" +
                                         std::string(engine::name(type)) +
                                         "=FILE) is not supported yet");
              return kExitUsage;
            }
          }

          engine::SpawnOptions spawn;
          spawn.namespaces = options->namespaces.requested();
          spawn.mount_proc = options->mount_proc;
          spawn.init = options->init;
          if (spawn.mount_proc)
            spawn.namespaces.add(engine::NamespaceType::mnt);

          if (options->fork || options->init)
            return run_and_wait("unshare", spawn, command);
          return unshare_and_exec(spawn, command);
        };
      }};
}

}  // namespace nsbench::cli
