// `nsbench enter`: run a program in the namespaces of another process, with nsenter's options.
#include <sys/stat.h>
#include <sys/types.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>
#include <utility>

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/lsan_interface.h>
#endif

#include "cli/exec_flags.h"
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
  bool all = false;
  bool no_fork = false;
  bool preserve_credentials = false;
  bool root_given = false;
  std::string root;                            // empty for a bare -r: the target's root
  std::string working_directory_in_namespace;  // -W/--wdns
  ExecFlags exec;
};

std::string target_path(pid_t target, const std::string& entry) {
  return "/proc/" + std::to_string(target) + "/" + entry;
}

// --all: every namespace of the target the caller does not already share (joining one's own
// user namespace is an error, and joining an identical namespace is pointless). A namespace of
// the target that cannot be looked at is an error: skipping it would run the command in the
// caller's own namespaces as if all had gone well.
Result<engine::NamespaceSet> namespaces_not_shared_with(pid_t target) {
  engine::NamespaceSet differing;
  for (engine::NamespaceType type : engine::kAllNamespaceTypes) {
    struct stat mine {};
    struct stat theirs {};
    const std::string name(engine::name(type));
    if (stat(("/proc/self/ns/" + name).c_str(), &mine) != 0)
      continue;  // a type this kernel lacks
    const std::string path = target_path(target, "ns/" + name);
    if (stat(path.c_str(), &theirs) != 0) {
      return system_error("look at the namespaces of process " + std::to_string(target), path,
                          errno == ENOENT ? "the target process has exited" : "");
    }
    if (mine.st_ino != theirs.st_ino || mine.st_dev != theirs.st_dev)
      differing.add(type);
  }
  return differing;
}

// The root, working directory and credentials of the command, resolved before any namespace is
// joined: after a mount namespace is joined, paths mean something else.
Result<engine::ExecEnvironment> exec_environment(const EnterOptions& options,
                                                 engine::NamespaceSet requested) {
  const bool joins_user = requested.contains(engine::NamespaceType::user);
  const std::string target_cwd = options.target > 0 ? target_path(options.target, "cwd") : "";
  auto environment = options.exec.environment(target_cwd);
  if (!environment)
    return environment;
  if (!options.working_directory_in_namespace.empty()) {
    if (environment->working_directory)
      return plain_error("--wdns", "", "give either -w/--wd or -W/--wdns, not both");
    environment->working_directory_path = options.working_directory_in_namespace;
  }
  if (options.root_given) {
    const bool bare = options.root.empty();
    if (bare && options.target <= 0)
      return plain_error("--root", "", "give -t PID or --root=DIR");
    auto root =
        engine::DirectoryHandle::open(bare ? target_path(options.target, "root") : options.root);
    if (!root)
      return std::unexpected(root.error());
    environment->root.emplace(std::move(*root));
    // As nsenter does: without -w the command stays in the caller's working directory, which
    // the descriptor reaches even where the new root would not -- unless a mount namespace is
    // joined, which moves it to that namespace's root, a directory of the caller's mounts being
    // no place to leave a command that is meant to see only the target's.
    if (!environment->working_directory && environment->working_directory_path.empty() &&
        !requested.contains(engine::NamespaceType::mnt)) {
      auto current = engine::DirectoryHandle::open(".");
      if (!current)
        return std::unexpected(current.error());
      environment->working_directory.emplace(std::move(*current));
    }
  }
  // Entering a user namespace leaves the caller's IDs unmapped there; like nsenter, become root
  // of that namespace unless asked to keep the credentials.
  if (joins_user && !options.preserve_credentials) {
    if (!environment->gid)
      environment->gid = 0;
    if (!environment->uid)
      environment->uid = 0;
  }
  return environment;
}

