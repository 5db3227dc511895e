// `nsbench unshare`: run a program in new namespaces, with util-linux unshare's options.
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>

#include "cli/exit_codes.h"
#include "cli/namespace_flags.h"
#include "cli/subcommand.h"
#include "engine/nesting.h"
#include "engine/spawn.h"

namespace nsbench::cli {

namespace {

struct UnshareOptions {
  NamespaceFlags namespaces;
  bool fork = false;
  bool mount_proc = false;
  bool init = false;
  int nest = 0;
  std::string hostname;
  int64_t monotonic_offset = 0;
  int64_t boottime_offset = 0;
};

// --nest: PID namespaces (with -U, user namespaces too) nested N deep, the command at the bottom.
int run_nested(const UnshareOptions& options, const std::vector<std::string>& command) {
  const engine::NamespaceSet requested = options.namespaces.requested();
  engine::NamespaceSet allowed =
      engine::NamespaceSet::of({engine::NamespaceType::pid, engine::NamespaceType::user});
  for (engine::NamespaceType type : engine::kAllNamespaceTypes) {
    if (requested.contains(type) && !allowed.contains(type)) {
      print_error("unshare", "--nest combines only with -p and -U, not with --" +
                                 std::string(engine::name(type)));
      return kExitUsage;
    }
  }
  auto run = engine::run_nested(
      engine::NestOptions{options.nest, requested.contains(engine::NamespaceType::user)}, command);
  if (!run) {
    print_error("unshare", run.error());
    return kExitFailure;
  }
  print_error("unshare", "nesting depth reached: " + std::to_string(run->depth_reached));
  return run->exit_status;
}

int exec_in_place(const std::vector<std::string>& command) {
  const int exit_code = engine::execute(command);
  print_error("unshare", "failed to execute " + command[0] + ": " + std::strerror(errno));
  return exit_code;
}

// Without --fork the namespaces are unshared by nsbench itself, which then becomes the command;
// new PID and time namespaces then apply only to the command's children, as with util-linux.
int unshare_and_exec(const engine::SpawnOptions& spawn, const std::vector<std::string>& command) {
  if (auto prepared = engine::unshare_and_prepare(spawn); !prepared) {
    print_error("unshare", prepared.error());
    return kExitFailure;
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
        app.add_option("--hostname", options->hostname, "host name in the new UTS namespace");
        app.add_option("--monotonic", options->monotonic_offset,
                       "CLOCK_MONOTONIC offset in seconds in the new time namespace");
        app.add_option("--boottime", options->boottime_offset,
                       "CLOCK_BOOTTIME offset in seconds in the new time namespace");
        app.add_option("--nest", options->nest,
                       "run the program N PID namespaces deep (with -U, each level also gets a "
                       "user namespace); the kernel allows 32")
            ->check(CLI::Range(1, 1000));
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

          if (options->nest > 0) {
            if (options->mount_proc || options->init) {
              print_error("unshare", "--nest does not combine with --mount-proc or --init");
              return kExitUsage;
            }
            return run_nested(*options, command);
          }

          engine::SpawnOptions spawn;
          spawn.namespaces = options->namespaces.requested();
          spawn.mount_proc = options->mount_proc;
          spawn.init = options->init;
          spawn.hostname = options->hostname;
          spawn.clock_offsets = {options->monotonic_offset, options->boottime_offset};
          if (spawn.mount_proc)
            spawn.namespaces.add(engine::NamespaceType::mnt);

          if (options->fork || options->init)
            return run_and_wait("unshare", spawn, command);
          return unshare_and_exec(spawn, command);
        };
      }};
}

}  // namespace nsbench::cli
