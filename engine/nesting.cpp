#include "engine/nesting.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <string>

#include "engine/spawn.h"

namespace nsbench::engine {

namespace {

// Shared between every level through a MAP_SHARED page, because the levels are separate processes
// and only the outermost caller can report. Plain data: written by one level at a time.
struct NestingReport {
  std::atomic<int> depth_reached;
  int failed_level;
  int error_number;
  char operation[96];
  int exec_error_number;  // why the command could not be executed at the bottom, 0 if it was
};

Result<> write_own_proc_file(const char* name, const std::string& content) {
  const std::string path = std::string("/proc/self/") + name;
  const int fd = open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0)
    return system_error("open", path);
  const bool written =
      write(fd, content.data(), content.size()) == static_cast<ssize_t>(content.size());
  const int saved = errno;
  close(fd);
  errno = saved;
  if (!written)
    return system_error("write", path);
  return {};
}

// Maps root of the new user namespace to the IDs its creator had in the one above: the caller's
// own at the first level, root at every deeper one. Each level does this for itself: the level
// above sees the host's /proc, whose PIDs are not the ones its clone3() returned once PID
// namespaces nest, so it cannot name the child's map files. A process may map only its creator's
// IDs, and its groups only after denying setgroups.
Result<> map_own_root_to(uid_t outer_uid, gid_t outer_gid) {
  if (auto denied = write_own_proc_file("setgroups", "deny"); !denied)
    return denied;
  if (auto uids = write_own_proc_file("uid_map", "0 " + std::to_string(outer_uid) + " 1\n"); !uids)
    return uids;
  return write_own_proc_file("gid_map", "0 " + std::to_string(outer_gid) + " 1\n");
}

int run_level(int level, const NestOptions& options, const std::vector<std::string>& argv,
              NestingReport* report) {
  report->depth_reached.store(level);
  if (level == options.depth) {
    execute(argv);
    report->exec_error_number = errno;
    return exit_code_for_exec_failure(errno);
  }

  SpawnOptions next;
  next.namespaces.add(NamespaceType::pid);
  if (options.user_namespaces) {
    next.namespaces.add(NamespaceType::user);
    // A process may create a user namespace only while its own IDs are mapped in the one it is
    // in, so every level is mapped before it goes deeper.
    next.prepare_in_child = [uid = getuid(), gid = getgid()] { return map_own_root_to(uid, gid); };
  }
  auto child =
      spawn_in_namespaces(next, [&] { return run_level(level + 1, options, argv, report); });
  if (!child) {
    report->failed_level = level + 1;
    report->error_number = child.error().error_number;
    const Error& error = child.error();
    const std::string operation =
        error.subject.empty() ? error.operation : error.operation + " " + error.subject;
    std::strncpy(report->operation, operation.c_str(), sizeof report->operation - 1);
    return 1;
  }
  return child->wait().value_or(1);
}

}  // namespace

Result<NestedRun> run_nested(const NestOptions& options, const std::vector<std::string>& argv) {
  if (options.depth < 1)
    return plain_error("nest", "", "the depth must be at least 1");
  if (argv.empty())
    return plain_error("nest", "", "no command given");

  void* page = mmap(nullptr, sizeof(NestingReport), PROT_READ | PROT_WRITE,
                    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (page == MAP_FAILED)
    return system_error("mmap nesting report");
  auto* report = new (page) NestingReport{};

  // Level 0 is the caller itself; level 1 is the first new namespace.
  const int status = run_level(0, options, argv, report);
  NestedRun run{report->depth_reached.load(), status};
  const int failed_level = report->failed_level;
  const int error_number = report->error_number;
  const std::string operation = report->operation;
  const int exec_error_number = report->exec_error_number;
  munmap(page, sizeof(NestingReport));

  if (exec_error_number != 0)
    return std::unexpected(exec_failure(argv[0], exec_error_number));
  if (failed_level != 0) {
    std::string hint = "reached depth " + std::to_string(run.depth_reached);
    if (error_number == ENOSPC || error_number == EUSERS) {
      hint += "; the kernel allows at most " + std::to_string(kMaxNestingDepth) +
              " nested PID and user namespace levels (or a /proc/sys/user/max_*_namespaces "
              "limit was hit)";
    }
    return std::unexpected(Error{operation + " at nesting level " + std::to_string(failed_level),
                                 options.user_namespaces ? "pid,user" : "pid", error_number, hint});
  }
  return run;
}

}  // namespace nsbench::engine
