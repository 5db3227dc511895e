/* Kernel side of the namespace syscall probes: times clone, clone3, unshare and setns per thread
 * and folds every call into a per-CPU log2 histogram keyed by (syscall, namespace type, result);
 * counts the namespaces successful calls create, by type; and records the PID and user namespace
 * nesting level of every new task.
 *
 * The same bookkeeping is reachable from four attach modes (fentry/fexit, tp_btf, tracepoint,
 * raw_tracepoint) because kernels differ in what they allow. The loader turns autoload off for
 * every program outside the mode it picked, so only one set is ever loaded. The task lifecycle
 * hooks (task_newtask, sched_process_exit) are tracepoints; the fentry mode borrows tp_btf's.
 *
 * Filters are read-only data the loader sets before load, so the verifier drops the code of an
 * unused filter: by default every task of the machine is counted.
 *
 * 32-bit (compat) syscalls have numbers of their own. The tp_btf and raw_tracepoint modes see them
 * on the same hooks and tell them apart by the task's compat state (x86; TODO: arm64). The kernel's
 * per-syscall tracepoints do not report compat syscalls at all, so the tracepoint mode misses
 * them. */
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
/* The same four in the 32-bit syscall table; -1 where the architecture has none. */
const volatile long compat_clone_nr = -1;
const volatile long compat_clone3_nr = -1;
const volatile long compat_unshare_nr = -1;
const volatile long compat_setns_nr = -1;

/* Filters. filter_cgroup_id: count only tasks of this cgroup v2 (0: any cgroup).
 * follow_descendants: count only processes in `followed`, which the loader seeds with the root
 * process and task_newtask extends with every process a followed one creates. */
const volatile __u64 filter_cgroup_id = 0;
const volatile bool follow_descendants = false;

/* Where a call's entry leaves its record for the exit. Task storage (1) is a slot that lives in
 * the task itself: no hashing, no locking, no allocation after a thread's first call, and freed
 * with the thread. Kernels that offer no task storage to tracing programs get a hash map keyed by
 * thread (0). The loader picks by trying, and creates only the map in use. */
const volatile bool use_task_storage = true;

struct {
  __uint(type, BPF_MAP_TYPE_TASK_STORAGE);
  __uint(map_flags, BPF_F_NO_PREALLOC);
  __type(key, int);
  __type(value, struct nsb_in_flight);
} in_flight_by_task SEC(".maps");

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

struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
  __uint(max_entries, NSB_NS_TYPE_COUNT);
  __type(key, __u32); /* enum nsb_ns_type; none and multi stay 0 */
  __type(value, __u64);
} namespaces_created SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
  __uint(max_entries, NSB_TASK_LEVEL_COUNT);
  __type(key, __u32); /* nsb_task_level_index(kind, level) */
  __type(value, __u64);
} task_levels SEC(".maps");

/* The loader shrinks it to one entry when no descendants filter is set. */
struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, NSB_MAX_FOLLOWED);
  __type(key, __u32); /* tgid, as the initial PID namespace numbers it */
  __type(value, __u8);
} followed SEC(".maps");

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

static __always_inline void increment(void* per_cpu_array, __u32 key) {
  __u64* value = bpf_map_lookup_elem(per_cpu_array, &key);
  if (value)
    *value += 1;
  else
    count_event(NSB_COUNTER_MAP_UPDATE_FAILURES);
}

/* Whether the current task passes the filters the loader set. */
static __always_inline bool current_task_selected(void) {
  if (filter_cgroup_id != 0 && bpf_get_current_cgroup_id() != filter_cgroup_id)
    return false;
  if (follow_descendants) {
    __u32 tgid = bpf_get_current_pid_tgid() >> 32;
    if (!bpf_map_lookup_elem(&followed, &tgid))
      return false;
  }
  return true;
}

/* The current task's namespaces, one pointer per type; the PID and time entries are those its
 * children get, which is what setns changes. */
