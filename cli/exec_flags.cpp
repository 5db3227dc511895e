#include "cli/exec_flags.h"

#include <signal.h>
#include <string.h>

#include <algorithm>
#include <cctype>

namespace nsbench::cli {

void ExecFlags::declare(CLI::App& app, WorkingDirectory working_directory) {
  // 4294967295 is (uid_t)-1, which setresuid() reads as "leave unchanged": the command would
  // quietly keep running as the caller. The kernel knows no such ID, so it is refused here.
  const auto valid_id = CLI::Validator(
      [](const std::string& text) -> std::string {
        if (text == "4294967295" || text == "-1")
          return text + " is not a valid ID (the kernel reads it as \"unchanged\")";
        return "";
      },
      "", "valid ID");
  app.add_option("-S,--setuid", uid_, "run the program as this user ID")->check(valid_id);
  app.add_option("-G,--setgid", gid_, "run the program with this group ID")->check(valid_id);
  if (working_directory == WorkingDirectory::optional_value) {
    working_directory_option_ =
        app.add_flag(std::string("-w,--wd{") + kNoValue + "}", working_directory_,
                     "working directory of the program (optionally =DIR)");
  } else {
    working_directory_option_ =
        app.add_option("-w,--wd", working_directory_, "working directory of the program");
  }
}

Result<engine::ExecEnvironment> ExecFlags::environment(
    const std::string& default_working_directory) const {
  engine::ExecEnvironment environment;
  environment.uid = uid_;
  environment.gid = gid_;
  if (working_directory_option_->count() > 0) {
    const bool bare = working_directory_.empty() || working_directory_ == kNoValue;
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
