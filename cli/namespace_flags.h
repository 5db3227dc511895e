// The namespace-type options shared by `unshare` and `enter`: util-linux's letters and long names
// (-m/--mount, -u/--uts, -i/--ipc, -n/--net, -p/--pid, -U/--user, -C/--cgroup, -T/--time), each
// accepting an optional "=FILE".
#pragma once

#include <array>
#include <optional>
#include <string>

#include "cli/option_table.h"
#include "engine/namespace_type.h"

namespace nsbench::cli {

class NamespaceFlags {
 public:
  NamespaceFlags() = default;
  // The table's entries point at this object.
  NamespaceFlags(const NamespaceFlags&) = delete;
  NamespaceFlags& operator=(const NamespaceFlags&) = delete;

  // Adds the eight options to `table`; `verb` completes each description ("unshare", "enter").
  // With `short_forms_take_files` (nsenter) "-nFILE" names a file; without (unshare) only
  // "--net=FILE" does, and "-nu" is two options.
  void declare(OptionTable& table, const std::string& verb, bool short_forms_take_files);

  // The types given on the command line.
  engine::NamespaceSet requested() const;

  // The FILE given as "--net=FILE", if any.
  std::optional<std::string> file(engine::NamespaceType type) const;

 private:
  struct Flag {
    bool given = false;
    std::optional<std::string> file;  // "-p --pid=FILE" keeps the FILE
  };
  std::array<Flag, 8> flags_;
  std::array<std::string, 8> helps_;  // the table keeps pointers to them
};

}  // namespace nsbench::cli
