// 32-bit (compat) syscalls: a 64-bit process can enter the kernel through int 0x80, with the i386
// syscall numbers and argument registers, as a 32-bit program on a 64-bit kernel does. The probes
// must time those calls under their own names, and must not take another compat syscall whose
// number happens to be a native namespace syscall's for one.
#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

#include <string>

#include <gtest/gtest.h>

#include "probes/namespace_probes.h"
#include "support.h"
#include "workload.h"

namespace nsbench::probes {
namespace {

#if defined(__x86_64__)

// i386 syscall numbers (asm/unistd_32.h).
constexpr long kCompatUnshare = 310;
constexpr long kCompatSetns = 346;
// Number 56 is clone in the 64-bit table and an unimplemented syscall in the i386 one.
constexpr long kCompatUnimplemented = 56;

long compat_syscall(long number, long first, long second) {
  long result = number;
  // int 0x80 takes the i386 convention: number in eax, arguments in ebx and ecx. It clobbers
  // r8 to r11 in 64-bit mode.
  asm volatile("int $0x80"
               : "+a"(result)
               : "b"(first), "c"(second)
               : "memory", "r8", "r9", "r10", "r11");
  return static_cast<int>(result);
}

std::string compat_workload(int calls) {
  const int own = open("/proc/self/ns/uts", O_RDONLY | O_CLOEXEC);
  if (own < 0)
    return "open /proc/self/ns/uts failed";
  for (int i = 0; i < calls; ++i) {
    if (compat_syscall(kCompatUnshare, CLONE_NEWUTS, 0) != 0)
      return "compat unshare failed";
    if (compat_syscall(kCompatSetns, own, CLONE_NEWUTS) != 0)
      return "compat setns failed";
    if (compat_syscall(kCompatUnimplemented, 0, 0) != -ENOSYS)
      return "compat syscall 56 did not fail with ENOSYS";
  }
  close(own);
  return "";
}

TEST(CompatSyscalls, AreTimedUnderTheirOwnNamesInEveryModeThatSeesThem) {
  NSBENCH_REQUIRE_ROOT();
  if (!testing::in_initial_pid_namespace())
    GTEST_SKIP() << "the descendants filter needs the initial PID namespace";
  if (compat_syscall(kCompatUnimplemented, 0, 0) != -ENOSYS)
    GTEST_SKIP() << "this kernel has no 32-bit syscall entry (IA32_EMULATION)";
  constexpr int kCalls = 7;

  testing::GatedChild root([] { return compat_workload(kCalls); });
  std::vector<NamespaceProbes> attached;
  for (AttachMode mode : kAttachModes) {
    Result<NamespaceProbes> probes =
        NamespaceProbes::attach({.force_mode = mode, .descendants_of = root.pid()});
    if (probes)
      attached.push_back(std::move(*probes));
  }
  ASSERT_FALSE(attached.empty()) << "no attach mode loads on this kernel";
  root.release();
  ASSERT_EQ(root.wait(), "");

  for (const NamespaceProbes& probes : attached) {
    const testing::CountsByKey calls = testing::counts_by_key(probes.snapshot());
    // The kernel's per-syscall tracepoints skip compat syscalls, so that mode sees nothing; the
    // others see each call, and never the unimplemented one as a clone.
    const testing::CountsByKey expected =
        probes.attach_mode() == AttachMode::tracepoint
            ? testing::CountsByKey{}
            : testing::CountsByKey{{"unshare/uts/ok", kCalls}, {"setns/uts/ok", kCalls}};
    EXPECT_EQ(calls, expected) << "attach mode " << name(probes.attach_mode());
  }
}

#endif

}  // namespace
}  // namespace nsbench::probes
