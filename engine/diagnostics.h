// Hints for the errors namespace syscalls commonly return, so that every failure the user sees
// names a likely fix, not just an errno.
#pragma once

#include <string>

#include "engine/namespace_type.h"

namespace nsbench::engine {

// A likely fix for `error_number` returned while creating or joining `namespaces`; empty when
// nothing useful can be said.
std::string hint_for(int error_number, NamespaceSet namespaces);

}  // namespace nsbench::engine
