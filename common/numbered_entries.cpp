#include "common/numbered_entries.h"

#include <dirent.h>

namespace nsbench {

bool for_each_numbered_entry(const char* directory,
                             const std::function<void(const char* name)>& visit) {
  DIR* stream = opendir(directory);
  if (stream == nullptr)
    return false;
  while (const dirent* entry = readdir(stream)) {
    if (entry->d_name[0] >= '0' && entry->d_name[0] <= '9')
      visit(entry->d_name);
  }
  closedir(stream);
  return true;
}

}  // namespace nsbench
