#pragma once
// The catalog: every device type millet knows, loaded from the JSON files of
// spec/ (docs/spec.md) and checked as it loads. Immutable afterwards, so any
// thread may read it.

#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "base/expected.h"
#include "spec/device_type.h"

namespace millet::spec {

class Catalog {
 public:
  // Loads `directory`/services/*.json, then `directory`/devices/*.json. Fails
  // with every problem found, one per line, each naming the file, the entry
  // and the rule.
  static Expected<Catalog, std::string> load(const std::filesystem::path& directory);

  // The same from JSON texts in memory: file name -> text (for tests).
  static Expected<Catalog, std::string> from_texts(const std::map<std::string, std::string>& services,
                                                   const std::map<std::string, std::string>& devices);

  // By category name ("light") or by URN; nullptr if there is none.
  const DeviceType* find(std::string_view name_or_urn) const;
  // All device types, by name.
  const std::vector<DeviceType>& device_types() const { return types_; }
  // The standard services as defined, all properties included.
  const std::vector<Service>& services() const { return services_; }

 private:
  std::vector<Service> services_;
  std::vector<DeviceType> types_;
};

}  // namespace millet::spec
