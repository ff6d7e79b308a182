// Loading the catalog: JSON files to DeviceTypes, with every rule of
// docs/spec.md checked on the way. A device type's service is built by
// taking the standard service's JSON, keeping the members the type lists and
// applying its overrides, and then reading the result with the same code and
// the same checks as a standard service — so an override cannot slip past a
// rule.

#include "spec/catalog.h"

#include <boost/json/parse.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <fstream>
#include <set>
#include <sstream>

#include "spec/value.h"

namespace millet::spec {
namespace {

namespace json = boost::json;

constexpr std::uint32_t kMaxId = 65535;
constexpr std::uint32_t kMaxStringLength = 1 << 20;

constexpr std::array<std::string_view, 30> kUnits{
    "percentage", "celsius", "kelvin", "rgb", "lux", "ppm", "ppb", "ug-per-m3", "mg-per-m3", "watt",
    "kilowatt-hour", "volt", "ampere", "hertz", "kilogram", "gram", "litre", "millilitre", "litre-per-minute",
    "metre", "square-metre", "seconds", "minutes", "hours", "days", "kbps", "hectopascal", "decibel", "rpm",
    "degree"};

// Where a problem is: the file, and the path to the entry inside it.
struct Where {
  std::string file;
  std::string path;

  Where member(std::string_view key) const { return {file, path.empty() ? std::string(key) : path + "." + std::string(key)}; }
  Where item(std::size_t index) const { return {file, path + "[" + std::to_string(index) + "]"}; }
  Where named(std::string_view name) const { return {file, path + " \"" + std::string(name) + "\""}; }
  std::string text() const { return path.empty() ? file : file + ": " + path; }
};

class Problems {
 public:
  void add(const Where& where, std::string what) { lines_.push_back(where.text() + ": " + what); }
  std::size_t count() const { return lines_.size(); }
  std::string text() const {
    std::string all;
    for (const auto& line : lines_) all += (all.empty() ? "" : "\n") + line;
    return all;
  }

