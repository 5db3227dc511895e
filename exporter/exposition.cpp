#include "exporter/exposition.h"

#include <prometheus/text_serializer.h>

namespace nsbench::exporter {

std::string to_text_exposition(const prometheus::Collectable& collectable) {
  return prometheus::TextSerializer().Serialize(collectable.Collect());
}

}  // namespace nsbench::exporter
