#!/bin/sh
# Typical uses of unshare and nsenter, as scripts write them. The tests run this file twice, once
# with util-linux's tools first in PATH and once with links to nsbench named like them, and expect
# the very same output: every line is what a command printed, then its exit status.
set -u

run() {
  "$@"
  echo "exit $?"
}

# New PID namespace with its own /proc: the command is PID 1 and alone.
run unshare -fp --mount-proc sh -c 'echo "pid $$"; cat /proc/self/stat | cut -d" " -f1'
run unshare --fork --pid --mount-proc=/proc true
# Host name and domain in a new UTS namespace stay there.
run unshare -u sh -c 'hostname drop-in-test && hostname'
hostname | grep -c drop-in-test
# Root in a new user namespace, and the maps it gets.
run unshare -r sh -c 'id -u; id -g; cat /proc/self/uid_map | tr -s " "'
run unshare --map-user=0 --map-group=0 -U id -u
# A new network namespace has only loopback.
run unshare -n sh -c 'tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d " "'
# A new IPC, cgroup and time namespace, and a shifted boot-time clock, which /proc/uptime shows.
run unshare -i -C true
run unshare -T --boottime=86400 -f sh -c 'test "$(cut -d. -f1 /proc/uptime)" -ge 86400'
# The command's own exit status, a missing command, a non-executable one, bad options.
run unshare -f sh -c 'exit 3'
run unshare /nonexistent/command
not_executable=$(mktemp)
run unshare "$not_executable"
rm -f "$not_executable"
run unshare --no-such-option true
run unshare --propagation sideways -m true

# nsenter into a process in its own UTS and network namespaces.
unshare -un sleep 100 &
target=$!
while [ "$(readlink /proc/$target/ns/uts)" = "$(readlink /proc/self/ns/uts)" ]; do sleep 0.01; done
run nsenter -t "$target" -u hostname inside
run nsenter -t "$target" -u hostname
run nsenter --target "$target" --uts --net sh -c 'hostname; tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d " "'
run nsenter -t "$target" -a hostname
run nsenter --uts=/proc/"$target"/ns/uts hostname
run nsenter -u/proc/"$target"/ns/uts hostname
run nsenter -t "$target" -u -r/ -w/tmp sh -c 'hostname; pwd'
run nsenter -t "$target" -u -r/nonexistent true
run nsenter -t "$target" -u sh -c 'exit 5'
kill "$target"
wait "$target" 2>/dev/null
# A process that is gone, a namespace file that does not exist, bad options.
run nsenter -t "$target" -u true
run nsenter --net=/nonexistent true
run nsenter --no-such-option
