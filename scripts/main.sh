#!/usr/bin/env bash
# The main job: set up, build, then attach the probes and run every benchmark scenario.
# Arguments are passed to `nsbench run` (e.g. --quick, --listen 127.0.0.1:9477, --textfile out.prom);
# relative paths in them, and the results file, are taken from where this script was started.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
(cd "$root" && scripts/setup.sh)
exec "$root/build/nsbench" run "$@"
