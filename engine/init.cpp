#include "engine/init.h"

#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "engine/process.h"
#include "engine/spawn.h"

namespace nsbench::engine {

namespace {

// PID 1 gets no default signal actions from the kernel, so the init takes every signal
// synchronously and decides for itself: forward it, or reap on SIGCHLD.
sigset_t block_all_signals(sigset_t* previous) {
  sigset_t all;
  sigfillset(&all);
  sigprocmask(SIG_SETMASK, &all, previous);
  return all;
}

// Reaps every exited child, including orphans re-parented to the init. Returns true when `child`
// was among them, storing its wait status.
bool reap_children(pid_t child, int* child_status) {
  bool child_exited = false;
  for (;;) {
    int status = 0;
    const pid_t reaped = waitpid(-1, &status, WNOHANG);
    if (reaped <= 0)
      break;  // 0: others still run; -1/ECHILD: none left
    if (reaped == child) {
      *child_status = status;
      child_exited = true;
    }
  }
  return child_exited;
}

// Puts the calling child in a process group of its own, so that signals can go to everything it
// starts, and gives that group the terminal, if the init had one, so that the command can read
// from it. Called with every signal blocked: SIGTTOU, which tcsetpgrp() from a background group
// raises, does no harm then.
void isolate_in_own_process_group() {
  setpgid(0, 0);
  // ENOTTY (no terminal) and ENXIO are the usual case for a container's init.
  tcsetpgrp(STDIN_FILENO, getpgrp());
}

}  // namespace

int run_init_function(const std::function<int()>& child_main, ForwardTo forward_to) {
  // Outside PID 1, orphans of the command would go to the host's init: claim them instead.
  if (getpid() != 1)
    prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);

  sigset_t previous_mask;
  const sigset_t all_signals = block_all_signals(&previous_mask);

  const pid_t child = fork();
  if (child < 0) {
    std::fprintf(stderr, "nsbench init: fork: %s\n", std::strerror(errno));
    return 1;
  }
  if (child == 0) {
    isolate_in_own_process_group();
    // The command starts with every signal at its default action: one ignored by whoever started
    // the init (a shell's background job ignores SIGINT) would otherwise stay ignored through
    // exec, and forwarding it would do nothing.
    for (int signal_number = 1; signal_number < NSIG; ++signal_number) {
      if (signal_number != SIGKILL && signal_number != SIGSTOP)
        signal(signal_number, SIG_DFL);
    }
    sigprocmask(SIG_SETMASK, &previous_mask, nullptr);
    _exit(child_main());
  }
  // Also from this side, so that a signal arriving before the child runs reaches the group.
  setpgid(child, child);
  const pid_t signal_target = forward_to == ForwardTo::process_group ? -child : child;

  for (;;) {
    siginfo_t info{};
    if (sigwaitinfo(&all_signals, &info) < 0) {
      if (errno == EINTR)
        continue;
      std::fprintf(stderr, "nsbench init: sigwaitinfo: %s\n", std::strerror(errno));
      return 1;
    }
    if (info.si_signo != SIGCHLD) {
      // The command may already be gone; a failed forward is harmless then.
      kill(signal_target, info.si_signo);
      continue;
    }
    int child_status = 0;
    if (reap_children(child, &child_status))
      return shell_status(child_status);
  }
}

int run_init(const std::vector<std::string>& argv, ForwardTo forward_to) {
  return run_init_function(
      [&argv]() -> int {
        const int exit_code = execute(argv);
        const Error error = exec_failure(argv[0], errno);
        std::fprintf(stderr, "nsbench init: %s\n", error.message().c_str());
        return exit_code;
      },
      forward_to);
}

}  // namespace nsbench::engine