 private:
  std::vector<std::string> lines_;
};

bool valid_name(std::string_view name) {
  if (name.empty() || name.size() > 64 || !(name[0] >= 'a' && name[0] <= 'z')) return false;
  return std::all_of(name.begin(), name.end(),
                     [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'; });
}

// "urn:millet-spec:<kind>:<name>:<version>"
bool valid_urn(std::string_view urn, std::string_view kind, std::string_view name) {
  const std::string prefix = fmt::format("urn:millet-spec:{}:{}:", kind, name);
  if (!urn.starts_with(prefix) || urn.size() == prefix.size()) return false;
  const auto version = urn.substr(prefix.size());
  return std::all_of(version.begin(), version.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Reads fields of JSON objects, noting what is missing or of the wrong type.
class Reader {
 public:
  explicit Reader(Problems& problems) : problems_(problems) {}
  Problems& problems() { return problems_; }

  const json::object* object(const json::value& value, const Where& where) {
    if (const auto* o = value.if_object()) return o;
    problems_.add(where, "is not a JSON object");
    return nullptr;
  }

  // Notes keys that are not in `allowed` (a misspelt key would otherwise be ignored).
  void only(const json::object& o, std::initializer_list<std::string_view> allowed, const Where& where) {
    for (const auto& [key, value] : o) {
      if (std::find(allowed.begin(), allowed.end(), std::string_view(key)) == allowed.end()) {
        problems_.add(where, fmt::format("unknown field \"{}\"", std::string_view(key)));
      }
    }
  }

  std::optional<std::string> string(const json::object& o, std::string_view key, const Where& where,
                                    bool required = true) {
    const auto* value = o.if_contains(key);
    if (!value) {
      if (required) problems_.add(where, fmt::format("\"{}\" is missing", key));
      return std::nullopt;
    }
    if (!value->is_string() || value->get_string().empty()) {
      problems_.add(where, fmt::format("\"{}\" must be a non-empty string", key));
      return std::nullopt;
    }
    return std::string(value->get_string());
  }

  std::optional<std::string> name(const json::object& o, const Where& where) {
    auto name = string(o, "name", where);
    if (name && !valid_name(*name)) {
      problems_.add(where, fmt::format("name \"{}\" must be lowercase letters, digits and '-', starting with a letter",
                                       *name));
      return std::nullopt;
    }
    return name;
  }

  std::optional<std::uint32_t> id(const json::value* value, std::string_view key, const Where& where) {
    if (!value) {
      problems_.add(where, fmt::format("\"{}\" is missing", key));
      return std::nullopt;
    }
    if (!value->is_int64() || value->get_int64() < 1 || value->get_int64() > kMaxId) {
      problems_.add(where, fmt::format("\"{}\" must be an integer from 1 to {}", key, kMaxId));
      return std::nullopt;
    }
    return static_cast<std::uint32_t>(value->get_int64());
  }
  std::optional<std::uint32_t> id(const json::object& o, std::string_view key, const Where& where) {
    return id(o.if_contains(key), key, where);
  }

  std::optional<Text> text(const json::object& o, std::string_view key, const Where& where) {
    const auto* value = o.if_contains(key);
    const json::object* t = value ? value->if_object() : nullptr;
    if (!t) {
      problems_.add(where, fmt::format("\"{}\" must be an object with \"en\" and \"zh\"", key));
      return std::nullopt;
    }
    const Where inner = where.member(key);
    only(*t, {"en", "zh"}, inner);
    auto en = string(*t, "en", inner);
    auto zh = string(*t, "zh", inner);
    if (!en || !zh) return std::nullopt;
    return Text{std::move(*en), std::move(*zh)};
  }

  // An optional array; nullptr (and a problem) if present but not an array.
  const json::array* array(const json::object& o, std::string_view key, const Where& where) {
    const auto* value = o.if_contains(key);
    if (!value) return nullptr;
    if (const auto* a = value->if_array()) return a;
    problems_.add(where, fmt::format("\"{}\" must be an array", key));
    return nullptr;
  }

  std::vector<std::uint32_t> ids(const json::object& o, std::string_view key, const Where& where) {
    std::vector<std::uint32_t> ids;
    const auto* list = array(o, key, where);
    if (!list) return ids;
    for (std::size_t i = 0; i < list->size(); ++i) {
      if (auto id = this->id(&(*list)[i], key, where.member(key).item(i))) ids.push_back(*id);
    }
    return ids;
  }

 private:
  Problems& problems_;
};

// --- properties ----------------------------------------------------------------

bool integral(double d) { return std::trunc(d) == d; }

void read_range(Reader& reader, const json::value& value, Property& property, const Where& where) {
  const auto* list = value.if_array();
  if (!list || list->size() != 3 || !std::all_of(list->begin(), list->end(), [](auto& v) { return v.is_number(); })) {
    reader.problems().add(where, "value-range must be [min, max, step], three numbers");
    return;
  }
  const ValueRange range{(*list)[0].to_number<double>(), (*list)[1].to_number<double>(),
                         (*list)[2].to_number<double>()};
  const std::string shown = fmt::format("value-range [{}, {}, {}]", range.min, range.max, range.step);
  if (!is_numeric(property.format)) {
    reader.problems().add(where, fmt::format("{} is for numbers, not {}", shown, format_name(property.format)));
    return;
  }
  if (is_integer(property.format)) {
    const auto limits = integer_limits(property.format);
    if (!integral(range.min) || !integral(range.max) || !integral(range.step)) {
      reader.problems().add(where, fmt::format("{} must be whole numbers for {}", shown, format_name(property.format)));
      return;
    }
    if (range.min < static_cast<double>(limits.min) || range.max > static_cast<double>(limits.max)) {
      reader.problems().add(where, fmt::format("{} is outside {}", shown, format_name(property.format)));
      return;
    }
  }
  if (range.min > range.max || !(range.step > 0)) {
    reader.problems().add(where, fmt::format("{} needs min <= max and step > 0", shown));
    return;
  }
  const double steps = (range.max - range.min) / range.step;
  if (std::fabs(steps - std::round(steps)) > 1e-6 * std::max(1.0, steps)) {
    reader.problems().add(where, fmt::format("{}: max is not min plus whole steps", shown));
    return;
  }
  property.range = range;
}

void read_value_list(Reader& reader, const json::value& value, Property& property, const Where& where) {
  const auto* list = value.if_array();
  if (!list || list->empty()) {
    reader.problems().add(where, "value-list must be a non-empty array");
    return;
  }
  if (!is_integer(property.format)) {
    reader.problems().add(where, fmt::format("value-list is for integer formats, not {}", format_name(property.format)));
    return;
  }
  const auto limits = integer_limits(property.format);
  std::set<std::int64_t> seen;
  for (std::size_t i = 0; i < list->size(); ++i) {
    const Where at = where.member("value-list").item(i);
    const auto* entry = reader.object((*list)[i], at);
    if (!entry) continue;
    reader.only(*entry, {"value", "description"}, at);
    const auto* v = entry->if_contains("value");
    if (!v || !v->is_int64() || v->get_int64() < limits.min || v->get_int64() > limits.max) {
      reader.problems().add(at, fmt::format("\"value\" must be an integer within {}", format_name(property.format)));
      continue;
    }
    if (!seen.insert(v->get_int64()).second) {
      reader.problems().add(at, fmt::format("value {} is listed twice", v->get_int64()));
      continue;
    }
    if (auto description = reader.text(*entry, "description", at)) {
      property.values.push_back({v->get_int64(), std::move(*description)});
    }
  }
}

std::optional<Property> read_property(Reader& reader, const json::object& o, Where where) {
  const std::size_t problems_before = reader.problems().count();
  reader.only(o,
              {"piid", "name", "description", "format", "access", "value-range", "value-list", "unit", "max-length",
               "history-days"},
              where);
  Property property;
  auto name = reader.name(o, where);
  if (name) {
    property.name = *name;
    where = where.named(*name);
  }
  if (auto piid = reader.id(o, "piid", where)) property.piid = *piid;
  if (auto description = reader.text(o, "description", where)) property.description = std::move(*description);
  auto format_text = reader.string(o, "format", where);
  const auto format = format_text ? parse_format(*format_text) : std::nullopt;
  if (format_text && !format) reader.problems().add(where, fmt::format("unknown format \"{}\"", *format_text));
  if (!format) return std::nullopt;
  property.format = *format;

  if (const auto* access = reader.array(o, "access", where)) {
    for (const auto& item : *access) {
      const std::string_view text = item.is_string() ? std::string_view(item.get_string()) : std::string_view();
      const std::uint8_t bit = text == "read" ? kRead : text == "write" ? kWrite : text == "notify" ? kNotify : 0;
      if (!bit || (property.access & bit)) {
        reader.problems().add(where, fmt::format("access: {} is not read, write or notify (once each)", to_text(item)));
        continue;
      }
      property.access |= bit;
    }
  } else if (!o.contains("access")) {
    reader.problems().add(where, "\"access\" is missing (an empty list for an argument only)");
  }

  const auto* range = o.if_contains("value-range");
  const auto* list = o.if_contains("value-list");
  if (range && list) reader.problems().add(where, "has both value-range and value-list");
  else if (range) read_range(reader, *range, property, where);
  else if (list) read_value_list(reader, *list, property, where);

  if (o.contains("unit")) {
    auto unit = reader.string(o, "unit", where);
    if (unit && std::find(kUnits.begin(), kUnits.end(), *unit) == kUnits.end()) {
      reader.problems().add(where, fmt::format("unknown unit \"{}\" (docs/spec.md lists the units)", *unit));
    } else if (unit) {
      property.unit = *unit;
    }
  }
  if (const auto* length = o.if_contains("max-length")) {
    if (property.format != Format::kString) {
      reader.problems().add(where, "max-length is for strings");
    } else if (!length->is_int64() || length->get_int64() < 1 || length->get_int64() > kMaxStringLength) {
      reader.problems().add(where, fmt::format("max-length must be an integer from 1 to {}", kMaxStringLength));
    } else {
      property.max_length = static_cast<std::uint32_t>(length->get_int64());
    }
  }
  if (const auto* days = o.if_contains("history-days")) {
    if (!days->is_int64() || days->get_int64() < 1 || days->get_int64() > 3650) {
      reader.problems().add(where, "history-days must be an integer from 1 to 3650");
    } else {
      property.history_days = static_cast<std::uint32_t>(days->get_int64());
    }
  }
  if (reader.problems().count() != problems_before) return std::nullopt;
  return property;
}

// --- services ------------------------------------------------------------------

// Reads a list of properties, actions or events with `read_one`, checking that
// ids and names are unique.
template <class T, class ReadOne>
std::vector<T> read_members(Reader& reader, const json::object& o, std::string_view key, const Where& where,
                            std::uint32_t T::*id_field, ReadOne read_one) {
  std::vector<T> members;
  const auto* list = reader.array(o, key, where);
  if (!list) return members;
  for (std::size_t i = 0; i < list->size(); ++i) {
    const Where at = where.member(key).item(i);
    const auto* entry = reader.object((*list)[i], at);
    if (!entry) continue;
    auto member = read_one(reader, *entry, at);
    if (!member) continue;
    for (const T& other : members) {
      if (other.*id_field == (*member).*id_field) {
        reader.problems().add(at.named(member->name), fmt::format("id {} is used twice", (*member).*id_field));
      }
      if (other.name == member->name) reader.problems().add(at.named(member->name), "the name is used twice");
    }
    members.push_back(std::move(*member));
  }
  return members;
}

void check_arguments(Reader& reader, const Service& service, const std::vector<std::uint32_t>& piids,
                     const Where& where, std::string_view what) {
  for (std::uint32_t piid : piids) {
    if (!service.property(piid)) {
      reader.problems().add(where, fmt::format("{} piid {} is not a property of the service", what, piid));
    }
  }
}

// What actions and events share: a name, an id under `id_key`, a description.
// `where` comes back naming the member.
template <class T>
std::optional<T> read_named_member(Reader& reader, const json::object& o, Where& where, std::string_view id_key,
                                   std::uint32_t T::*id_field) {
  T member;
  auto name = reader.name(o, where);
  if (!name) return std::nullopt;
  member.name = *name;
  where = where.named(*name);
  auto id = reader.id(o, id_key, where);
  auto description = reader.text(o, "description", where);
  if (!id || !description) return std::nullopt;
  member.*id_field = *id;
  member.description = std::move(*description);
  return member;
}

std::optional<Action> read_action(Reader& reader, const json::object& o, Where where) {
  reader.only(o, {"aiid", "name", "description", "in", "out"}, where);
  auto action = read_named_member<Action>(reader, o, where, "aiid", &Action::aiid);
  if (!action) return std::nullopt;
  action->in = reader.ids(o, "in", where);
  action->out = reader.ids(o, "out", where);
  return action;
}

std::optional<Event> read_event(Reader& reader, const json::object& o, Where where) {
  reader.only(o, {"eiid", "name", "description", "arguments"}, where);
  auto event = read_named_member<Event>(reader, o, where, "eiid", &Event::eiid);
  if (!event) return std::nullopt;
  event->arguments = reader.ids(o, "arguments", where);
  return event;
}

std::optional<Service> read_service(Reader& reader, const json::object& o, const Where& where) {
  const std::size_t problems_before = reader.problems().count();
  reader.only(o, {"type", "name", "description", "properties", "actions", "events"}, where);
  Service service;
  auto type = reader.string(o, "type", where);
  auto name = reader.name(o, where);
  auto description = reader.text(o, "description", where);
  if (!type || !name || !description) return std::nullopt;
  service.type = *type;
  service.name = *name;
  service.description = std::move(*description);
  service.properties = read_members<Property>(reader, o, "properties", where, &Property::piid, read_property);
  service.actions = read_members<Action>(reader, o, "actions", where, &Action::aiid, read_action);
  service.events = read_members<Event>(reader, o, "events", where, &Event::eiid, read_event);
  for (const auto& action : service.actions) {
    const Where at = where.member("actions").named(action.name);
    check_arguments(reader, service, action.in, at, "in:");
    check_arguments(reader, service, action.out, at, "out:");
  }
  for (const auto& event : service.events) {
    check_arguments(reader, service, event.arguments, where.member("events").named(event.name), "argument");
  }
  if (reader.problems().count() != problems_before) return std::nullopt;
  return service;
}

// --- device types ------------------------------------------------------------------

const json::object* find_named(const json::array& list, std::string_view name) {
  for (const auto& item : list) {
    const auto* o = item.if_object();
    const auto* n = o ? o->if_contains("name") : nullptr;
    if (n && n->is_string() && n->get_string() == name) return o;
  }
  return nullptr;
}

std::set<std::int64_t> ids_of(const json::object& member, std::initializer_list<std::string_view> keys) {
  std::set<std::int64_t> ids;
  for (auto key : keys) {
    if (const auto* list = member.if_contains(key); list && list->is_array()) {
      for (const auto& id : list->get_array()) {
        if (id.is_int64()) ids.insert(id.get_int64());
      }
    }
  }
  return ids;
}

// The standard service's JSON with only the properties the type lists (and
// its overrides applied), and the actions and events it lists or can have.
json::object select_members(Reader& reader, const json::object& standard, const json::object& entry,
                            const Where& where) {
  json::object merged = standard;
  const json::array empty;
  const auto& all_properties = standard.contains("properties") ? standard.at("properties").as_array() : empty;
  if (const auto* chosen = reader.array(entry, "properties", where)) {
    json::array properties;
    for (std::size_t i = 0; i < chosen->size(); ++i) {
      const Where at = where.member("properties").item(i);
      const json::value& item = (*chosen)[i];
      const json::object* override_fields = item.if_object();
      const json::value* name = override_fields ? override_fields->if_contains("name") : &item;
      if (!name || !name->is_string()) {
        reader.problems().add(at, "must be a property name or an object with \"name\" and overrides");
        continue;
      }
      const json::object* base = find_named(all_properties, name->get_string());
      if (!base) {
        reader.problems().add(at, fmt::format("the service has no property \"{}\"", std::string_view(name->get_string())));
        continue;
      }
      json::object property = *base;
      if (override_fields) {
        reader.only(*override_fields,
                    {"name", "description", "access", "value-range", "value-list", "unit", "max-length", "history-days"},
                    at);
        if (override_fields->contains("value-range")) property.erase("value-list");
        if (override_fields->contains("value-list")) property.erase("value-range");
        for (const auto& [key, value] : *override_fields) property[key] = value;
      }
      properties.push_back(std::move(property));
    }
    merged["properties"] = std::move(properties);
  }
  std::set<std::int64_t> kept;
  if (const auto* properties = merged.if_contains("properties"); properties && properties->is_array()) {
    for (const auto& p : properties->get_array()) {
      if (const auto* piid = p.is_object() ? p.get_object().if_contains("piid") : nullptr; piid && piid->is_int64()) {
        kept.insert(piid->get_int64());
      }
    }
  }
  const auto select = [&](std::string_view key, std::initializer_list<std::string_view> argument_keys) {
    const auto& all = standard.contains(key) ? standard.at(key).as_array() : empty;
    json::array selected;
    if (const auto* chosen = reader.array(entry, key, where)) {
      // Listed: exactly those (a missing argument is reported when the result is read).
      for (std::size_t i = 0; i < chosen->size(); ++i) {
        const json::value& name = (*chosen)[i];
        const json::object* base = name.is_string() ? find_named(all, name.get_string()) : nullptr;
        if (!base) {
          reader.problems().add(where.member(key).item(i), fmt::format("the service has no such member: {}", to_text(name)));
          continue;
        }
        selected.push_back(*base);
      }
    } else {
      // Not listed: those whose arguments the type has.
      for (const auto& member : all) {
        if (!member.is_object()) continue;
        const auto ids = ids_of(member.get_object(), argument_keys);
        if (std::includes(kept.begin(), kept.end(), ids.begin(), ids.end())) selected.push_back(member);
      }
    }
    merged[key] = std::move(selected);
  };
  select("actions", {"in", "out"});
  select("events", {"arguments"});
  return merged;
}

std::optional<DeviceType> read_device_type(Reader& reader, const json::object& o, const Where& where,
                                           std::string_view file_stem,
                                           const std::map<std::string, json::object, std::less<>>& standard) {
  const std::size_t problems_before = reader.problems().count();
  reader.only(o, {"type", "name", "description", "services"}, where);
  DeviceType type;
  auto urn = reader.string(o, "type", where);
  auto name = reader.name(o, where);
  auto description = reader.text(o, "description", where);
  if (!urn || !name || !description) return std::nullopt;
  if (*name != file_stem) reader.problems().add(where, fmt::format("name \"{}\" must be the file's name", *name));
  if (!valid_urn(*urn, "device", *name)) {
    reader.problems().add(where, fmt::format("type \"{}\" must be urn:millet-spec:device:{}:<version>", *urn, *name));
  }
  type.type = *urn;
  type.name = *name;
  type.description = std::move(*description);
  const auto* services = reader.array(o, "services", where);
  if (!services || services->empty()) {
    reader.problems().add(where, "\"services\" must be a non-empty array");
    return std::nullopt;
  }
  for (std::size_t i = 0; i < services->size(); ++i) {
    const Where at = where.member("services").item(i);
    const auto* entry = reader.object((*services)[i], at);
    if (!entry) continue;
    reader.only(*entry, {"siid", "service", "name", "description", "properties", "actions", "events"}, at);
    auto siid = reader.id(*entry, "siid", at);
    auto service_name = reader.string(*entry, "service", at);
    if (!siid || !service_name) continue;
    const auto found = standard.find(*service_name);
    if (found == standard.end()) {
      reader.problems().add(at, fmt::format("no standard service \"{}\" in services/", *service_name));
      continue;
    }
    json::object merged = select_members(reader, found->second, *entry, at);
    if (const auto* rename = entry->if_contains("name")) merged["name"] = *rename;
    if (const auto* text = entry->if_contains("description")) merged["description"] = *text;
    auto service = read_service(reader, merged, at.named(*service_name));
    if (!service) continue;
    service->siid = *siid;
    for (const auto& other : type.services) {
      if (other.siid == service->siid) reader.problems().add(at, fmt::format("siid {} is used twice", *siid));
      if (other.name == service->name) {
        reader.problems().add(at, fmt::format("service name \"{}\" is used twice (rename one with \"name\")", other.name));
      }
    }
    type.services.push_back(std::move(*service));
  }
  const Service* first = type.service(1);
  if (!first || first->name != "device-information") {
    reader.problems().add(where, "siid 1 must be the device-information service");
  }
  if (reader.problems().count() != problems_before) return std::nullopt;
  return type;
}

std::optional<json::object> parse_file(Reader& reader, const std::string& file, const std::string& text) {
  boost::system::error_code error;
  json::value document = json::parse(text, error);
  if (error) {
    reader.problems().add({file, ""}, fmt::format("not valid JSON: {}", error.message()));
    return std::nullopt;
  }
  const auto* o = reader.object(document, {file, ""});
  if (!o) return std::nullopt;
  return *o;
}

std::string stem(const std::string& file) { return std::filesystem::path(file).stem().string(); }

}  // namespace

Expected<Catalog, std::string> Catalog::from_texts(const std::map<std::string, std::string>& services,
                                                   const std::map<std::string, std::string>& devices) {
  Problems problems;
  Reader reader(problems);
  Catalog catalog;
  std::map<std::string, json::object, std::less<>> standard;
  for (const auto& [file, text] : services) {
    auto document = parse_file(reader, file, text);
    if (!document) continue;
    const Where where{file, ""};
    auto service = read_service(reader, *document, where);
    if (!service) continue;
    if (service->name != stem(file)) {
      problems.add(where, fmt::format("name \"{}\" must be the file's name", service->name));
    } else if (!valid_urn(service->type, "service", service->name)) {
      problems.add(where, fmt::format("type \"{}\" must be urn:millet-spec:service:{}:<version>", service->type,
                                      service->name));
    } else {
      standard.emplace(service->name, std::move(*document));
      catalog.services_.push_back(std::move(*service));
    }
  }
  for (const auto& [file, text] : devices) {
    auto document = parse_file(reader, file, text);
    if (!document) continue;
    auto type = read_device_type(reader, *document, {file, ""}, stem(file), standard);
    if (type) catalog.types_.push_back(std::move(*type));
  }
  if (problems.count()) return unexpected(problems.text());
  return catalog;
}

Expected<Catalog, std::string> Catalog::load(const std::filesystem::path& directory) {
  std::map<std::string, std::string> texts[2];
  const char* folders[2] = {"services", "devices"};
  for (int i = 0; i < 2; ++i) {
    const auto folder = directory / folders[i];
    std::error_code error;
    std::filesystem::directory_iterator it(folder, error);
    if (error) return unexpected(fmt::format("cannot read the catalog folder {}: {}", folder.string(), error.message()));
    for (const auto& file : it) {
      if (file.path().extension() != ".json") continue;
      std::ifstream in(file.path(), std::ios::binary);
      if (!in.is_open()) return unexpected(fmt::format("cannot read {}", file.path().string()));
      std::ostringstream text;
      text << in.rdbuf();
      texts[i].emplace((directory.filename() / folders[i] / file.path().filename()).string(), text.str());
    }
  }
  if (texts[1].empty()) return unexpected(fmt::format("no device types in {}", (directory / "devices").string()));
  return from_texts(texts[0], texts[1]);
}

const DeviceType* Catalog::find(std::string_view name_or_urn) const {
  for (const auto& type : types_) {
    if (type.name == name_or_urn || type.type == name_or_urn) return &type;
  }
  return nullptr;
}

}  // namespace millet::spec
