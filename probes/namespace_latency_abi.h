/* The contract between namespace_latency.bpf.c and the C++ loader: the layout of the maps, the
 * label enums that index the histogram array, and the pure rules both sides must agree on
 * (latency slot, namespace type, nesting-level slot). Plain C, so that clang -target bpf and g++
 * compile the very same definitions; the unit tests check the rules against probes/snapshot.h and
 * <sched.h>. */
#pragma once

/* The BPF side gets __u64 and friends from vmlinux.h, which must not meet the UAPI headers. */
#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

enum nsb_syscall {
  NSB_SYSCALL_CLONE,
  NSB_SYSCALL_CLONE3,
  NSB_SYSCALL_UNSHARE,
  NSB_SYSCALL_SETNS,
  NSB_SYSCALL_COUNT,
};

enum nsb_ns_type {
  NSB_NS_NONE,
  NSB_NS_MNT,
  NSB_NS_UTS,
  NSB_NS_IPC,
  NSB_NS_PID,
  NSB_NS_NET,
  NSB_NS_USER,
  NSB_NS_CGROUP,
  NSB_NS_TIME,
  NSB_NS_MULTI,
  NSB_NS_TYPE_COUNT,
};

enum nsb_result {
  NSB_RESULT_OK,
  NSB_RESULT_ERROR,
  NSB_RESULT_COUNT,
};

/* Events the BPF side drops rather than folds into a histogram, each counted so that a reader
 * can tell a quiet system from a probe that loses calls. */
enum nsb_counter {
  NSB_COUNTER_UNMATCHED_EXITS,
  NSB_COUNTER_NEGATIVE_DELTAS,
  NSB_COUNTER_MAP_UPDATE_FAILURES,
  NSB_COUNTER_COUNT,
};

#define NSB_LATENCY_SLOTS 40 /* must equal nsbench::probes::kLatencySlots */
#define NSB_HISTOGRAM_COUNT \
  ((int)NSB_SYSCALL_COUNT * (int)NSB_NS_TYPE_COUNT * (int)NSB_RESULT_COUNT)
#define NSB_MAX_IN_FLIGHT 8192 /* threads inside one of the four syscalls at the same time */
#define NSB_MAX_FOLLOWED 16384 /* live processes followed by the descendants filter */

/* PID and user namespaces nest at most 32 levels below the initial one (level 0), so the level
 * histograms have one slot per level, 0 to 32 inclusive. */
#define NSB_MAX_NAMESPACE_LEVEL 32 /* must equal nsbench::probes::kMaxNamespaceLevel */
#define NSB_LEVEL_SLOTS (NSB_MAX_NAMESPACE_LEVEL + 1)

/* The two nesting depths recorded for every new task; with the level they index task_levels. */
enum nsb_level_kind {
  NSB_LEVEL_PIDNS,
  NSB_LEVEL_USERNS,
  NSB_LEVEL_KIND_COUNT,
};

#define NSB_TASK_LEVEL_COUNT ((int)NSB_LEVEL_KIND_COUNT * NSB_LEVEL_SLOTS)

/* Value of one (syscall, namespace type, result) entry of the per-CPU histogram array. */
struct nsb_latency_histogram {
  __u64 slots[NSB_LATENCY_SLOTS];
  __u64 count;
  __u64 sum_ns;
};

/* What a thread's syscall entry leaves for its exit, keyed by pid_tgid. */
struct nsb_in_flight {
  __u64 start_ns;
  /* The CLONE_NEW* bits of a clone, clone3 or unshare: each one counts a namespace created when
   * the call succeeds. */
  __u64 namespace_flags;
  /* setns(fd, 0) only: the task's namespaces at entry, indexed by nsb_ns_type (mnt to time; the
   * none and multi entries stay 0). The exit compares them to name the type joined. */
  __u64 namespaces_before[NSB_NS_TYPE_COUNT];
  __u32 syscall;
  __u32 ns_type;
  __u32 resolve_joined_type; /* 1 for setns(fd, 0) */
  __u32 padding;
};

/* vmlinux.h carries no macros, so the clone flags are spelled out here; the unit tests check
 * them against <sched.h>. */
#define NSB_CSIGNAL 0x000000ffULL
#define NSB_CLONE_NEWTIME 0x00000080ULL
#define NSB_CLONE_THREAD 0x00010000ULL
#define NSB_CLONE_NEWNS 0x00020000ULL
#define NSB_CLONE_NEWCGROUP 0x02000000ULL
#define NSB_CLONE_NEWUTS 0x04000000ULL
#define NSB_CLONE_NEWIPC 0x08000000ULL
#define NSB_CLONE_NEWUSER 0x10000000ULL
#define NSB_CLONE_NEWPID 0x20000000ULL
#define NSB_CLONE_NEWNET 0x40000000ULL

static inline __u32 nsb_histogram_index(__u32 syscall, __u32 ns_type, __u32 result) {
  return (syscall * NSB_NS_TYPE_COUNT + ns_type) * NSB_RESULT_COUNT + result;
}

