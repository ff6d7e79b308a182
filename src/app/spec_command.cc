#include "app/spec_command.h"

#include <fmt/format.h>

#include <iostream>

#include "app/paths.h"
#include "spec/catalog.h"
#include "spec/describe.h"
#include "spec/validate.h"
#include "spec/value.h"

namespace millet::app {
namespace {

std::string range_text(const spec::Property& p) {
  if (p.range) return fmt::format("[{}, {}] step {}", p.range->min, p.range->max, p.range->step);
  if (!p.values.empty()) {
    std::string text;
    for (const auto& v : p.values) text += fmt::format("{}{}={}", text.empty() ? "" : ", ", v.value, v.description.en);
    return "{" + text + "}";
  }
  return "";
}

void print_type(const spec::DeviceType& type) {
  fmt::print("{} — {} / {}\n{}\n", type.name, type.description.en, type.description.zh, type.type);
  for (const auto& service : type.services) {
    fmt::print("\n  {} {} — {} / {}\n", service.siid, service.name, service.description.en, service.description.zh);
    for (const auto& p : service.properties) {
      fmt::print("    {:<7} {:<32} {:<7} {:<20} {} {}\n", spec::qualified_ids(service, p.piid),
                 spec::qualified_name(service, p.name), spec::format_name(p.format), spec::access_text(p.access),
                 range_text(p), p.unit);
    }
    for (const auto& a : service.actions) {
      fmt::print("    {:<7} {:<32} action  in {} out {}\n", spec::qualified_ids(service, a.aiid),
                 spec::qualified_name(service, a.name), fmt::join(a.in, ","), fmt::join(a.out, ","));
    }
    for (const auto& e : service.events) {
      fmt::print("    {:<7} {:<32} event   arguments {}\n", spec::qualified_ids(service, e.eiid),
                 spec::qualified_name(service, e.name), fmt::join(e.arguments, ","));
    }
  }
}

}  // namespace

std::string default_spec_dir() { return in_this_millet("spec", "devices", MILLET_SOURCE_SPEC_DIR); }

CLI::App* add_spec_command(CLI::App& app, SpecOptions& options) {
  CLI::App* command = app.add_subcommand("spec", "The device catalog: the types millet knows and their properties");
  command->add_option("--spec-dir", options.spec_dir, "Catalog folder (default: spec/ of this millet)");
  command->add_flag("--json", options.json, "Print JSON");
  // fallthrough: `millet spec show light --json` as well as `millet spec --json show light`.
  command->add_subcommand("list", "List the device types")->fallthrough();
  CLI::App* show = command->add_subcommand("show", "Show a device type's services, properties, actions and events");
  show->fallthrough();
  show->add_option("type", options.type, "A category (light) or its URN")->required();
  command->require_subcommand(1);
  return command;
}

int spec(const CLI::App& command, const SpecOptions& options) {
  const std::string directory = options.spec_dir.empty() ? default_spec_dir() : options.spec_dir;
  auto catalog = spec::Catalog::load(directory);
  if (!catalog) {
    fmt::print(stderr, "the catalog in {} does not load:\n{}\n", directory, catalog.error());
    return 1;
  }
  if (command.get_subcommand("list")->parsed()) {
    if (options.json) {
      boost::json::array list;
      for (const auto& type : catalog->device_types()) list.push_back(spec::summarize(type));
      fmt::print("{}\n", spec::json_text(list));
      return 0;
    }
    for (const auto& type : catalog->device_types()) {
      fmt::print("{:<28} {:<28} {}\n", type.name, type.description.en, type.description.zh);
    }
    fmt::print("{} device types, {} services ({})\n", catalog->device_types().size(), catalog->services().size(),
               directory);
    return 0;
  }
  const spec::DeviceType* type = catalog->find(options.type);
  if (!type) {
    fmt::print(stderr, "no device type '{}' in the catalog; `millet spec list` lists them\n", options.type);
    return 1;
  }
  if (options.json) {
    fmt::print("{}\n", spec::json_text(spec::describe(*type)));
  } else {
    print_type(*type);
  }
  return 0;
}

}  // namespace millet::app
