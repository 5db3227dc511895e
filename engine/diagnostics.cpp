#include "engine/diagnostics.h"

#include <unistd.h>

#include <cerrno>

namespace nsbench::engine {

std::string hint_for(int error_number, NamespaceSet namespaces) {
  switch (error_number) {
    case EPERM:
      if (geteuid() != 0)
        return "needs CAP_SYS_ADMIN: run as root, or add a user namespace (-U)";
      return "refused by the kernel or a security module even for root";
    case ENOSPC:
      return "a nesting limit (32 PID or user namespace levels) or a "
             "/proc/sys/user/max_*_namespaces limit was reached";
    case EUSERS:
      // Joining a time namespace answers EUSERS to a multithreaded caller.
      if (namespaces.contains(NamespaceType::time)) {
        return "joining a time namespace needs a single-threaded caller (run_joined() forks one)";
      }
      return "the nesting limit of 32 user namespace levels was reached";
    case ESRCH:
      return "the target process has exited";
    case EINVAL:
      if (namespaces.contains(NamespaceType::user) || namespaces.contains(NamespaceType::mnt) ||
          namespaces.contains(NamespaceType::time)) {
        return "the kernel refuses it for the caller's own user namespace, and to a "
               "multithreaded process";
      }
      return {};
    case ENOMEM:
      // fork() into a PID namespace whose init has exited fails this way too, and that is the
      // likelier cause for a namespace tool than memory.
      return "the PID namespace's init has exited, so no process can be created in it (or "
             "memory is short)";
    default:
      return {};
  }
}

}  // namespace nsbench::engine
