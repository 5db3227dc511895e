/* Kernel side of the namespace syscall probes: times clone, clone3, unshare and setns per thread
 * and folds every call into a per-CPU log2 histogram keyed by (syscall, namespace type, result).
 *
 * The same bookkeeping is reachable from four attach modes (fentry/fexit, tp_btf, tracepoint,
 * raw_tracepoint) because kernels differ in what they allow. The loader turns autoload off for
 * every program outside the mode it picked, so only one set is ever loaded.
 *
 * TODO: there is no process filter yet: every process of the machine is counted, so the figures of
 * `nsbench run` include other workloads' namespace syscalls made during the run.
 * TODO: in the tp_btf and raw_tracepoint modes a 32-bit (compat) task's syscall number is read as
 * if it were a 64-bit one, so its calls can be missed or mislabelled. */
#include "vmlinux.h"

#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "probes/namespace_latency_abi.h"

/* bpf_probe_read_user and bpf_probe_read_kernel are offered only to GPL-compatible programs. */
char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* Syscall numbers differ between architectures: the loader fills them in from <sys/syscall.h>
 * before load, and the verifier then treats them as constants. */
const volatile long clone_nr = -1;
const volatile long clone3_nr = -1;
const volatile long unshare_nr = -1;
const volatile long setns_nr = -1;

struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, NSB_MAX_IN_FLIGHT);
  __type(key, __u64); /* pid_tgid: one syscall in flight per thread */
  __type(value, struct nsb_in_flight);
} in_flight SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
  __uint(max_entries, NSB_HISTOGRAM_COUNT);
  __type(key, __u32); /* nsb_histogram_index(syscall, ns_type, result) */
  __type(value, struct nsb_latency_histogram);
} latencies SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
  __uint(max_entries, NSB_COUNTER_COUNT);
  __type(key, __u32); /* enum nsb_counter */
  __type(value, __u64);
} counters SEC(".maps");

/* Where this architecture keeps the syscall number in pt_regs; sys_exit passes no id. */
#if defined(__TARGET_ARCH_x86)
#define SYSCALL_NR_FIELD orig_ax
#elif defined(__TARGET_ARCH_arm64)
#define SYSCALL_NR_FIELD syscallno
#else
#error "namespace_latency.bpf.c: name the pt_regs field holding the syscall number on this arch"
#endif

static __always_inline void count_event(__u32 counter) {
  __u64* value = bpf_map_lookup_elem(&counters, &counter);
  if (value)
    *value += 1;
}

/* The probes' index of a raw syscall number, or -1 for every syscall we do not time. */
static __always_inline int syscall_index(long nr) {
  if (nr == setns_nr)
    return NSB_SYSCALL_SETNS;
  if (nr == unshare_nr)
    return NSB_SYSCALL_UNSHARE;
  if (nr == clone_nr)
    return NSB_SYSCALL_CLONE;
  if (nr == clone3_nr)
    return NSB_SYSCALL_CLONE3;
  return -1;
}

static __always_inline __u32 clone3_ns_type(__u64 user_clone_args) {
  __u64 flags = 0;

  /* clone3 keeps its flags in user memory: the first u64 of struct clone_args. An unreadable
   * pointer makes the call fail with EFAULT; it is still timed, as "none". */
  if (bpf_probe_read_user(&flags, sizeof(flags), (const void*)user_clone_args) != 0)
    return NSB_NS_NONE;
  return nsb_ns_type_for_flags(flags);
}

static __always_inline void on_enter(__u32 syscall, __u64 arg1, __u64 arg2) {
  __u32 ns_type;

  switch (syscall) {
    case NSB_SYSCALL_CLONE:
      ns_type = nsb_ns_type_for_clone_flags(arg1);
      break;
    case NSB_SYSCALL_CLONE3:
      ns_type = clone3_ns_type(arg1);
      break;
    case NSB_SYSCALL_UNSHARE:
      ns_type = nsb_ns_type_for_flags(arg1);
      break;
    default:
      /* TODO: setns(fd, 0) joins whatever namespace fd refers to and lands in "none" for now;
       * resolving it needs the task's nsproxy compared before and after the call. */
      ns_type = nsb_ns_type_for_flags((__u32)arg2);
      break;
  }

  __u64 thread = bpf_get_current_pid_tgid();
  /* The clock is read last so that decoding the flags is not billed to the syscall. */
  struct nsb_in_flight entry = {
      .syscall = syscall,
      .ns_type = ns_type,
      .start_ns = bpf_ktime_get_ns(),
  };
  if (bpf_map_update_elem(&in_flight, &thread, &entry, BPF_ANY) != 0)
    count_event(NSB_COUNTER_MAP_UPDATE_FAILURES);
}