static __always_inline void read_task_namespaces(__u64 namespaces[NSB_NS_TYPE_COUNT]) {
  struct task_struct* task = (struct task_struct*)bpf_get_current_task();
  struct nsproxy* nsproxy = BPF_CORE_READ(task, nsproxy);

  namespaces[NSB_NS_MNT] = (__u64)BPF_CORE_READ(nsproxy, mnt_ns);
  namespaces[NSB_NS_UTS] = (__u64)BPF_CORE_READ(nsproxy, uts_ns);
  namespaces[NSB_NS_IPC] = (__u64)BPF_CORE_READ(nsproxy, ipc_ns);
  namespaces[NSB_NS_PID] = (__u64)BPF_CORE_READ(nsproxy, pid_ns_for_children);
  namespaces[NSB_NS_NET] = (__u64)BPF_CORE_READ(nsproxy, net_ns);
  namespaces[NSB_NS_USER] = (__u64)BPF_CORE_READ(task, cred, user_ns);
  namespaces[NSB_NS_CGROUP] = (__u64)BPF_CORE_READ(nsproxy, cgroup_ns);
  if (bpf_core_field_exists(nsproxy->time_ns_for_children))
    namespaces[NSB_NS_TIME] = (__u64)BPF_CORE_READ(nsproxy, time_ns_for_children);
}

/* The type setns(fd, 0) joined: the one whose pointer differs from the entry's. */
static __always_inline __u32 joined_ns_type(const struct nsb_in_flight* call) {
  __u64 now[NSB_NS_TYPE_COUNT] = {};
  read_task_namespaces(now);

  __u32 changed_types = 0;
  for (__u32 ns_type = NSB_NS_MNT; ns_type <= NSB_NS_TIME; ns_type++) {
    if (now[ns_type] != call->namespaces_before[ns_type])
      changed_types |= 1U << ns_type;
  }
  return nsb_ns_type_for_changes(changed_types);
}

static __always_inline void count_namespaces_created(__u64 namespace_flags) {
  for (__u32 ns_type = NSB_NS_MNT; ns_type <= NSB_NS_TIME; ns_type++) {
    if (namespace_flags & nsb_clone_flag_for_ns_type(ns_type))
      increment(&namespaces_created, ns_type);
  }
}

/* The probes' index of a syscall number in one table, or -1 for every syscall we do not time. */
static __always_inline int index_in_table(long nr, long clone, long clone3, long unshare,
                                          long setns) {
  if (nr == setns)
    return NSB_SYSCALL_SETNS;
  if (nr == unshare)
    return NSB_SYSCALL_UNSHARE;
  if (nr == clone)
    return NSB_SYSCALL_CLONE;
  if (nr == clone3)
    return NSB_SYSCALL_CLONE3;
  return -1;
}

/* How a program may read kernel memory: tp_btf programs get BTF-typed pointers, which they load
 * from directly; the others go through bpf_probe_read_kernel (BPF_CORE_READ), a helper call per
 * field, which on the path of every traced syscall is a cost worth avoiding. */
enum kernel_access { PROBE_READ, DIRECT_LOAD };

/* Whether the current syscall came through the 32-bit entry (int 0x80, sysenter), whose numbers
 * are those of the compat table. */
static __always_inline bool in_compat_syscall(enum kernel_access access) {
#if defined(__TARGET_ARCH_x86)
  const __u32 ts_compat = 0x0002; /* arch/x86/include/asm/thread_info.h */
  if (access == DIRECT_LOAD)
    return (bpf_get_current_task_btf()->thread_info.status & ts_compat) != 0;
  struct task_struct* task = (struct task_struct*)bpf_get_current_task();
  return (BPF_CORE_READ(task, thread_info.status) & ts_compat) != 0;
#else
  return false;
#endif
}

/* The probes' index of the current syscall, or -1 for every syscall we do not time. The table is
 * checked only when a number matches, so the syscalls we do not time pay only the compares. */
static __always_inline int syscall_index(long nr, enum kernel_access access) {
  int native = index_in_table(nr, clone_nr, clone3_nr, unshare_nr, setns_nr);
  int compat =
      index_in_table(nr, compat_clone_nr, compat_clone3_nr, compat_unshare_nr, compat_setns_nr);
  if (native < 0 && compat < 0)
    return -1;
  return in_compat_syscall(access) ? compat : native;
}

