#include "cli/exec_flags.h"

#include <signal.h>
#include <string.h>

#include <algorithm>
#include <cctype>

namespace nsbench::cli {

std::string take_id(const char* value, std::optional<uint32_t>& into) {
  const std::string text = value != nullptr ? value : "";
  if (text == "4294967295" || text == "-1")
    return "'" + text + "' is not a valid ID (the kernel reads it as \"unchanged\")";
  long long id = 0;
  if (std::string problem = take_whole_number(value, 0, 4294967294LL, id); !problem.empty())
    return "'" + text + "' is not a valid ID (a number from 0 to 4294967294)";
  into = static_cast<uint32_t>(id);
  return "";
}

void ExecFlags::declare(OptionTable& table, WorkingDirectory working_directory) {
  table.push_back({'S', "setuid", Value::required, "UID", "run the program as this user ID",
                   [this](const char* value) { return take_id(value, uid_); }});
  table.push_back({'G', "setgid", Value::required, "GID", "run the program with this group ID",
                   [this](const char* value) { return take_id(value, gid_); }});
  const bool optional = working_directory == WorkingDirectory::optional_value;
  table.push_back({'w', "wd", optional ? Value::optional : Value::required, "DIR",
                   optional ? "working directory of the program (default: the target's)"
                            : "working directory of the program",
                   [this](const char* value) {
                     working_directory_given_ = true;
                     working_directory_ = value != nullptr ? value : "";
                     return std::string();
                   }});
}

Result<engine::ExecEnvironment> ExecFlags::environment(
    const std::string& default_working_directory) const {
  engine::ExecEnvironment environment;
  environment.uid = uid_;
  environment.gid = gid_;
  if (working_directory_given_) {
    const bool bare = working_directory_.empty();
    if (bare && default_working_directory.empty()) {
      return plain_error("--wd", "", "give a directory: --wd=DIR");
    }
    auto directory =
        engine::DirectoryHandle::open(bare ? default_working_directory : working_directory_);
    if (!directory)
      return std::unexpected(directory.error());
    environment.working_directory.emplace(std::move(*directory));
  }
  return environment;
}

std::optional<int> parse_signal(const std::string& text) {
  if (text.empty())
    return std::nullopt;
  if (std::all_of(text.begin(), text.end(), [](unsigned char c) { return std::isdigit(c); })) {
    const int number = std::stoi(text.size() > 3 ? "0" : text);
    return number > 0 && number < NSIG ? std::optional<int>(number) : std::nullopt;
  }
  std::string name = text;
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  if (name.starts_with("SIG"))
    name = name.substr(3);
  for (int number = 1; number < NSIG; ++number) {
    const char* abbreviation = sigabbrev_np(number);
    if (abbreviation != nullptr && name == abbreviation)
      return number;
  }
  return std::nullopt;
}

}  // namespace nsbench::cli
