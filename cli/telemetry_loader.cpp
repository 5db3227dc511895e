#include <dlfcn.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "cli/exit_codes.h"
#include "cli/telemetry_module.h"

namespace nsbench::cli {

namespace {

// Beside the binary (the build tree), then where `cmake --install` puts it.
std::vector<std::string> module_candidates() {
  std::vector<std::string> candidates;
  std::error_code error;
  const std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", error);
  if (!error)
    candidates.push_back((self.parent_path() / kTelemetryModuleName).string());
  candidates.push_back(std::string(NSBENCH_MODULE_DIR) + "/" + kTelemetryModuleName);
  return candidates;
}

Result<TelemetryEntryPoint> load_module() {
  std::string tried;
  for (const std::string& path : module_candidates()) {
    if (access(path.c_str(), F_OK) != 0) {
      tried += (tried.empty() ? "" : ", ") + path;
      continue;
    }
    // Never unloaded: its code runs until nsbench exits.
    void* module = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (module == nullptr)
      return plain_error("load " + path, "", dlerror());
    void* entry = dlsym(module, kTelemetryEntryPoint);
    if (entry == nullptr)
      return plain_error("load " + path, "", dlerror());
    return reinterpret_cast<TelemetryEntryPoint>(entry);
  }
  return plain_error("find the module " + std::string(kTelemetryModuleName), "",
                     "looked for " + tried + "; rebuild or reinstall nsbench");
}

// A subcommand listed under its real name and description whose action only says `message`:
// the module was not loaded (another subcommand was asked for) or could not be.
Subcommand stand_in(const char* name, const char* description, const std::string& message) {
  return {name, description, [name, message](CLI::App& app) -> Action {
            app.allow_extras();
            return [name, message](const std::vector<std::string>&) {
              print_error(name, message);
              return kExitFailure;
            };
          }};
}

}  // namespace

std::vector<Subcommand> telemetry_subcommands(bool load) {
  auto entry = load ? load_module() : plain_error("the module was not loaded");
  if (!entry) {
    const std::string message = entry.error().message();
    return {stand_in("run", kRunDescription, message),
            stand_in("trace", kTraceDescription, message),
            stand_in("overhead", kOverheadDescription, message)};
  }
  std::vector<Subcommand> subcommands;
  (*entry)(&subcommands);
  return subcommands;
}

}  // namespace nsbench::cli
