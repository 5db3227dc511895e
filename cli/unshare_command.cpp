// `nsbench unshare`: run a program in new namespaces, with util-linux unshare's options.
#include <fcntl.h>
#include <net/if.h>
#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdint>
#include <cstring>
#include <functional>
#include <memory>
#include <optional>
#include <utility>

#include "cli/exec_flags.h"
#include "cli/exit_codes.h"
#include "cli/namespace_flags.h"
#include "cli/subcommand.h"
#include "common/numbered_entries.h"
#include "engine/namespace_files.h"
#include "engine/nesting.h"
#include "engine/network_namespace.h"
#include "engine/spawn.h"
#include "engine/user_namespace.h"

namespace nsbench::cli {

namespace {

struct UnshareOptions {
  NamespaceFlags namespaces;
  bool fork = false;
  bool mount_proc = false;
  std::string mount_proc_directory;  // DIR, or empty for /proc
  bool init = false;
  int nest = 0;
  std::string hostname;
  int64_t monotonic_offset = 0;
  int64_t boottime_offset = 0;
  std::string root;
  ExecFlags exec;
  bool kill_child = false;
  std::string kill_child_signal;  // empty for KILL
  std::string propagation = "private";
  bool map_root_user = false;
  bool map_current_user = false;
  std::string map_user;
  std::string map_group;
  std::vector<std::string> map_users;
  std::vector<std::string> map_groups;
  std::string setgroups;
  std::string veth;
  // The pair a --veth command made, recorded once it exists: its namespace by inode, and the host
  // end by interface index, which the kernel does not reuse soon, unlike a name.
  struct CreatedVeth {
    ino_t namespace_inode = 0;
    std::string host_interface;
    unsigned host_index = 0;
  };
  std::shared_ptr<CreatedVeth> created_veth = std::make_shared<CreatedVeth>();
};

// An ID given by number or, for --map-user/--map-group, by name.
Result<uint32_t> parse_id(const std::string& text, bool group) {
  uint32_t id = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (error == std::errc() && end == text.data() + text.size() && !text.empty()) {
    // (uid_t)-1: the kernel maps no such ID, and refuses the map.
    if (id == 4294967295U) {
      return plain_error(group ? "--map-group" : "--map-user", text,
                         "not a valid ID (the kernel reads it as \"unchanged\")");
    }
    return id;
  }
  if (group) {
    if (const struct group* entry = getgrnam(text.c_str()))
      return entry->gr_gid;
  } else if (const struct passwd* entry = getpwnam(text.c_str())) {
    return entry->pw_uid;
  }
  return plain_error(group ? "--map-group" : "--map-user", text, "no such name or number");
}

// A --map-users/--map-groups range: "INNER:OUTER:COUNT", or util-linux 2.38's older
// "OUTER,INNER,COUNT", so that scripts written for either run unchanged.
Result<engine::IdRange> parse_range(std::string text) {
  if (std::count(text.begin(), text.end(), ',') == 2) {
    const size_t first = text.find(',');
    const size_t second = text.find(',', first + 1);
    text = text.substr(first + 1, second - first - 1) + ":" + text.substr(0, first) + ":" +
           text.substr(second + 1);
  }
  return engine::parse_id_range(text);
}

// The user namespace ID maps asked for by -r, -c, --map-user/group, --map-users/groups and
// --setgroups; built here, in the process that writes them, because the kernel judges a map by
// its writer's credentials.
Result<engine::IdMapping> id_mapping_from(const UnshareOptions& options) {
  engine::IdMapping mapping;
  if (options.map_root_user)
    mapping = engine::map_root_user();
  if (options.map_current_user)
    mapping = engine::map_current_user();
  if (!options.map_user.empty()) {
    auto id = parse_id(options.map_user, false);
    if (!id)
      return std::unexpected(id.error());
    mapping.uids = {engine::caller_uid_as(*id)};
    mapping.setgroups = engine::Setgroups::deny;
  }
  if (!options.map_group.empty()) {
    auto id = parse_id(options.map_group, true);
    if (!id)
      return std::unexpected(id.error());
    mapping.gids = {engine::caller_gid_as(*id)};
    mapping.setgroups = engine::Setgroups::deny;
  }
  for (const std::string& text : options.map_users) {
    auto range = parse_range(text);
    if (!range)
      return std::unexpected(range.error());
    mapping.uids.push_back(*range);
  }
  for (const std::string& text : options.map_groups) {
    auto range = parse_range(text);
    if (!range)
      return std::unexpected(range.error());
    mapping.gids.push_back(*range);
  }
  if (auto checked = engine::check_id_ranges(mapping.uids, "uid_map"); !checked)
    return std::unexpected(checked.error());
  if (auto checked = engine::check_id_ranges(mapping.gids, "gid_map"); !checked)
    return std::unexpected(checked.error());
  if (options.setgroups == "allow")
    mapping.setgroups = engine::Setgroups::allow;
  if (options.setgroups == "deny")
    mapping.setgroups = engine::Setgroups::deny;
  return mapping;
}

// Everything the command line asks of the child, as the engine takes it.
// The namespaces to keep in files: --net=FILE and the like.
std::vector<engine::NamespaceFile> namespace_files_from(const UnshareOptions& options) {
  std::vector<engine::NamespaceFile> files;
  for (engine::NamespaceType type : engine::kAllNamespaceTypes) {
    if (auto path = options.namespaces.file(type))
      files.push_back({type, *path});
  }
  return files;
}

bool forks(const UnshareOptions& options) {
  return options.fork || options.init || options.kill_child;
}

// A helper forked before nsbench unshares, so that it stays outside the new namespaces: some
// steps can only be taken from there, on nsbench's namespaces by its PID. Released once nsbench
// has unshared, it does its work, says why if it fails, and reports by its exit status. Dropped
// unreleased (nsbench failed first), it is killed and reaped with its pipe closed.
class HelperOutside {
 public:
  static Result<HelperOutside> start(std::function<Result<>(pid_t unsharer)> work) {
    int go[2];
    if (pipe2(go, O_CLOEXEC) != 0)
      return system_error("pipe2", "helper outside the namespaces");
    const pid_t unsharer = getpid();
    auto helper = engine::spawn_in_namespaces({}, [go, unsharer, &work] {
      close(go[1]);
      char byte = 0;
      if (read(go[0], &byte, 1) != 1)
        return 1;  // nsbench did not get as far as unsharing, and says why
      auto done = work(unsharer);
      if (!done)
        print_error("unshare", done.error());
      return done ? 0 : 1;
    });
    close(go[0]);
    if (!helper) {
      close(go[1]);
      return std::unexpected(helper.error());
    }
    return HelperOutside(std::move(*helper), go[1]);
  }

