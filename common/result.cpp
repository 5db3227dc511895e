#include "common/result.h"

#include <cstring>

namespace nsbench {

std::string Error::message() const {
  std::string line = operation;
  if (!subject.empty())
    line += " (" + subject + ")";
  if (error_number != 0)
    line += std::string(": ") + std::strerror(error_number);
  if (!hint.empty())
    line += "; " + hint;
  return line;
}

}  // namespace nsbench
