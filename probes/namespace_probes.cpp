#include "probes/namespace_probes.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/capability.h>
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

constexpr const char* kKernelBtf = "/sys/kernel/btf/vmlinux";
constexpr const char* kUnavailable = "eBPF probes unavailable";

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

Result<std::unique_ptr<NamespaceProbes::Loaded>> load_and_attach(AttachMode mode) {
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

  bpf_program* program = nullptr;
  bpf_object__for_each_program(program, skeleton.obj) {
    bpf_program__set_autoload(program, mode_of(program) == mode);
  }
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
  loaded->maps = ProbeMaps{bpf_map__fd(skeleton.maps.latencies),
                           bpf_map__fd(skeleton.maps.counters), possible_cpus};
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

  std::vector<AttachMode> modes(std::begin(kAttachModes), std::end(kAttachModes));
  if (options.force_mode)
    modes = {*options.force_mode};

  std::vector<std::string> attempts;
  Error last_error;
  for (AttachMode mode : modes) {
    Result<std::unique_ptr<Loaded>> loaded = load_and_attach(mode);
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
  return read_snapshot(loaded_->maps, name(mode_));
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
