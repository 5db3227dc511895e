#!/usr/bin/env bash
# The whole test suite: set up and build, run every test with ctest (privileged tests need root),
# check formatting, then run the tests again in a build with AddressSanitizer and
# UndefinedBehaviorSanitizer.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh

echo "== tests"
ctest --test-dir build --output-on-failure -j2

echo "== formatting"
unformatted=$(git ls-files '*.cpp' '*.h' '*.c' | xargs clang-format --dry-run 2>&1 | grep -c warning: || true)
if [ "$unformatted" != 0 ]; then
  git ls-files '*.cpp' '*.h' '*.c' | xargs clang-format --dry-run 2>&1 | grep warning: | cut -d: -f1 | sort -u >&2
  echo "formatting: the files above differ from .clang-format (run clang-format -i on them)" >&2
  exit 1
fi
echo "all files formatted"

echo "== tests under AddressSanitizer and UndefinedBehaviorSanitizer"
NSBENCH_BUILD_DIR=build-sanitize scripts/setup.sh -DNSBENCH_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug
ctest --test-dir build-sanitize --output-on-failure -j2