  HelperOutside(HelperOutside&& other) noexcept
      : process_(std::move(other.process_)), go_fd_(std::exchange(other.go_fd_, -1)) {}
  HelperOutside& operator=(HelperOutside&&) = delete;
  ~HelperOutside() {
    if (go_fd_ >= 0)
      close(go_fd_);
  }

  // Tells the helper nsbench has unshared and waits for it; its exit status.
  Result<int> release() {
    const char byte = 1;
    const bool told = write(go_fd_, &byte, 1) == 1;
    close(std::exchange(go_fd_, -1));
    if (!told)
      return system_error("signal the helper outside the namespaces");
    return process_.wait();
  }

 private:
  HelperOutside(engine::ChildProcess process, int go_fd)
      : process_(std::move(process)), go_fd_(go_fd) {}

  engine::ChildProcess process_;
  int go_fd_ = -1;  // write end of the pipe the helper waits on
};

// The step that has a helper outside the new user namespace write nsbench's ID maps, which only a
// process outside may do for IDs other than the caller's own.
Result<std::function<Result<>()>> map_writer_from_outside(const engine::IdMapping& mapping) {
  auto helper = HelperOutside::start(
      [mapping](pid_t unsharer) { return engine::write_id_maps(unsharer, mapping); });
  if (!helper)
    return std::unexpected(helper.error());
  auto shared = std::make_shared<HelperOutside>(std::move(*helper));
  return std::function<Result<>()>([shared]() -> Result<> {
    Result<int> status = shared->release();
    if (!status)
      return std::unexpected(status.error());
    if (*status != 0)
      return plain_error("write the ID maps", "user", "the helper that writes them failed");
    return {};
  });
}

// Whether any process is still in the network namespace with this inode.
bool network_namespace_in_use(ino_t inode) {
  bool in_use = false;
  for_each_numbered_entry("/proc", [inode, &in_use](const char* pid) {
    struct stat namespace_file {};
    if (stat((std::string("/proc/") + pid + "/ns/net").c_str(), &namespace_file) == 0 &&
        namespace_file.st_ino == inode) {
      in_use = true;
    }
  });
  return in_use;
}

// The kernel removes a veth pair with its namespace, but asynchronously, some milliseconds after
// the last process has left: the same command run again at once would find the host end still
// there. Once nothing is left in the namespace, nsbench deletes the host end itself. Processes the
// command left behind keep the namespace, and the pair, alive.
void remove_veth_with_its_namespace(const UnshareOptions& options) {
  const UnshareOptions::CreatedVeth& created = *options.created_veth;
  if (created.host_index == 0 || network_namespace_in_use(created.namespace_inode))
    return;
  // Only the interface nsbench made: by now the name may be gone, or even taken by another.
  if (if_nametoindex(created.host_interface.c_str()) != created.host_index)
    return;
  auto deleted = engine::delete_interface(created.host_interface);
  if (!deleted && deleted.error().error_number != ENODEV)
    print_error("unshare", deleted.error());
}

Result<engine::SpawnOptions> spawn_options_from(const UnshareOptions& options) {
  // What the parent does once the child exists, in order: ID maps first (the other steps act on
  // namespaces the new user namespace owns), then namespace files, then the veth pair.
  std::vector<std::function<Result<>(pid_t)>> parent_steps;

  engine::SpawnOptions spawn;
  spawn.namespaces = options.namespaces.requested();
  spawn.mount_proc = options.mount_proc;
  if (spawn.mount_proc) {
    spawn.namespaces.add(engine::NamespaceType::mnt);
    if (!options.mount_proc_directory.empty())
      spawn.proc_directory = options.mount_proc_directory;
  }
  spawn.init = options.init;
  spawn.hostname = options.hostname;
  spawn.clock_offsets = {options.monotonic_offset, options.boottime_offset};
  spawn.propagation = *engine::propagation_from_name(options.propagation);

  auto mapping = id_mapping_from(options);
  if (!mapping)
    return std::unexpected(mapping.error());
  // The ID map options create a user namespace of their own; --setgroups alone does not: it sets
  // what the new user namespace allows, and without one there is nothing to set it on.
  if (!options.setgroups.empty() && mapping->uids.empty() && mapping->gids.empty() &&
      !spawn.namespaces.contains(engine::NamespaceType::user)) {
    return plain_error("--setgroups", options.setgroups,
                       "applies to a new user namespace: add -U/--user");
  }
  // -r, -c and --map-group map the caller's single group, which the kernel accepts from an
  // unprivileged writer only once setgroups is denied: the two requests contradict each other.
  if (options.setgroups == "allow" &&
      (options.map_root_user || options.map_current_user || !options.map_group.empty())) {
    return plain_error("--setgroups", options.setgroups,
                       "cannot be combined with -r, -c or --map-group, which deny setgroups to "
                       "map the caller's group");
  }
  std::function<Result<>()> write_own_maps;
  if (!mapping->empty()) {
    spawn.namespaces.add(engine::NamespaceType::user);
    if (forks(options)) {
      parent_steps.push_back(
          [maps = *mapping](pid_t child) { return engine::write_id_maps(child, maps); });
    } else if (options.map_users.empty() && options.map_groups.empty()) {
      // Without a fork there is no parent: nsbench writes its own maps once it has unshared,
      // which the kernel allows for the caller's own IDs.
      write_own_maps = [maps = *mapping] { return engine::write_id_maps(getpid(), maps); };
    } else {
      // Ranges of other IDs may only be mapped from outside the new namespace.
      auto helper = map_writer_from_outside(*mapping);
      if (!helper)
        return std::unexpected(helper.error());
      write_own_maps = std::move(*helper);
    }
  }

  // With clock offsets the child makes its time namespace itself, after clone3 (offsets can be
  // set only before a process enters it), so a file bound from the parent as the child starts
  // would keep the old one. Refused until the binding can wait for the child.
  if (options.namespaces.file(engine::NamespaceType::time) && !spawn.clock_offsets.empty() &&
      forks(options)) {
    return plain_error("--time=FILE", *options.namespaces.file(engine::NamespaceType::time),
                       "with --monotonic or --boottime it works only without --fork");
  }
  if (auto checked = engine::check_namespace_files(namespace_files_from(options)); !checked)
    return std::unexpected(checked.error());
  if (const auto files = namespace_files_from(options); !files.empty() && forks(options)) {
    parent_steps.push_back([files](pid_t child) {
      return engine::bind_namespace_files(child, engine::NamespaceOf::process, files);
    });
  }

  std::optional<engine::VethSpec> veth;
  if (!options.veth.empty()) {
    auto parsed = engine::parse_veth_spec(options.veth);
    if (!parsed)
      return std::unexpected(parsed.error());
    if (!forks(options))
      return plain_error("--veth", "", "the host end is created by nsbench: add --fork");
    veth = *parsed;
    spawn.namespaces.add(engine::NamespaceType::net);
    parent_steps.push_back([spec = *veth, created = options.created_veth](pid_t child) -> Result<> {
      struct stat namespace_file {};
      if (stat(("/proc/" + std::to_string(child) + "/ns/net").c_str(), &namespace_file) != 0)
        return system_error("stat", "/proc/" + std::to_string(child) + "/ns/net");
      Result<> made = engine::create_veth_pair(spec, child);
      if (made) {
        created->namespace_inode = namespace_file.st_ino;
        created->host_interface = spec.host_interface;
        created->host_index = if_nametoindex(spec.host_interface.c_str());
      }
      return made;
    });
  }
  if (!parent_steps.empty()) {
    spawn.prepare_from_parent = [parent_steps](pid_t child) -> Result<> {
      for (const auto& step : parent_steps) {
        if (auto done = step(child); !done)
          return done;
      }
      return {};
    };
  }
  const bool new_network = spawn.namespaces.contains(engine::NamespaceType::net);
  // Loaded before the child exists: a missing library is reported before any namespace is made,
  // and the child, which brings the network up, has nothing left to load.
  if (new_network) {
    if (auto loaded = engine::load_network_library(); !loaded)
      return std::unexpected(loaded.error());
  }

  auto environment = options.exec.environment({});
  if (!environment)
    return std::unexpected(environment.error());
  if (!options.root.empty()) {
    auto root = engine::DirectoryHandle::open(options.root);
    if (!root)
      return std::unexpected(root.error());
    environment->root.emplace(std::move(*root));
  }
  if (options.kill_child) {
    const std::string& name = options.kill_child_signal;
    const auto signal_number = parse_signal(name.empty() ? "KILL" : name);
    if (!signal_number)
      return plain_error("--kill-child", name, "not a signal name or number");
    environment->parent_death_signal = *signal_number;
  }
  auto shared = std::make_shared<engine::ExecEnvironment>(std::move(*environment));
  // Steps inside the new namespaces, in order: ID maps first (they grant the capabilities the
  // rest needs), then the network, then the command's own process settings.
  spawn.prepare_in_child = [shared, write_own_maps, new_network, veth]() -> Result<> {
    if (write_own_maps) {
      if (auto written = write_own_maps(); !written)
        return written;
    }
    if (new_network) {
      if (auto up = engine::bring_up_loopback(); !up)
        return up;
    }
    if (veth) {
      if (auto configured = engine::configure_namespace_end(*veth); !configured)
        return configured;
    }
    return engine::apply(*shared);
  };
  return spawn;
}

// --nest: PID namespaces (with -U, user namespaces too) nested N deep, the command at the bottom.
int run_nested(const UnshareOptions& options, const std::vector<std::string>& command) {
  // Each level is set up by the engine's nesting alone; an option it would not apply is refused
  // rather than silently dropped.
  bool has_namespace_file = false;
  for (engine::NamespaceType type : engine::kAllNamespaceTypes)
    has_namespace_file = has_namespace_file || options.namespaces.file(type).has_value();
  const std::pair<bool, const char*> unsupported[] = {
      {options.mount_proc, "--mount-proc"},
      {options.init, "--init"},
      {!options.veth.empty(), "--veth"},
      {!options.root.empty(), "--root"},
      {options.exec.any_given(), "--setuid, --setgid or --wd"},
      {!options.hostname.empty(), "--hostname"},
      {options.monotonic_offset != 0 || options.boottime_offset != 0, "--monotonic or --boottime"},
      {options.kill_child, "--kill-child"},
      {options.map_root_user || options.map_current_user || !options.map_user.empty() ||
           !options.map_group.empty() || !options.map_users.empty() || !options.map_groups.empty(),
       "ID mappings (each level maps the caller's own IDs)"},
      {!options.setgroups.empty(), "--setgroups"},
      {options.propagation != "private", "--propagation"},
      {has_namespace_file, "a namespace file (--TYPE=FILE)"},
  };
  for (const auto& [given, option] : unsupported) {
    if (given) {
      print_error("unshare", std::string("--nest does not combine with ") + option);
      return usage_exit_code();
    }
  }
  const engine::NamespaceSet requested = options.namespaces.requested();
  engine::NamespaceSet allowed =
      engine::NamespaceSet::of({engine::NamespaceType::pid, engine::NamespaceType::user});
  for (engine::NamespaceType type : engine::kAllNamespaceTypes) {
    if (requested.contains(type) && !allowed.contains(type)) {
      print_error("unshare", "--nest combines only with -p and -U, not with --" +
                                 std::string(engine::name(type)));
      return usage_exit_code();
    }
  }
  auto run = engine::run_nested(
      engine::NestOptions{options.nest, requested.contains(engine::NamespaceType::user)}, command);
  if (!run) {
    print_error("unshare", run.error());
    return exit_code_for(run.error());
  }
  print_error("unshare", "nesting depth reached: " + std::to_string(run->depth_reached));
  return run->exit_status;
}

// Without --fork the namespaces are unshared by nsbench itself, which then becomes the command;
// new PID and time namespaces then apply only to the command's children, as with util-linux.
// Namespace files must be bound from outside the new namespaces, so without --fork a helper is
// forked first; it stays behind, waits until nsbench has unshared, binds nsbench's namespace
// files (the *_for_children ones for PID and time), and reports by its exit status.
int unshare_and_exec(const engine::SpawnOptions& spawn,
                     const std::vector<engine::NamespaceFile>& files,
                     const std::vector<std::string>& command) {
  std::optional<HelperOutside> binder;
  if (!files.empty()) {
    auto started = HelperOutside::start([&files](pid_t unsharer) {
      return engine::bind_namespace_files(unsharer, engine::NamespaceOf::children, files);
    });
    if (!started) {
      print_error("unshare", started.error());
      return kExitFailure;
    }
    binder.emplace(std::move(*started));
  }

  auto prepared = engine::unshare_and_prepare(spawn);
  if (binder && prepared) {
    Result<int> status = binder->release();
    if (!status)
      prepared = std::unexpected(status.error());
    else if (*status != 0)
      return kExitFailure;  // the helper printed the reason
  }
  if (!prepared) {
    print_error("unshare", prepared.error());
    return exit_code_for(prepared.error());
  }
  return exec_in_place("unshare", command);
}

// A flag: sets `into` and accepts.
std::function<std::string(const char*)> sets(bool& into) {
  return [&into](const char*) {
    into = true;
    return std::string();
  };
}

// An option whose value is kept as given, checked later with the rest.
std::function<std::string(const char*)> keeps(std::string& into) {
  return [&into](const char* value) {
    into = value != nullptr ? value : "";
    return std::string();
  };
}

// A whole number from `low` to `high`.
template <typename Number>
std::function<std::string(const char*)> counts(Number& into, long long low, long long high) {
  return [&into, low, high](const char* value) {
    long long number = 0;
    std::string problem = take_whole_number(value, low, high, number);
    into = static_cast<Number>(number);
    return problem;
  };
}

std::function<std::string(const char*)> appends(std::vector<std::string>& into) {
  return [&into](const char* value) {
    into.emplace_back(value);
    return std::string();
  };
}

// The options, in the order --help lists them.
OptionTable unshare_options(UnshareOptions& options) {
  OptionTable table;
  options.namespaces.declare(table, "unshare", false);
  table.push_back(
      {'f', "fork", Value::none, "", "fork before running the program", sets(options.fork)});
  table.push_back({0, "mount-proc", Value::optional, "DIR",
                   "mount a fresh proc at DIR (default /proc; implies --mount)",
                   [&options](const char* value) {
                     options.mount_proc = true;
                     options.mount_proc_directory = value != nullptr ? value : "";
                     return std::string();
                   }});
  table.push_back({0, "init", Value::none, "",
                   "run the program under a PID-1 init that reaps zombies and forwards signals "
                   "(implies --fork)",
                   sets(options.init)});
  table.push_back({0, "hostname", Value::required, "NAME", "host name in the new UTS namespace",
                   keeps(options.hostname)});
  table.push_back({0, "monotonic", Value::required, "SECONDS",
                   "CLOCK_MONOTONIC offset in the new time namespace",
                   counts(options.monotonic_offset, INT64_MIN, INT64_MAX)});
  table.push_back({0, "boottime", Value::required, "SECONDS",
                   "CLOCK_BOOTTIME offset in the new time namespace",
                   counts(options.boottime_offset, INT64_MIN, INT64_MAX)});
  table.push_back({0, "nest", Value::required, "N",
                   "run the program N PID namespaces deep (with -U, each level also gets a user "
                   "namespace); the kernel allows 32",
                   counts(options.nest, 1, 1000)});
  table.push_back({'r', "map-root-user", Value::none, "",
                   "map the current user and group to root in a new user namespace",
                   sets(options.map_root_user)});
  table.push_back({'c', "map-current-user", Value::none, "",
                   "map the current user and group to themselves in a new user namespace",
                   sets(options.map_current_user)});
  table.push_back({0, "map-user", Value::required, "UID",
                   "map the current user to this UID (or user name)", keeps(options.map_user)});
  table.push_back({0, "map-group", Value::required, "GID",
                   "map the current group to this GID (or group name)", keeps(options.map_group)});
  table.push_back({0, "map-users", Value::required, "INNER:OUTER:COUNT",
                   "map a block of user IDs (or OUTER,INNER,COUNT)", appends(options.map_users)});
  table.push_back({0, "map-groups", Value::required, "INNER:OUTER:COUNT",
                   "map a block of group IDs (or OUTER,INNER,COUNT)", appends(options.map_groups)});
  table.push_back({0, "setgroups", Value::required, "allow|deny",
                   "allow or deny setgroups(2) in the new user namespace",
                   [&options](const char* value) {
                     return take_one_of(value, {"allow", "deny"}, options.setgroups);
                   }});
  table.push_back({0, "veth", Value::required, "HOST_IF:NS_IF[:CIDR]",
                   "create a veth pair into a new network namespace (the host end gets the "
                   "CIDR's first address, the other end the second); needs --fork",
                   [&options](const char* value) {
                     // One pair per command; a second would otherwise replace the first unseen.
                     if (!options.veth.empty())
                       return std::string("give one pair per command");
                     options.veth = value;
                     return std::string();
                   }});
  table.push_back({'R', "root", Value::required, "DIR", "run the program with this root directory",
                   keeps(options.root)});
  options.exec.declare(table, ExecFlags::WorkingDirectory::required_value);
  table.push_back({0, "kill-child", Value::optional, "SIGNAL",
                   "kill the program with SIGNAL (default KILL) when nsbench dies (implies "
                   "--fork)",
                   [&options](const char* value) {
                     options.kill_child = true;
                     options.kill_child_signal = value != nullptr ? value : "";
                     return std::string();
                   }});
  table.push_back({0, "propagation", Value::required, "private|slave|shared|unchanged",
                   "mount propagation in the new mount namespace (default private)",
                   [&options](const char* value) {
                     return take_one_of(value, {"private", "slave", "shared", "unchanged"},
                                        options.propagation);
                   }});
  return table;
}

}  // namespace

int unshare_main(const std::vector<std::string>& arguments) {
  UnshareOptions options;
  const OptionTable table = unshare_options(options);
  ParsedCommandLine parsed;
  if (auto exit =
          parse_or_exit("unshare", table, "Usage: nsbench unshare [options] [PROGRAM [ARGS...]]",
                        "Run a program in new namespaces, with util-linux unshare's options.\n"
                        "The program and its arguments follow the options; default: $SHELL.",
                        arguments, parsed)) {
    return *exit;
  }
  const std::vector<std::string> command = command_or_shell(std::move(parsed.command));
  if (options.nest > 0)
    return run_nested(options, command);

  auto spawn = spawn_options_from(options);
  if (!spawn) {
    print_error("unshare", spawn.error());
    return exit_code_for(spawn.error());
  }
  if (forks(options)) {
    const int status = run_and_wait("unshare", *spawn, command);
    remove_veth_with_its_namespace(options);
    return status;
  }
  return unshare_and_exec(*spawn, namespace_files_from(options), command);
}

}  // namespace nsbench::cli