/* Index into task_levels. A level above the kernel's limit cannot happen today; should a future
 * kernel allow deeper nesting, such tasks land in the last slot rather than being lost. */
static inline __u32 nsb_task_level_index(__u32 kind, __u32 level) {
  if (level > NSB_MAX_NAMESPACE_LEVEL)
    level = NSB_MAX_NAMESPACE_LEVEL;
  return kind * NSB_LEVEL_SLOTS + level;
}

/* Slot 0 holds <= 1 ns; slot k holds (2^(k-1), 2^k] ns, that is k is the bit length of ns - 1.
 * Written as a fixed ladder of comparisons because the verifier accepts it without a loop. */
static inline __u32 nsb_slot_for_ns(__u64 ns) {
  if (ns <= 1)
    return 0;

  __u64 value = ns - 1;
  __u32 bits = 0;
  if (value >= (1ULL << 32)) {
    value >>= 32;
    bits += 32;
  }
  if (value >= (1ULL << 16)) {
    value >>= 16;
    bits += 16;
  }
  if (value >= (1ULL << 8)) {
    value >>= 8;
    bits += 8;
  }
  if (value >= (1ULL << 4)) {
    value >>= 4;
    bits += 4;
  }
  if (value >= (1ULL << 2)) {
    value >>= 2;
    bits += 2;
  }
  if (value >= (1ULL << 1)) {
    value >>= 1;
    bits += 1;
  }
  bits += (__u32)value; /* value is 1 here */
  return bits < NSB_LATENCY_SLOTS ? bits : NSB_LATENCY_SLOTS - 1;
}

/* The namespace type a set of CLONE_NEW* flags creates or joins: "none" when no namespace flag is
 * set, "multi" when several are. Flags that are not namespace flags are ignored. */
static inline __u32 nsb_ns_type_for_flags(__u64 flags) {
  __u32 type = NSB_NS_NONE;
  __u32 types_seen = 0;

  if (flags & NSB_CLONE_NEWNS) {
    type = NSB_NS_MNT;
    types_seen++;
  }
  if (flags & NSB_CLONE_NEWUTS) {
    type = NSB_NS_UTS;
    types_seen++;
  }
  if (flags & NSB_CLONE_NEWIPC) {
    type = NSB_NS_IPC;
    types_seen++;
  }
  if (flags & NSB_CLONE_NEWPID) {
    type = NSB_NS_PID;
    types_seen++;
  }
  if (flags & NSB_CLONE_NEWNET) {
    type = NSB_NS_NET;
    types_seen++;
  }
  if (flags & NSB_CLONE_NEWUSER) {
    type = NSB_NS_USER;
    types_seen++;
  }
  if (flags & NSB_CLONE_NEWCGROUP) {
    type = NSB_NS_CGROUP;
    types_seen++;
  }
  if (flags & NSB_CLONE_NEWTIME) {
    type = NSB_NS_TIME;
    types_seen++;
  }
  return types_seen > 1 ? (__u32)NSB_NS_MULTI : type;
}

/* Legacy clone() keeps the child's exit signal in the low byte (CSIGNAL), where 0x80 is a signal
 * bit and not CLONE_NEWTIME; clone() cannot create a time namespace at all. */
static inline __u32 nsb_ns_type_for_clone_flags(__u64 flags) {
  return nsb_ns_type_for_flags(flags & ~NSB_CSIGNAL);
}

/* The CLONE_NEW* flag that creates or joins a namespace of `ns_type`; 0 for none and multi. */
static inline __u64 nsb_clone_flag_for_ns_type(__u32 ns_type) {
  switch (ns_type) {
    case NSB_NS_MNT:
      return NSB_CLONE_NEWNS;
    case NSB_NS_UTS:
      return NSB_CLONE_NEWUTS;
    case NSB_NS_IPC:
      return NSB_CLONE_NEWIPC;
    case NSB_NS_PID:
      return NSB_CLONE_NEWPID;
    case NSB_NS_NET:
      return NSB_CLONE_NEWNET;
    case NSB_NS_USER:
      return NSB_CLONE_NEWUSER;
    case NSB_NS_CGROUP:
      return NSB_CLONE_NEWCGROUP;
    case NSB_NS_TIME:
      return NSB_CLONE_NEWTIME;
    default:
      return 0;
  }
}

/* The type a setns(fd, 0) joined, from the set of namespace types whose pointer changed during the
 * call (bit 1 << nsb_ns_type each): none when nothing changed (a failed call, or joining the
 * namespace the task was already in), multi when several did. */
static inline __u32 nsb_ns_type_for_changes(__u32 changed_types) {
  __u64 flags = 0;
  for (__u32 ns_type = NSB_NS_MNT; ns_type <= NSB_NS_TIME; ns_type++) {
    if (changed_types & (1U << ns_type))
      flags |= nsb_clone_flag_for_ns_type(ns_type);
  }
  return nsb_ns_type_for_flags(flags);
}
