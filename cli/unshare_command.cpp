// `nsbench unshare`: run a program in new namespaces, with util-linux unshare's options.
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>

#include "cli/exec_flags.h"
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
  std::string root;
  ExecFlags exec;
  CLI::Option* kill_child_option = nullptr;
  std::string kill_child_signal;
  std::string propagation = "private";
};

// Everything the command line asks of the child, as the engine takes it.
Result<engine::SpawnOptions> spawn_options_from(const UnshareOptions& options) {
  for (engine::NamespaceType type : engine::kAllNamespaceTypes) {
    if (options.namespaces.file(type)) {
      return plain_error("--" + std::string(engine::name(type)) + "=FILE", "",
                         "keeping a namespace in a file is not supported yet");
    }
  }

  engine::SpawnOptions spawn;
  spawn.namespaces = options.namespaces.requested();
  spawn.mount_proc = options.mount_proc;
  if (spawn.mount_proc)
    spawn.namespaces.add(engine::NamespaceType::mnt);
  spawn.init = options.init;
  spawn.hostname = options.hostname;
  spawn.clock_offsets = {options.monotonic_offset, options.boottime_offset};
  spawn.propagation = *engine::propagation_from_name(options.propagation);

  auto environment = options.exec.environment({});
  if (!environment)
    return std::unexpected(environment.error());
  if (!options.root.empty()) {
    auto root = engine::DirectoryHandle::open(options.root);
    if (!root)
      return std::unexpected(root.error());
    environment->root.emplace(std::move(*root));
  }
  if (options.kill_child_option->count() > 0) {
    const std::string& name = options.kill_child_signal;
    const auto signal_number =
        parse_signal(name.empty() || name == ExecFlags::kNoValue ? "KILL" : name);
    if (!signal_number)
      return plain_error("--kill-child", name, "not a signal name or number");
    environment->parent_death_signal = *signal_number;
  }
  if (!environment->empty()) {
    auto shared = std::make_shared<engine::ExecEnvironment>(std::move(*environment));
    spawn.prepare_in_child = [shared] { return engine::apply(*shared); };
  }
  return spawn;
}

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
        app.add_option("-R,--root", options->root, "run the program with this root directory");
        options->exec.declare(app, ExecFlags::WorkingDirectory::required_value);
        options->kill_child_option = app.add_flag(
            std::string("--kill-child{") + ExecFlags::kNoValue + "}", options->kill_child_signal,
            "kill the program with SIGNAL (default KILL) when nsbench dies (implies --fork)");
        app.add_option("--propagation", options->propagation,
                       "mount propagation in the new mount namespace")
            ->check(CLI::IsMember({"private", "slave", "shared", "unchanged"}))
            ->capture_default_str();
        app.footer("The program and its arguments follow the options; default: $SHELL.");

        return [options, &app](const std::vector<std::string>& after_dash) {
          const std::vector<std::string> command = command_from_remaining(app, after_dash, true);
          if (options->nest > 0) {
            if (options->mount_proc || options->init) {
              print_error("unshare", "--nest does not combine with --mount-proc or --init");
              return kExitUsage;
            }
            return run_nested(*options, command);
          }

          auto spawn = spawn_options_from(*options);
          if (!spawn) {
            print_error("unshare", spawn.error());
            return spawn.error().error_number == 0 ? kExitUsage : kExitFailure;
          }
          const bool fork = options->fork || options->init || options->kill_child_option->count();
          if (fork)
            return run_and_wait("unshare", *spawn, command);
          return unshare_and_exec(*spawn, command);
        };
      }};
}

}  // namespace nsbench::cli