/* The first two syscall arguments, where the calling convention of the current syscall put them:
 * a compat syscall passes them in the 32-bit registers. */
static __always_inline void syscall_arguments(const struct pt_regs* regs, __u64* arg1, __u64* arg2,
                                              enum kernel_access access) {
#if defined(__TARGET_ARCH_x86)
  if (in_compat_syscall(access)) {
    *arg1 = (__u32)(access == DIRECT_LOAD ? regs->bx : BPF_CORE_READ(regs, bx));
    *arg2 = (__u32)(access == DIRECT_LOAD ? regs->cx : BPF_CORE_READ(regs, cx));
    return;
  }
#endif
  if (access == DIRECT_LOAD) {
    *arg1 = PT_REGS_PARM1_SYSCALL(regs);
    *arg2 = PT_REGS_PARM2_SYSCALL(regs);
    return;
  }
  *arg1 = PT_REGS_PARM1_CORE_SYSCALL(regs);
  *arg2 = PT_REGS_PARM2_CORE_SYSCALL(regs);
}

static __always_inline __u64 clone3_flags(__u64 user_clone_args) {
  __u64 flags = 0;

  /* clone3 keeps its flags in user memory: the first u64 of struct clone_args. An unreadable
   * pointer makes the call fail with EFAULT; it is still timed, as "none". */
  if (bpf_probe_read_user(&flags, sizeof(flags), (const void*)user_clone_args) != 0)
    return 0;
  return flags;
}

/* The record the current thread's entry left, now taken: in task storage its slot, reused by the
 * thread's next call (start_ns 0 marks it taken); from the hash map a copy in `scratch`, the
 * element deleted. NULL when there is none. */
static __always_inline struct nsb_in_flight* take_in_flight(struct nsb_in_flight* scratch) {
  if (use_task_storage) {
    struct nsb_in_flight* slot =
        bpf_task_storage_get(&in_flight_by_task, bpf_get_current_task_btf(), 0, 0);
    if (!slot || slot->start_ns == 0)
      return NULL;
    return slot;
  }

  __u64 thread = bpf_get_current_pid_tgid();
  struct nsb_in_flight* entry = bpf_map_lookup_elem(&in_flight, &thread);
  if (!entry)
    return NULL;
  /* Copied out before the delete, after which another CPU may reuse the element. */
  *scratch = *entry;
  bpf_map_delete_elem(&in_flight, &thread);
  return scratch;
}

/* Fills in what the exit needs to know about the call, the clock last so that decoding the flags
 * is not billed to the syscall. */
static __always_inline void record_entry(struct nsb_in_flight* entry, __u32 syscall, __u64 arg1,
                                         __u64 arg2) {
  entry->syscall = syscall;
  entry->resolve_joined_type = 0;
  switch (syscall) {
    case NSB_SYSCALL_CLONE:
      /* Legacy clone() keeps the exit signal in the low byte, where 0x80 is not CLONE_NEWTIME. */
      entry->namespace_flags = arg1 & ~NSB_CSIGNAL;
      entry->ns_type = nsb_ns_type_for_clone_flags(arg1);
      break;
    case NSB_SYSCALL_CLONE3:
      entry->namespace_flags = clone3_flags(arg1);
      entry->ns_type = nsb_ns_type_for_flags(entry->namespace_flags);
      break;
    case NSB_SYSCALL_UNSHARE:
      entry->namespace_flags = arg1;
      entry->ns_type = nsb_ns_type_for_flags(arg1);
      break;
    default:
      /* setns(fd, 0) joins whatever namespace fd refers to: the exit names it by what changed. */
      entry->namespace_flags = 0;
      entry->ns_type = nsb_ns_type_for_flags((__u32)arg2);
      if ((__u32)arg2 == 0) {
        entry->resolve_joined_type = 1;
        read_task_namespaces(entry->namespaces_before);
      }
      break;
  }
  entry->start_ns = bpf_ktime_get_ns();
}

