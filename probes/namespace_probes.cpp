#include "probes/namespace_probes.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <iterator>
#include <utility>

#include "namespace_latency.skel.h"
#include "probes/probe_log.h"
#include "probes/snapshot_reader.h"
#include "probes/tracefs.h"

namespace nsbench::probes {

struct NamespaceProbes::Loaded {
  struct SkeletonDeleter {
    void operator()(namespace_latency_bpf* skeleton) const {
      namespace_latency_bpf__destroy(skeleton);
    }
  };
  struct LinkDeleter {
    void operator()(bpf_link* link) const { bpf_link__destroy(link); }
  };

  Loaded() = default;
  Loaded(const Loaded&) = delete;
  Loaded& operator=(const Loaded&) = delete;
  ~Loaded() {
    if (run_time_stats_fd >= 0)
      close(run_time_stats_fd);
  }

  // The kernel counts BPF run time for as long as this descriptor is open; -1 when not asked.
  int run_time_stats_fd = -1;
  // Declared first, destroyed last: links are detached before their programs are unloaded.
  std::unique_ptr<namespace_latency_bpf, SkeletonDeleter> skeleton;
  std::vector<std::unique_ptr<bpf_link, LinkDeleter>> links;
  ProbeMaps maps;
};

namespace {

// fentry attaches to the function behind each syscall, whose name carries the architecture.
#if defined(__x86_64__)
constexpr std::string_view kSyscallFunctionPrefix = "__x64_sys_";
#elif defined(__aarch64__)
constexpr std::string_view kSyscallFunctionPrefix = "__arm64_sys_";
#else
#error "namespace_probes.cpp: name the prefix of syscall functions on this architecture"
#endif

#if defined(__x86_64__)
// From the i386 syscall table (asm/unistd_32.h), which cannot be included beside the native one.
constexpr long kCompatClone = 120;
constexpr long kCompatUnshare = 310;
constexpr long kCompatSetns = 346;
constexpr long kCompatClone3 = 435;
#endif

constexpr const char* kKernelBtf = "/sys/kernel/btf/vmlinux";
constexpr const char* kUnavailable = "eBPF probes unavailable";
// The inode number of the initial PID namespace, fixed by the kernel (PROC_PID_INIT_INO).
constexpr ino_t kInitialPidNamespaceInode = 0xEFFFFFFCU;

// libbpf returns negative errno values, and its own codes from 4000 up, which strerror cannot name.
std::unexpected<Error> libbpf_error(std::string operation, int error) {
  Error failure{std::move(operation), {}, -error, {}};
  if (-error >= __LIBBPF_ERRNO__START) {
    char text[128];
    libbpf_strerror(error, text, sizeof(text));
    failure.hint = text;
  }
  return std::unexpected(std::move(failure));
}

// The mode a program belongs to, from what libbpf parsed out of its SEC() name.
std::optional<AttachMode> mode_of(const bpf_program* program) {
  switch (bpf_program__type(program)) {
    case BPF_PROG_TYPE_TRACING:
      return bpf_program__expected_attach_type(program) == BPF_TRACE_RAW_TP ? AttachMode::tp_btf
                                                                            : AttachMode::fentry;
    case BPF_PROG_TYPE_TRACEPOINT:
      return AttachMode::tracepoint;
    case BPF_PROG_TYPE_RAW_TRACEPOINT:
      return AttachMode::raw_tracepoint;
    default:
      return std::nullopt;
  }
}

Result<void> set_function_targets(const namespace_latency_bpf& skeleton) {
  const std::pair<bpf_program*, std::string_view> targets[] = {
      {skeleton.progs.fentry_clone, "clone"},     {skeleton.progs.fexit_clone, "clone"},
      {skeleton.progs.fentry_clone3, "clone3"},   {skeleton.progs.fexit_clone3, "clone3"},
      {skeleton.progs.fentry_unshare, "unshare"}, {skeleton.progs.fexit_unshare, "unshare"},
      {skeleton.progs.fentry_setns, "setns"},     {skeleton.progs.fexit_setns, "setns"},
  };
  for (const auto& [program, syscall] : targets) {
    const std::string function = std::string(kSyscallFunctionPrefix) + std::string(syscall);
    if (int error = bpf_program__set_attach_target(program, 0, function.c_str()); error != 0) {
      return libbpf_error("set fentry target " + function, error);
    }
  }
  return {};
}

// Filters that could never match are refused up front, instead of silently counting nothing.
Result<void> check_filters(const ProbeOptions& options) {
  if (options.cgroup_id && *options.cgroup_id == 0) {
    return std::unexpected(Error{"filter by cgroup", "0", EINVAL, "no cgroup has id 0"});
  }
  if (!options.descendants_of)
    return {};

  const pid_t root = *options.descendants_of;
  const std::string subject = "process " + std::to_string(root);
  if (root <= 0) {
    return std::unexpected(
        Error{"follow the descendants", subject, EINVAL, "a process id is above 0"});
  }
  if (kill(root, 0) != 0 && errno == ESRCH)
    return system_error("follow the descendants", subject);

  // TODO: the BPF side knows processes by their id in the initial PID namespace, which a loader
  // in a container cannot learn, so there the descendants filter is refused.
  struct stat pid_namespace {};
  if (stat("/proc/self/ns/pid", &pid_namespace) == 0 &&
      pid_namespace.st_ino != kInitialPidNamespaceInode) {
    return std::unexpected(Error{"follow the descendants", subject, 0,
                                 "process ids are only understood from the initial PID namespace, "
                                 "and this process runs in another one"});
  }
  return {};
}

// The task lifecycle programs a mode loads besides its syscall probes. fentry cannot attach to a
// tracepoint, so that mode borrows tp_btf's, which any kernel offering fentry also offers.
struct LifecyclePrograms {
  bpf_program* new_task;
  bpf_program* task_exit;
};

LifecyclePrograms lifecycle_programs(const namespace_latency_bpf& skeleton, AttachMode mode) {
  switch (mode) {
    case AttachMode::fentry:
    case AttachMode::tp_btf:
      return {skeleton.progs.tp_btf_task_newtask, skeleton.progs.tp_btf_sched_process_exit};
    case AttachMode::tracepoint:
      return {skeleton.progs.tracepoint_task_newtask, skeleton.progs.tracepoint_sched_process_exit};
    case AttachMode::raw_tracepoint:
      return {skeleton.progs.raw_tracepoint_task_newtask,
              skeleton.progs.raw_tracepoint_sched_process_exit};
  }
  return {nullptr, nullptr};
}

void choose_programs(const namespace_latency_bpf& skeleton, AttachMode mode,
                     const ProbeOptions& options) {
  bpf_program* program = nullptr;
  bpf_object__for_each_program(program, skeleton.obj) {
    bpf_program__set_autoload(program, mode_of(program) == mode);
  }

  const LifecyclePrograms lifecycle = lifecycle_programs(skeleton, mode);
  bpf_program__set_autoload(lifecycle.new_task, true);
  // Task exits matter only to the descendants filter, which forgets processes that have ended.
  bpf_program__set_autoload(lifecycle.task_exit, options.descendants_of.has_value());
}

void set_filters(namespace_latency_bpf& skeleton, const ProbeOptions& options) {
  skeleton.rodata->filter_cgroup_id = options.cgroup_id.value_or(0);
  skeleton.rodata->follow_descendants = options.descendants_of.has_value();
  // Unused without the filter; the kernel still wants room for one entry.
  if (!options.descendants_of)
    bpf_map__set_max_entries(skeleton.maps.followed, 1);
}

Result<void> follow_root(const namespace_latency_bpf& skeleton, const ProbeOptions& options) {
  if (!options.descendants_of)
    return {};
  const uint32_t root = static_cast<uint32_t>(*options.descendants_of);
  const uint8_t followed = 1;
  if (bpf_map__update_elem(skeleton.maps.followed, &root, sizeof(root), &followed, sizeof(followed),
                           BPF_ANY) != 0) {
    return libbpf_error("follow process " + std::to_string(root), -errno);
  }
  return {};
}

// The numbers of the four syscalls in the 32-bit table, which 32-bit programs use on a 64-bit
// kernel; the rest stay -1, matching no syscall.
void set_compat_syscall_numbers(namespace_latency_bpf& skeleton) {
#if defined(__x86_64__)
  skeleton.rodata->compat_clone_nr = kCompatClone;
  skeleton.rodata->compat_clone3_nr = kCompatClone3;
  skeleton.rodata->compat_unshare_nr = kCompatUnshare;
  skeleton.rodata->compat_setns_nr = kCompatSetns;
#else
  (void)skeleton;
#endif
}

// Where the programs keep a call's record between its entry and its exit: in the task itself,
// or, on kernels that do not give tracing programs task storage, in a hash map keyed by thread.
enum class InFlightStore { task_storage, hash_map };

// Decided by trying: libbpf creates a task storage map and reports whether the kernel took it.
// Kernels that have the map type (5.11 and later) also offer it to tracing programs.
InFlightStore in_flight_store_of_this_kernel() {
  if (libbpf_probe_bpf_map_type(BPF_MAP_TYPE_TASK_STORAGE, nullptr) == 1)
    return InFlightStore::task_storage;
  log_probe_debug("no task storage: in-flight calls are kept in a hash map");
  return InFlightStore::hash_map;
}

void choose_in_flight_store(namespace_latency_bpf& skeleton, InFlightStore store) {
  const bool in_task = store == InFlightStore::task_storage;
  skeleton.rodata->use_task_storage = in_task;
  bpf_map__set_autocreate(skeleton.maps.in_flight_by_task, in_task);
  bpf_map__set_autocreate(skeleton.maps.in_flight, !in_task);
}

Result<std::unique_ptr<NamespaceProbes::Loaded>> load_and_attach(AttachMode mode,
                                                                 InFlightStore store,
                                                                 const ProbeOptions& options) {
  auto loaded = std::make_unique<NamespaceProbes::Loaded>();

  // A fresh object per attempt: after a failed load libbpf's object cannot be loaded again.
  loaded->skeleton.reset(namespace_latency_bpf__open());
  if (!loaded->skeleton)
    return system_error("open eBPF object");
  namespace_latency_bpf& skeleton = *loaded->skeleton;

  skeleton.rodata->clone_nr = SYS_clone;
  skeleton.rodata->clone3_nr = SYS_clone3;
  skeleton.rodata->unshare_nr = SYS_unshare;
  skeleton.rodata->setns_nr = SYS_setns;
  set_compat_syscall_numbers(skeleton);
  set_filters(skeleton, options);
  choose_in_flight_store(skeleton, store);

  choose_programs(skeleton, mode, options);
  if (mode == AttachMode::fentry) {
    if (Result<void> targeted = set_function_targets(skeleton); !targeted) {
      return std::unexpected(targeted.error());
    }
  }
  if (mode == AttachMode::tracepoint) {
    if (Result<void> mounted = ensure_tracefs_mounted(); !mounted) {
      return std::unexpected(mounted.error());
    }
  }

  if (int error = namespace_latency_bpf__load(&skeleton); error != 0) {
    return libbpf_error("load eBPF programs", error);
  }
  // Before attaching, so that the root's first call is already counted.
  if (Result<void> seeded = follow_root(skeleton, options); !seeded)
    return std::unexpected(seeded.error());

  bpf_program* program = nullptr;
  bpf_object__for_each_program(program, skeleton.obj) {
    if (!bpf_program__autoload(program))
      continue;
    bpf_link* link = bpf_program__attach(program);
    if (link == nullptr) {
      return libbpf_error(std::string("attach ") + bpf_program__name(program), -errno);
    }
    loaded->links.emplace_back(link);
  }

  const int possible_cpus = libbpf_num_possible_cpus();
  if (possible_cpus <= 0)
    return libbpf_error("count possible CPUs", possible_cpus);
  loaded->maps = ProbeMaps{.latencies_fd = bpf_map__fd(skeleton.maps.latencies),
                           .counters_fd = bpf_map__fd(skeleton.maps.counters),
                           .namespaces_created_fd = bpf_map__fd(skeleton.maps.namespaces_created),
                           .task_levels_fd = bpf_map__fd(skeleton.maps.task_levels),
                           .possible_cpus = possible_cpus};
  return loaded;
}

bool has_bpf_capabilities() {
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3]{};
  // If the capabilities cannot be read, do not blame them.
  if (syscall(SYS_capget, &header, data) != 0)
    return true;

