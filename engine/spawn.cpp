#include "engine/spawn.h"

#include <fcntl.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <utility>

#include "engine/diagnostics.h"
#include "engine/init.h"
#include "engine/mounts.h"
#include "engine/uts_namespace.h"

namespace nsbench::engine {

namespace {

// What a child writes back through the status pipe when its set-up fails. Fixed-size and plain,
// because the child may not allocate safely after a raw clone in a multithreaded parent.
struct ChildFailure {
  int error_number;
  char operation[160];
  char subject[64];
  char hint[200];
};

void copy_text(char* destination, size_t size, const std::string& text) {
  const size_t length = std::min(size - 1, text.size());
  std::memcpy(destination, text.data(), length);
  destination[length] = '\0';
}

[[noreturn]] void fail_in_child(int status_fd, const Error& error, int exit_code) {
  ChildFailure failure{};
  failure.error_number = error.error_number;
  copy_text(failure.operation, sizeof failure.operation, error.operation);
  copy_text(failure.subject, sizeof failure.subject, error.subject);
  copy_text(failure.hint, sizeof failure.hint, error.hint);
  (void)!write(status_fd, &failure, sizeof failure);
  _exit(exit_code);
}

// clone3() when the kernel has it (5.3+), clone() otherwise. Both behave like fork() here: no
// shared memory, SIGCHLD on exit, and a pidfd for the parent. Returns the child's PID, 0 in the
// child, or -1 with errno set.
pid_t clone_into_namespaces(const SpawnOptions& options, int* pidfd) {
  NamespaceSet namespaces = options.namespaces;
  // A time namespace takes clock offsets only before its first process enters it, so with offsets
  // the child creates and enters it itself (prepare_child).
  if (!options.clock_offsets.empty())
    namespaces.remove(NamespaceType::time);
  const uint64_t namespace_flags = namespaces.clone_flags();
  if (options.allow_clone3) {
    clone_args args{};
    args.flags = namespace_flags | CLONE_PIDFD;
    args.pidfd = reinterpret_cast<uint64_t>(pidfd);
    args.exit_signal = SIGCHLD;
    const long pid = syscall(SYS_clone3, &args, sizeof args);
    if (pid >= 0 || errno != ENOSYS)
      return static_cast<pid_t>(pid);
  }

  // clone() keeps the exit signal in the low byte of its flags, where CLONE_NEWTIME would sit:
  // a new time namespace can only be had through clone3().
  if (namespaces.contains(NamespaceType::time)) {
    errno = ENOSYS;
    return -1;
  }
  return static_cast<pid_t>(syscall(SYS_clone, namespace_flags | CLONE_PIDFD | SIGCHLD, nullptr,
                                    pidfd, nullptr, nullptr));
}

// Namespace set-up that must happen inside the child, in order.
Result<> prepare_child(const SpawnOptions& options) {
  if (options.namespaces.contains(NamespaceType::mnt)) {
    // By default (private) mounts made from here on do not propagate back to the host, as with
    // util-linux; --propagation can ask for slave, shared or unchanged instead.
    if (auto made = set_mount_propagation(options.propagation); !made)
      return made;
  }
  if (options.mount_proc) {
    if (auto mounted = mount_proc(options.proc_directory); !mounted)
      return mounted;
  }
  if (!options.hostname.empty()) {
    if (auto named = set_hostname(options.hostname); !named)
      return named;
  }
  if (!options.clock_offsets.empty()) {
    if (auto entered = enter_new_time_namespace(options.clock_offsets); !entered)
      return entered;
  }
  if (options.prepare_in_child)
    return options.prepare_in_child();
  return {};
}

Result<> validate(const SpawnOptions& options) {
  if (options.mount_proc && !options.namespaces.contains(NamespaceType::mnt)) {
    return plain_error("mount /proc", "mnt", "a private /proc needs a new mount namespace (-m)");
  }
  if (!options.hostname.empty() && !options.namespaces.contains(NamespaceType::uts)) {
    return plain_error("set host name", "uts", "a host name needs a new UTS namespace (-u)");
  }
  if (!options.clock_offsets.empty() && !options.namespaces.contains(NamespaceType::time)) {
    return plain_error("set clock offsets", "time", "clock offsets need a new time namespace (-T)");
  }
  return {};
}

// Reads the child's set-up report: end of file means the child got past set-up (or exec'ed).
Result<> read_child_status(int status_fd, ChildProcess& child) {
  ChildFailure failure{};
  ssize_t got;
  do {
    got = read(status_fd, &failure, sizeof failure);
  } while (got < 0 && errno == EINTR);
  if (got == 0)
    return {};
  (void)child.wait();
  if (got != static_cast<ssize_t>(sizeof failure)) {
    return plain_error("read child status", "", "the child died during namespace set-up");
  }
  return std::unexpected(
      Error{failure.operation, failure.subject, failure.error_number, failure.hint});
}

enum class AfterSetup { close_status_pipe, keep_until_exec };

Result<ChildProcess> spawn(const SpawnOptions& options, AfterSetup after_setup,
                           const std::function<int(int status_fd)>& run) {
  if (auto valid = validate(options); !valid)
    return std::unexpected(valid.error());

  int status_pipe[2];
  if (pipe2(status_pipe, O_CLOEXEC) < 0)
    return system_error("pipe2");

  // The child waits on this pipe until the parent's part of the set-up is done; without such a
  // part the pipe is not needed.
  int go_pipe[2] = {-1, -1};
  if (options.prepare_from_parent && pipe2(go_pipe, O_CLOEXEC) < 0) {
    const int saved = errno;
    close(status_pipe[0]);
    close(status_pipe[1]);
    errno = saved;
    return system_error("pipe2");
  }
  auto close_go_pipe = [&go_pipe] {
    for (int& fd : go_pipe) {
      if (fd >= 0)
        close(std::exchange(fd, -1));
    }
  };

  int pidfd = -1;
  const pid_t pid = clone_into_namespaces(options, &pidfd);
  if (pid < 0) {
    const int saved = errno;
    close(status_pipe[0]);
    close(status_pipe[1]);
    close_go_pipe();
    errno = saved;
    return system_error(options.allow_clone3 ? "clone3" : "clone", options.namespaces.to_string(),
                        hint_for(saved, options.namespaces));
  }

  if (pid == 0) {
    close(status_pipe[0]);
    if (go_pipe[0] >= 0) {
      close(go_pipe[1]);
      char go = 0;
      ssize_t got;
      do {
        got = read(go_pipe[0], &go, 1);
      } while (got < 0 && errno == EINTR);
      if (got != 1)
        _exit(1);  // the parent's set-up failed; it reports why
      close(go_pipe[0]);
    }
    if (auto prepared = prepare_child(options); !prepared) {
      fail_in_child(status_pipe[1], prepared.error(), 1);
    }
    if (after_setup == AfterSetup::close_status_pipe)
      close(status_pipe[1]);
    _exit(run(status_pipe[1]));
  }

  close(status_pipe[1]);
  ChildProcess child(pid, pidfd);
  if (options.prepare_from_parent) {
    close(std::exchange(go_pipe[0], -1));
    auto prepared = options.prepare_from_parent(pid);
    if (prepared) {
      const char go = 1;
      if (write(go_pipe[1], &go, 1) != 1)
        prepared = system_error("release child");
    }
    close_go_pipe();
    if (!prepared) {
      close(status_pipe[0]);
      return std::unexpected(prepared.error());  // `child` is killed and reaped on the way out
    }
  }
  auto status = read_child_status(status_pipe[0], child);
  close(status_pipe[0]);
  if (!status)
    return std::unexpected(status.error());
  return child;
}

[[noreturn]] void exec_command(const std::vector<std::string>& argv, int status_fd) {
  const int exit_code = execute(argv);
  fail_in_child(status_fd, exec_failure(argv[0], errno), exit_code);
}

}  // namespace

Result<ChildProcess> spawn_in_namespaces(const SpawnOptions& options,
                                         const std::function<int()>& body) {
  return spawn(options, AfterSetup::close_status_pipe,
               [&](int) { return options.init ? run_init_function(body) : body(); });
}

Result<ChildProcess> spawn_command(const SpawnOptions& options,
                                   const std::vector<std::string>& argv) {
  if (argv.empty())
    return plain_error("execute", "", "no command given");

  // Under an init, the command is the init's child and exec failures surface as its exit code
  // (127/126), as with tini; without one, they are reported as an Error by the status pipe.
  if (options.init) {
    return spawn(options, AfterSetup::close_status_pipe, [&](int) { return run_init(argv); });
  }
  return spawn(options, AfterSetup::keep_until_exec,
               [&](int status_fd) -> int { exec_command(argv, status_fd); });
}

Result<> unshare_and_prepare(const SpawnOptions& options) {
  if (options.prepare_from_parent || options.init) {
    return plain_error("unshare", "", "a parent step or an init needs a child: use --fork");
  }
  if (auto valid = validate(options); !valid)
    return valid;
  NamespaceSet namespaces = options.namespaces;
  if (!options.clock_offsets.empty())
    namespaces.remove(NamespaceType::time);  // prepare_child creates it, to set the offsets first
  if (auto unshared = unshare_namespaces(namespaces); !unshared)
    return unshared;
  return prepare_child(options);
}

int exit_code_for_exec_failure(int error_number) {
  return error_number == ENOENT ? 127 : 126;
}

Error exec_failure(const std::string& program, int error_number) {
  if (program.empty())
    return Error{"execute", "''", error_number, "the program name is empty"};
  return Error{"execute", program, error_number, {}};
}

int execute(const std::vector<std::string>& argv) {
  std::vector<char*> pointers;
  pointers.reserve(argv.size() + 1);
  for (const std::string& argument : argv)
    pointers.push_back(const_cast<char*>(argument.c_str()));
  pointers.push_back(nullptr);
  execvp(pointers[0], pointers.data());
  return exit_code_for_exec_failure(errno);
}

Result<> unshare_namespaces(NamespaceSet namespaces) {
  if (unshare(static_cast<int>(namespaces.clone_flags())) < 0) {
    return system_error("unshare", namespaces.to_string(), hint_for(errno, namespaces));
  }
  return {};
}

}  // namespace nsbench::engine