static __always_inline void on_enter(__u32 syscall, __u64 arg1, __u64 arg2) {
  if (!current_task_selected())
    return;

  /* In task storage the record is written in place, in the thread's own slot. */
  if (use_task_storage) {
    struct nsb_in_flight* slot = bpf_task_storage_get(
        &in_flight_by_task, bpf_get_current_task_btf(), 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
    if (!slot) {
      count_event(NSB_COUNTER_MAP_UPDATE_FAILURES);
      return;
    }
    record_entry(slot, syscall, arg1, arg2);
    return;
  }

  struct nsb_in_flight entry = {};
  record_entry(&entry, syscall, arg1, arg2);
  __u64 thread = bpf_get_current_pid_tgid();
  if (bpf_map_update_elem(&in_flight, &thread, &entry, BPF_ANY) != 0)
    count_event(NSB_COUNTER_MAP_UPDATE_FAILURES);
}

static __always_inline void on_exit(__u32 syscall, long ret) {
  __u64 now = bpf_ktime_get_ns();

  /* A clone's child comes back through the same syscall exit, with 0, without having entered:
   * it is not a second call. A task the filters leave out made no entry either, and its exit is
   * not an unmatched one. */
  if ((syscall == NSB_SYSCALL_CLONE || syscall == NSB_SYSCALL_CLONE3) && ret == 0) {
    if (current_task_selected())
      count_event(NSB_COUNTER_UNMATCHED_EXITS);
    return;
  }

  /* No entry either means the call began before the probes were attached. A call that did make
   * one is finished whatever the filters say now (the task may have changed cgroup meanwhile). */
  struct nsb_in_flight scratch;
  struct nsb_in_flight* call = take_in_flight(&scratch);
  if (!call) {
    if (current_task_selected())
      count_event(NSB_COUNTER_UNMATCHED_EXITS);
    return;
  }
  __u64 start_ns = call->start_ns;
  call->start_ns = 0;

  __u32 ns_type = call->ns_type;
  if (ret >= 0) {
    if (call->resolve_joined_type)
      ns_type = joined_ns_type(call);
    count_namespaces_created(call->namespace_flags);
  }
  __u32 index =
      nsb_histogram_index(call->syscall, ns_type, ret >= 0 ? NSB_RESULT_OK : NSB_RESULT_ERROR);

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

/* A task was created by the current task (its parent, or the thread that cloned it). The
 * descendants filter follows a new process of a followed one; threads share their process's
 * entry. */
static __always_inline void on_new_task(__u32 child_pid, __u64 clone_flags, __u32 pidns_level,
                                        __u32 userns_level) {
  if (!current_task_selected())
    return;

  if (follow_descendants && !(clone_flags & NSB_CLONE_THREAD)) {
    __u8 yes = 1;
    if (bpf_map_update_elem(&followed, &child_pid, &yes, BPF_ANY) != 0)
      count_event(NSB_COUNTER_MAP_UPDATE_FAILURES);
  }
  increment(&task_levels, nsb_task_level_index(NSB_LEVEL_PIDNS, pidns_level));
  increment(&task_levels, nsb_task_level_index(NSB_LEVEL_USERNS, userns_level));
}

/* A task is exiting. When it is the last of its process, the process stops being followed, so
 * that neither a later process given the same number nor a full map skews the filter. */
static __always_inline void on_task_exit(void) {
  if (!follow_descendants)
    return;

  /* do_exit drops signal->live before this tracepoint: 0 means no thread of the process is left.
   * Read rather than taken from the tracepoint, whose group_dead argument older kernels lack. */
  struct task_struct* task = (struct task_struct*)bpf_get_current_task();
  if (BPF_CORE_READ(task, signal, live.counter) != 0)
    return;
  __u32 tgid = bpf_get_current_pid_tgid() >> 32;
  bpf_map_delete_elem(&followed, &tgid);
}

/* Both levels straight from the new task: its PID is numbered down to its PID namespace's level,
 * and its credentials carry its user namespace. */
static __always_inline void on_new_task_struct(struct task_struct* task, __u64 clone_flags) {
  on_new_task(BPF_CORE_READ(task, pid), clone_flags, BPF_CORE_READ(task, thread_pid, level),
              BPF_CORE_READ(task, cred, user_ns, level));
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
  int syscall = syscall_index(id, DIRECT_LOAD);
  if (syscall < 0)
    return 0;
  __u64 arg1, arg2;
  syscall_arguments(regs, &arg1, &arg2, DIRECT_LOAD);
  on_enter(syscall, arg1, arg2);
  return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(tp_btf_sys_exit, struct pt_regs* regs, long ret) {
  /* A direct, BTF-checked load: no helper call on the path every syscall takes. */
  int syscall = syscall_index((long)regs->SYSCALL_NR_FIELD, DIRECT_LOAD);
  if (syscall < 0)
    return 0;
  on_exit(syscall, ret);
  return 0;
}

SEC("tp_btf/task_newtask")
int BPF_PROG(tp_btf_task_newtask, struct task_struct* task, __u64 clone_flags) {
  on_new_task_struct(task, clone_flags);
  return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(tp_btf_sched_process_exit) {
  on_task_exit();
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

/* task_newtask's tracefs event carries the new task's pid and clone flags, not the task itself.
 * It fires in the parent after copy_process() has set the child up, so the child's levels are the
 * parent's, one deeper for each namespace the clone flags asked for: the child's PID is allocated
 * in the parent's pid_ns_for_children (or a new child of it), and its credentials are the parent's
 * (or a new user namespace below the parent's). */
SEC("tracepoint/task/task_newtask")
int tracepoint_task_newtask(struct trace_event_raw_task_newtask* ctx) {
  struct task_struct* parent = (struct task_struct*)bpf_get_current_task();
  __u64 clone_flags = ctx->clone_flags;
  __u32 pidns_level = BPF_CORE_READ(parent, nsproxy, pid_ns_for_children, level);
  __u32 userns_level = BPF_CORE_READ(parent, cred, user_ns, level);

  on_new_task(ctx->pid, clone_flags, pidns_level + ((clone_flags & NSB_CLONE_NEWPID) ? 1 : 0),
              userns_level + ((clone_flags & NSB_CLONE_NEWUSER) ? 1 : 0));
  return 0;
}

SEC("tracepoint/sched/sched_process_exit")
int tracepoint_sched_process_exit(void* ctx) {
  on_task_exit();
  return 0;
}

/* raw_tracepoint: like tp_btf, but the arguments are untyped, so pt_regs is read through
 * bpf_probe_read_kernel (BPF_CORE_READ). */
SEC("raw_tracepoint/sys_enter")
int raw_tracepoint_sys_enter(struct bpf_raw_tracepoint_args* ctx) {
  int syscall = syscall_index((long)ctx->args[1], PROBE_READ);
  if (syscall < 0)
    return 0;
  __u64 arg1, arg2;
  syscall_arguments((const struct pt_regs*)ctx->args[0], &arg1, &arg2, PROBE_READ);
  on_enter(syscall, arg1, arg2);
  return 0;
}

SEC("raw_tracepoint/sys_exit")
int raw_tracepoint_sys_exit(struct bpf_raw_tracepoint_args* ctx) {
  const struct pt_regs* regs = (const struct pt_regs*)ctx->args[0];
  int syscall = syscall_index((long)BPF_CORE_READ(regs, SYSCALL_NR_FIELD), PROBE_READ);
  if (syscall < 0)
    return 0;
  on_exit(syscall, (long)ctx->args[1]);
  return 0;
}

SEC("raw_tracepoint/task_newtask")
int raw_tracepoint_task_newtask(struct bpf_raw_tracepoint_args* ctx) {
  on_new_task_struct((struct task_struct*)ctx->args[0], (__u64)ctx->args[1]);
  return 0;
}

SEC("raw_tracepoint/sched_process_exit")
int raw_tracepoint_sched_process_exit(struct bpf_raw_tracepoint_args* ctx) {
  on_task_exit();
  return 0;
}
