// The namespace-type options shared by `unshare` and `enter`: util-linux's letters and long names
// (-m/--mount, -u/--uts, -i/--ipc, -n/--net, -p/--pid, -U/--user, -C/--cgroup, -T/--time), each
// accepting an optional "=FILE".
#pragma once

#include <array>
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "engine/namespace_type.h"

namespace nsbench::cli {

class NamespaceFlags {
 public:
  // Declares the eight options on `app`; `verb` completes each description ("unshare", "enter").
  void declare(CLI::App& app, const std::string& verb);

  // The types given on the command line.
  engine::NamespaceSet requested() const;

  // The FILE given as "--net=FILE", if any.
  std::optional<std::string> file(engine::NamespaceType type) const;

 private:
  struct Flag {
    CLI::Option* option = nullptr;
    std::vector<std::string> values;  // one per occurrence: "-p --pid=FILE" keeps the FILE
  };
  std::array<Flag, 8> flags_;
};

}  // namespace nsbench::cli
