// The engine's overhead over the system calls it wraps: the same clone3() of a child in new
// namespaces, once through engine::spawn_in_namespaces and once written out by hand. The product
// goal is an engine at most 5% slower than the bare sequence.
#pragma once

#include <memory>

#include "bench/operations.h"
#include "common/result.h"
#include "engine/namespace_type.h"

namespace nsbench::bench {

// The namespaces both sides of the comparison create: enough kinds that the engine's per-type
// bookkeeping would show, with net making each iteration long enough to time reliably.
engine::NamespaceSet engine_overhead_namespaces();

// The bare counterpart of spawn_and_wait(): a raw clone3() with the CLONE_NEW* flags of
// `namespaces` and CLONE_PIDFD, a child that makes its mounts private when it has a new mount
// namespace (the one set-up syscall the engine makes by default) and calls _exit(0), waitpid()
// and the close of the pidfd. No status pipe, no set-up checks: what the engine's spawn and wait
// amount to without the engine. Measured in the parent, from before clone3() to after the close.
Result<std::unique_ptr<Operation>> bare_clone3_and_wait(engine::NamespaceSet namespaces);

}  // namespace nsbench::bench
