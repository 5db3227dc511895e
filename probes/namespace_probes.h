// The probe loader: loads namespace_latency.bpf.c with the first attach mode this kernel accepts
// and hands out Snapshots of its in-kernel histograms. Modes are chosen by trying, never by kernel
// version, because kernels of the same version differ in what they allow (lockdown, missing
// trampolines, tracefs not mounted).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <sys/types.h>

#include "common/result.h"
#include "probes/snapshot.h"

namespace nsbench::probes {

// In the order they are tried: cheapest first.
enum class AttachMode { fentry, tp_btf, tracepoint, raw_tracepoint };

inline constexpr AttachMode kAttachModes[] = {AttachMode::fentry, AttachMode::tp_btf,
                                              AttachMode::tracepoint, AttachMode::raw_tracepoint};

std::string_view name(AttachMode mode);
// The mode whose name() is `text`, for command-line options; nullopt for anything else.
std::optional<AttachMode> parse_attach_mode(std::string_view text);

struct ProbeOptions {
  std::optional<AttachMode> force_mode{};  // try only this mode
  bool verbose = false;                    // debug lines and libbpf's messages on stderr

  // Filters, applied in the kernel before anything is counted; when both are set a task must pass
  // both. Unset (the default), every task of the machine is counted, as `nsbench trace` wants.

  // Only tasks of the cgroup v2 with this id (cgroup_id_of() reads it from a cgroup directory);
  // tasks of its child cgroups are not counted. A new task is judged by its parent's cgroup.
  std::optional<uint64_t> cgroup_id{};
  // Only this process (all its threads) and the processes created after attach() returns by it or
  // by one already followed: a new process is followed when its creator is, even with
  // CLONE_PARENT. A process id of the initial PID namespace. For `nsbench run`: getpid(), before
  // any benchmark child is started.
  std::optional<pid_t> descendants_of{};

  // Turn on the kernel's BPF run-time statistics for as long as the probes are attached, so that
  // Snapshot::programs carries each program's runs and run time. It costs two clock reads per
  // program run, for every BPF program of the machine while it is on, hence off by default.
  bool run_time_stats = false;

  // Keep each call's record between entry and exit in a hash map even where the kernel offers
  // task storage: what kernels without task storage get, forced here so that tests cover it.
  bool calls_in_hash_map = false;
};

// Move-only owner of the loaded BPF object and its links; destruction detaches every link and
// unloads every program and map.
class NamespaceProbes {
 public:
  // Tries each mode (or only options.force_mode) and keeps the first that loads and attaches.
  // When none does, the Error is one line naming what is missing, e.g. "eBPF probes unavailable:
  // Operation not permitted; loading needs CAP_BPF and CAP_PERFMON (run as root)". A filter that
  // cannot work (cgroup id 0, a process that does not exist) is an Error before any mode is tried.
  static Result<NamespaceProbes> attach(const ProbeOptions& options);

  NamespaceProbes(NamespaceProbes&&) noexcept;
  NamespaceProbes& operator=(NamespaceProbes&&) noexcept;
  ~NamespaceProbes();

  AttachMode attach_mode() const { return mode_; }

  // One line per mode tried, in order: "fentry: load eBPF programs: Operation not permitted", ...,
  // then "tp_btf: attached".
  std::vector<std::string> attempts() const { return attempts_; }

  // The histograms and counters accumulated since attach. Thread-safe: it only reads the maps.
  Snapshot snapshot() const;

  // How many live processes the descendants filter follows: the root and the processes created
  // under it that have not exited. 0 without that filter. For diagnostics and tests.
  size_t followed_processes() const;

  // Kernel ids of our programs and links, for diagnostics and for tests that check nothing is
  // left behind.
  std::vector<uint32_t> program_ids() const;
  std::vector<uint32_t> link_ids() const;

  struct Loaded;  // the skeleton and its links; defined in namespace_probes.cpp

 private:
  NamespaceProbes(AttachMode mode, std::vector<std::string> attempts,
                  std::unique_ptr<Loaded> loaded);

  AttachMode mode_;
  std::vector<std::string> attempts_;
  std::unique_ptr<Loaded> loaded_;
};

}  // namespace nsbench::probes
