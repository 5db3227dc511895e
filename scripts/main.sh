#!/usr/bin/env bash
# The main job: set up, build, then attach the probes and run every benchmark scenario.
# Arguments are passed to `nsbench run` (e.g. --quick, --listen 127.0.0.1:9477, --textfile out.prom).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
exec build/nsbench run "$@"