static __always_inline void on_exit(__u32 syscall, long ret) {
  __u64 now = bpf_ktime_get_ns();
  __u64 thread = bpf_get_current_pid_tgid();

  /* A clone's child comes back through the same syscall exit, with 0, without having entered:
   * it is not a second call. */
  if ((syscall == NSB_SYSCALL_CLONE || syscall == NSB_SYSCALL_CLONE3) && ret == 0) {
    count_event(NSB_COUNTER_UNMATCHED_EXITS);
    return;
  }

  /* No entry either means the call began before the probes were attached. */
  struct nsb_in_flight* entry = bpf_map_lookup_elem(&in_flight, &thread);
  if (!entry) {
    count_event(NSB_COUNTER_UNMATCHED_EXITS);
    return;
  }
  __u64 start_ns = entry->start_ns;
  __u32 index = nsb_histogram_index(entry->syscall, entry->ns_type,
                                    ret >= 0 ? NSB_RESULT_OK : NSB_RESULT_ERROR);
  bpf_map_delete_elem(&in_flight, &thread);

  if (now < start_ns) {
    count_event(NSB_COUNTER_NEGATIVE_DELTAS);
    return;
  }

  struct nsb_latency_histogram* histogram = bpf_map_lookup_elem(&latencies, &index);
  if (!histogram) {
    count_event(NSB_COUNTER_MAP_UPDATE_FAILURES);
    return;
  }
  __u64 latency_ns = now - start_ns;
  __u32 slot = nsb_slot_for_ns(latency_ns);
  if (slot >= NSB_LATENCY_SLOTS)
    return; /* cannot happen; tells the verifier the bound */
  histogram->slots[slot] += 1;
  histogram->sum_ns += latency_ns;
  histogram->count += 1;
}

/* fentry/fexit on the syscall's entry function; the loader sets the target with the
 * architecture's prefix (e.g. __x64_sys_setns). That function's only argument is the user
 * registers, from which the syscall arguments are read. */
#define FUNCTION_PROBES(syscall_name, syscall)                                             \
  SEC("fentry")                                                                            \
  int BPF_PROG(fentry_##syscall_name, const struct pt_regs* regs) {                        \
    on_enter(syscall, PT_REGS_PARM1_CORE_SYSCALL(regs), PT_REGS_PARM2_CORE_SYSCALL(regs)); \
    return 0;                                                                              \
  }                                                                                        \
  SEC("fexit")                                                                             \
  int BPF_PROG(fexit_##syscall_name, const struct pt_regs* regs, long ret) {               \
    on_exit(syscall, ret);                                                                 \
    return 0;                                                                              \
  }

FUNCTION_PROBES(clone, NSB_SYSCALL_CLONE)
FUNCTION_PROBES(clone3, NSB_SYSCALL_CLONE3)
FUNCTION_PROBES(unshare, NSB_SYSCALL_UNSHARE)
FUNCTION_PROBES(setns, NSB_SYSCALL_SETNS)

/* tp_btf: one pair of programs sees every syscall of the machine, so the syscall number is
 * checked first and everything else returns after a few compares. */
SEC("tp_btf/sys_enter")
int BPF_PROG(tp_btf_sys_enter, struct pt_regs* regs, long id) {
  int syscall = syscall_index(id);
  if (syscall < 0)
    return 0;
  on_enter(syscall, PT_REGS_PARM1_CORE_SYSCALL(regs), PT_REGS_PARM2_CORE_SYSCALL(regs));
  return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(tp_btf_sys_exit, struct pt_regs* regs, long ret) {
  /* A direct, BTF-checked load: no helper call on the path every syscall takes. */
  int syscall = syscall_index((long)regs->SYSCALL_NR_FIELD);
  if (syscall < 0)
    return 0;
  on_exit(syscall, ret);
  return 0;
}

/* tracepoint: the per-syscall events of tracefs, so no filtering is needed at all. */
#define TRACEPOINT_PROBES(syscall_name, syscall)                               \
  SEC("tracepoint/syscalls/sys_enter_" #syscall_name)                          \
  int tracepoint_enter_##syscall_name(struct trace_event_raw_sys_enter* ctx) { \
    on_enter(syscall, ctx->args[0], ctx->args[1]);                             \
    return 0;                                                                  \
  }                                                                            \
  SEC("tracepoint/syscalls/sys_exit_" #syscall_name)                           \
  int tracepoint_exit_##syscall_name(struct trace_event_raw_sys_exit* ctx) {   \
    on_exit(syscall, ctx->ret);                                                \
    return 0;                                                                  \
  }

TRACEPOINT_PROBES(clone, NSB_SYSCALL_CLONE)
TRACEPOINT_PROBES(clone3, NSB_SYSCALL_CLONE3)
TRACEPOINT_PROBES(unshare, NSB_SYSCALL_UNSHARE)
TRACEPOINT_PROBES(setns, NSB_SYSCALL_SETNS)

/* raw_tracepoint: like tp_btf, but the arguments are untyped, so pt_regs is read through
 * bpf_probe_read_kernel (BPF_CORE_READ). */
SEC("raw_tracepoint/sys_enter")
int raw_tracepoint_sys_enter(struct bpf_raw_tracepoint_args* ctx) {
  int syscall = syscall_index((long)ctx->args[1]);
  if (syscall < 0)
    return 0;
  const struct pt_regs* regs = (const struct pt_regs*)ctx->args[0];
  on_enter(syscall, PT_REGS_PARM1_CORE_SYSCALL(regs), PT_REGS_PARM2_CORE_SYSCALL(regs));
  return 0;
}

SEC("raw_tracepoint/sys_exit")
int raw_tracepoint_sys_exit(struct bpf_raw_tracepoint_args* ctx) {
  const struct pt_regs* regs = (const struct pt_regs*)ctx->args[0];
  int syscall = syscall_index((long)BPF_CORE_READ(regs, SYSCALL_NR_FIELD));
  if (syscall < 0)
    return 0;
  on_exit(syscall, (long)ctx->args[1]);
  return 0;
}
