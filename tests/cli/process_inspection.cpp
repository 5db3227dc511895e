#include "process_inspection.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <ostream>
#include <sstream>
#include <thread>

#include <fmt/core.h>

namespace nsbench::testing {

std::string read_text_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream content;
  content << in.rdbuf();
  return content.str();
}

std::vector<pid_t> children_of(pid_t pid) {
  std::vector<pid_t> children;
  std::error_code error;
  const std::string tasks = fmt::format("/proc/{}/task", pid);
  for (const auto& task : std::filesystem::directory_iterator(tasks, error)) {
    std::istringstream list(read_text_file(task.path() / "children"));
    for (pid_t child = 0; list >> child;)
      children.push_back(child);
  }
  return children;
}

std::string process_name(pid_t pid) {
  std::string name = read_text_file(fmt::format("/proc/{}/comm", pid));
  if (name.ends_with('\n'))
    name.pop_back();
  return name;
}

std::optional<pid_t> wait_for_child_named(pid_t parent, const std::string& name,
                                          std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  do {
    for (pid_t child : children_of(parent)) {
      if (process_name(child) == name)
        return child;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  } while (std::chrono::steady_clock::now() < deadline);
  return std::nullopt;
}

ino_t namespace_inode(const std::string& path) {
  struct stat status {};
  return stat(path.c_str(), &status) == 0 ? status.st_ino : 0;
}

std::optional<std::vector<PsRow>> parse_ps_aux(const std::string& output) {
  // USER PID %CPU %MEM VSZ RSS TTY STAT START TIME COMMAND: COMMAND is the 11th column and the
  // only one that may hold spaces.
  constexpr int kColumnsBeforeCommand = 10;
  std::istringstream lines(output);
  std::string header;
  if (!std::getline(lines, header) || !header.starts_with("USER") || !header.ends_with("COMMAND")) {
    return std::nullopt;
  }

  std::vector<PsRow> rows;
  for (std::string line; std::getline(lines, line);) {
    std::istringstream columns(line);
    std::string skipped;
    PsRow row;
    columns >> skipped >> row.pid;
    for (int column = 2; column < kColumnsBeforeCommand; ++column)
      columns >> skipped;
    std::getline(columns >> std::ws, row.command);
    if (row.pid <= 0 || row.command.empty())
      return std::nullopt;
    rows.push_back(row);
  }
  return rows;
}

void PrintTo(const PsRow& row, std::ostream* out) {
  *out << "{PID " << row.pid << ", \"" << row.command << "\"}";
}

}  // namespace nsbench::testing