// Joins what was asked: every type without "=FILE" from the target's pidfd in one step when
// possible; when any file was given, every namespace by file, all opened before the first join.
Result<> join_requested(const EnterOptions& options, engine::NamespaceSet requested) {
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

int enter(const EnterOptions& options, const std::vector<std::string>& command) {
  engine::NamespaceSet requested = options.namespaces.requested();
  if (options.all) {
    if (options.target <= 0) {
      print_error("enter", "--all needs a target: -t PID");
      return usage_exit_code();
    }
    auto differing = namespaces_not_shared_with(options.target);
    if (!differing) {
      print_error("enter", differing.error());
      return kExitFailure;
    }
    for (engine::NamespaceType type : engine::kAllNamespaceTypes) {
      if (differing->contains(type))
        requested.add(type);
    }
  }
  // nsenter runs the command even with no namespace to enter (in the target's root or working
  // directory with -r or -w); as `nsbench enter` with nothing at all to do, it is likelier a slip.
  const bool something_to_do = !requested.empty() || options.all || options.root_given ||
                               options.exec.any_given() ||
                               !options.working_directory_in_namespace.empty();
  if (!something_to_do && !util_linux_exit_codes()) {
    print_error("enter",
                "nothing to do: give a namespace (-a -m -u -i -n -p -U -C -T), or -r or -w");
    return usage_exit_code();
  }

  auto environment = exec_environment(options, requested);
  if (!environment) {
    print_error("enter", environment.error());
    return exit_code_for(environment.error());
  }
#if defined(__SANITIZE_ADDRESS__)
  // LeakSanitizer inspects the process from a forked tracer through /proc, which stops working
  // once this process has joined another PID and mount namespace: check for leaks now instead of
  // at exit (the exit-time check is then skipped).
  __lsan_do_leak_check();
#endif
  if (auto joined = join_requested(options, requested); !joined) {
    print_error("enter", joined.error());
    return exit_code_for(joined.error());
  }

  // A joined PID namespace holds only processes created afterwards, so by default the command
  // runs in a child, which nsbench waits for; with --no-fork nsbench becomes the command.
  if (options.no_fork) {
    if (auto applied = engine::apply(*environment); !applied) {
      print_error("enter", applied.error());
      return kExitFailure;
    }
    return exec_in_place("enter", command);
  }
  engine::SpawnOptions spawn;
  auto shared = std::make_shared<engine::ExecEnvironment>(std::move(*environment));
  if (!shared->empty())
    spawn.prepare_in_child = [shared] { return engine::apply(*shared); };
  return run_and_wait("enter", spawn, command);
}

}  // namespace

int enter_main(const std::vector<std::string>& arguments) {
  EnterOptions options;
  OptionTable table;
  table.push_back({'t', "target", Value::required, "PID", "the process whose namespaces to enter",
                   [&options](const char* value) {
                     long long pid = 0;
                     if (!take_whole_number(value, 1, 4194304, pid).empty())
                       return "'" + std::string(value) + "' is not a process ID";
                     options.target = static_cast<pid_t>(pid);
                     return std::string();
                   }});
  options.namespaces.declare(table, "enter", true);
  table.push_back({'a', "all", Value::none, "",
                   "enter every namespace of the target that differs from ours",
                   [&options](const char*) {
                     options.all = true;
                     return std::string();
                   }});
  table.push_back({'r', "root", Value::optional, "DIR",
                   "root directory of the program (default: the target's)",
                   [&options](const char* value) {
                     options.root_given = true;
                     options.root = value != nullptr ? value : "";
                     return std::string();
                   }});
  options.exec.declare(table, ExecFlags::WorkingDirectory::optional_value);
  table.push_back({'W', "wdns", Value::required, "DIR",
                   "working directory of the program, as a path in the namespaces entered",
                   [&options](const char* value) {
                     options.working_directory_in_namespace = value;
                     return std::string();
                   }});
  table.push_back({'F', "no-fork", Value::none, "", "do not fork before running the program",
                   [&options](const char*) {
                     options.no_fork = true;
                     return std::string();
                   }});
  table.push_back({0, "preserve-credentials", Value::none, "",
                   "keep the user and group IDs when entering a user namespace",
                   [&options](const char*) {
                     options.preserve_credentials = true;
                     return std::string();
                   }});

  ParsedCommandLine parsed;
  if (auto exit = parse_or_exit(
          "enter", table, "Usage: nsbench enter [options] [PROGRAM [ARGS...]]",
          "Run a program in the namespaces of another process, with nsenter's options.\n"
          "The program and its arguments follow the options; default: $SHELL.",
          arguments, parsed)) {
    return *exit;
  }
  return enter(options, command_or_shell(std::move(parsed.command)));
}

}  // namespace nsbench::cli