  const auto has = [&data](int capability) {
    return ((data[capability / 32].effective >> (capability % 32)) & 1U) != 0;
  };
  // Before 5.8 everything BPF needed CAP_SYS_ADMIN, which still implies the newer two.
  return has(CAP_SYS_ADMIN) || (has(CAP_BPF) && has(CAP_PERFMON));
}

// Turns the failed attempts into the one line the CLI prints before going on without probes.
Error explain_failure(const std::vector<std::string>& attempts, Error last_error,
                      std::optional<AttachMode> forced_mode) {
  if (!has_bpf_capabilities()) {
    return Error{kUnavailable, {}, EPERM, "loading needs CAP_BPF and CAP_PERFMON (run as root)"};
  }
  if (access(kKernelBtf, R_OK) != 0) {
    return Error{kUnavailable, kKernelBtf, errno,
                 "the kernel exposes no BTF (it needs CONFIG_DEBUG_INFO_BTF=y)"};
  }
  if (forced_mode) {
    last_error.subject = name(*forced_mode);
    return last_error;
  }

  std::string all_attempts;
  for (const std::string& attempt : attempts) {
    if (!all_attempts.empty())
      all_attempts += "; ";
    all_attempts += attempt;
  }
  return Error{kUnavailable, {}, 0, "no attach mode worked: " + all_attempts};
}

// Whether the kernel counts BPF run time for every program, as an administrator can ask.
bool run_time_stats_on_for_all() {
  char value = '0';
  const int fd = open("/proc/sys/kernel/bpf_stats_enabled", O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return false;
  const bool read_one = read(fd, &value, 1) == 1;
  close(fd);
  return read_one && value == '1';
}

uint32_t kernel_id(int fd) {
  // bpf_prog_info and bpf_link_info both start with their type and id; bpf_link_info is enough
  // room for the kernel to fill in the fields we ask for.
  bpf_link_info info{};
  uint32_t length = sizeof(info);
  if (fd < 0 || bpf_obj_get_info_by_fd(fd, &info, &length) != 0)
    return 0;
  return info.id;
}

}  // namespace

std::string_view name(AttachMode mode) {
  switch (mode) {
    case AttachMode::fentry:
      return "fentry";
    case AttachMode::tp_btf:
      return "tp_btf";
    case AttachMode::tracepoint:
      return "tracepoint";
    case AttachMode::raw_tracepoint:
      return "raw_tracepoint";
  }
  return "unknown";
}

std::optional<AttachMode> parse_attach_mode(std::string_view text) {
  for (AttachMode mode : kAttachModes) {
    if (name(mode) == text)
      return mode;
  }
  return std::nullopt;
}

Result<NamespaceProbes> NamespaceProbes::attach(const ProbeOptions& options) {
  set_probe_logging(options.verbose);
  if (Result<void> valid = check_filters(options); !valid)
    return std::unexpected(valid.error());
  if (options.cgroup_id)
    log_probe_debug("counting only tasks of cgroup id " + std::to_string(*options.cgroup_id));
  if (options.descendants_of) {
    log_probe_debug("counting only process " + std::to_string(*options.descendants_of) +
                    " and its descendants");
  }

  std::vector<AttachMode> modes(std::begin(kAttachModes), std::end(kAttachModes));
  if (options.force_mode)
    modes = {*options.force_mode};

  std::vector<std::string> attempts;
  Error last_error;
  const InFlightStore store =
      options.calls_in_hash_map ? InFlightStore::hash_map : in_flight_store_of_this_kernel();
  for (AttachMode mode : modes) {
    Result<std::unique_ptr<Loaded>> loaded = load_and_attach(mode, store, options);
    if (loaded && options.run_time_stats) {
      // Asked for, so its absence (kernels before 5.8) is an error rather than silent zeros.
      (*loaded)->run_time_stats_fd = bpf_enable_stats(BPF_STATS_RUN_TIME);
      if ((*loaded)->run_time_stats_fd < 0)
        return libbpf_error("turn on BPF run-time statistics", -errno);
    }
    if (loaded) {
      attempts.push_back(std::string(name(mode)) + ": attached");
      log_probe_debug(attempts.back());
      return NamespaceProbes(mode, std::move(attempts), std::move(*loaded));
    }
    attempts.push_back(std::string(name(mode)) + ": " + loaded.error().message());
    log_probe_debug(attempts.back());
    last_error = std::move(loaded.error());
  }
  return std::unexpected(explain_failure(attempts, std::move(last_error), options.force_mode));
}

NamespaceProbes::NamespaceProbes(AttachMode mode, std::vector<std::string> attempts,
                                 std::unique_ptr<Loaded> loaded)
    : mode_(mode), attempts_(std::move(attempts)), loaded_(std::move(loaded)) {}

NamespaceProbes::NamespaceProbes(NamespaceProbes&&) noexcept = default;
NamespaceProbes& NamespaceProbes::operator=(NamespaceProbes&&) noexcept = default;
NamespaceProbes::~NamespaceProbes() = default;

Snapshot NamespaceProbes::snapshot() const {
  if (!loaded_) {
    Snapshot empty;
    empty.attach_mode = name(mode_);
    return empty;
  }
  Snapshot snapshot = read_snapshot(loaded_->maps, name(mode_));
  snapshot.run_time_stats = loaded_->run_time_stats_fd >= 0 || run_time_stats_on_for_all();
  bpf_program* program = nullptr;
  bpf_object__for_each_program(program, loaded_->skeleton->obj) {
    if (!bpf_program__autoload(program))
      continue;
    bpf_prog_info info{};
    uint32_t length = sizeof(info);
    ProgramStats stats{.program = bpf_program__name(program)};
    if (bpf_obj_get_info_by_fd(bpf_program__fd(program), &info, &length) == 0) {
      stats.runs = info.run_cnt;
      stats.run_time_ns = info.run_time_ns;
      stats.recursion_misses = info.recursion_misses;
    }
    snapshot.programs.push_back(std::move(stats));
  }
  return snapshot;
}

size_t NamespaceProbes::followed_processes() const {
  if (!loaded_ || !loaded_->skeleton->rodata->follow_descendants)
    return 0;
  const int followed = bpf_map__fd(loaded_->skeleton->maps.followed);
  size_t count = 0;
  uint32_t key = 0;
  for (const uint32_t* previous = nullptr; bpf_map_get_next_key(followed, previous, &key) == 0;
       previous = &key) {
    ++count;
  }
  return count;
}

std::vector<uint32_t> NamespaceProbes::program_ids() const {
  std::vector<uint32_t> ids;
  if (!loaded_)
    return ids;
  bpf_program* program = nullptr;
  bpf_object__for_each_program(program, loaded_->skeleton->obj) {
    if (bpf_program__autoload(program))
      ids.push_back(kernel_id(bpf_program__fd(program)));
  }
  return ids;
}

std::vector<uint32_t> NamespaceProbes::link_ids() const {
  std::vector<uint32_t> ids;
  if (!loaded_)
    return ids;
  for (const auto& link : loaded_->links)
    ids.push_back(kernel_id(bpf_link__fd(link.get())));
  return ids;
}

}  // namespace nsbench::probes
