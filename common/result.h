// Errors as values: every fallible operation in nsbench returns Result<T>, whose error names the
// operation that failed, the namespace type involved (when there is one), the errno, and a hint
// for the user when a likely fix exists. The CLI turns an Error into one line and an exit code.
#pragma once

#include <cerrno>
#include <expected>
#include <string>
#include <utility>

namespace nsbench {

struct Error {
  std::string operation;  // what was attempted, e.g. "clone3" or "mount /proc"
  std::string
      subject;  // namespace type or object involved ("net", "/proc/42/ns/pid"); may be empty
  int error_number = 0;  // errno, 0 when the failure is not a syscall's
  std::string hint;      // a likely fix, may be empty

  // One line for the user: "clone3 (net): Operation not permitted; hint".
  std::string message() const;
};

template <typename T = void>
using Result = std::expected<T, Error>;

// Builds the error for a syscall that just failed, capturing errno before anything can change it.
inline std::unexpected<Error> system_error(std::string operation, std::string subject = {},
                                           std::string hint = {}) {
  const int saved = errno;
  return std::unexpected(Error{std::move(operation), std::move(subject), saved, std::move(hint)});
}

inline std::unexpected<Error> plain_error(std::string operation, std::string subject = {},
                                          std::string hint = {}) {
  return std::unexpected(Error{std::move(operation), std::move(subject), 0, std::move(hint)});
}

}  // namespace nsbench
