#include "hub/registry.h"

#include <boost/json.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <mutex>

#include "base/wall_clock.h"

namespace millet::hub {
namespace {

namespace json = boost::json;
using store::Space;

constexpr std::size_t kMaxNameBytes = 64;
constexpr std::size_t kMinPasswordBytes = 8;
constexpr std::size_t kMaxPasswordBytes = 1024;
constexpr std::size_t kMaxAliases = 16;

Unexpected<Error> fail(Error::Code code, std::string message) { return unexpected(Error{code, std::move(message)}); }

// A name people give (home, room, device): 1 to 64 bytes, no control
// characters, no space at either end.
std::optional<std::string> bad_name(std::string_view what, std::string_view name) {
  if (name.empty()) return fmt::format("a {} needs a name", what);
  if (name.size() > kMaxNameBytes) return fmt::format("{} name '{}' is longer than {} bytes", what, name, kMaxNameBytes);
  if (name.front() == ' ' || name.back() == ' ') return fmt::format("{} name '{}' starts or ends with a space", what, name);
  if (std::any_of(name.begin(), name.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7F; })) {
    return fmt::format("{} name contains a control character", what);
  }
  return std::nullopt;
}

// A login: 3 to 64 of [a-z0-9._@-], starting with a letter or digit.
bool valid_login(std::string_view name) {
  if (name.size() < 3 || name.size() > kMaxNameBytes) return false;
  if (!std::isalnum(static_cast<unsigned char>(name[0]))) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '@' || c == '-';
  });
}

std::optional<std::string> bad_aliases(std::string_view what, const std::vector<std::string>& aliases) {
  if (aliases.size() > kMaxAliases) return fmt::format("a {} has at most {} aliases", what, kMaxAliases);
  for (const auto& alias : aliases) {
    if (auto bad = bad_name(std::string(what) + " alias", alias)) return bad;
  }
  return std::nullopt;
}

// --- records (docs/storage.md, "Registry") --------------------------------------

json::array to_json(const std::vector<std::string>& list) { return json::array(list.begin(), list.end()); }

std::vector<std::string> strings(const json::value& value) {
  std::vector<std::string> list;
  for (const auto& item : value.as_array()) list.emplace_back(item.as_string());
  return list;
}

std::string encode_user(const User& user) {
  return json::serialize(json::object{
      {"name", user.name}, {"password_hash", user.password_hash}, {"created_ms", user.created_ms}});
}

User decode_user(std::string_view id, const json::object& o) {
  return User{std::string(id), std::string(o.at("name").as_string()), std::string(o.at("password_hash").as_string()),
              o.at("created_ms").as_int64()};
}

std::string encode_home(const Home& home) {
  json::array rooms;
  for (const auto& room : home.rooms) {
    rooms.push_back(json::object{
        {"id", room.id}, {"name", room.name}, {"floor", room.floor}, {"aliases", to_json(room.aliases)}});
  }
  json::object members;
  for (const auto& [user, role] : home.members) members[user] = role_name(role);
  return json::serialize(json::object{
      {"name", home.name}, {"created_ms", home.created_ms}, {"rooms", std::move(rooms)}, {"members", std::move(members)}});
}

Home decode_home(std::string_view id, const json::object& o) {
  Home home{std::string(id), std::string(o.at("name").as_string()), {}, {}, o.at("created_ms").as_int64()};
  for (const auto& item : o.at("rooms").as_array()) {
    const auto& r = item.as_object();
    home.rooms.push_back(Room{std::string(r.at("id").as_string()), std::string(r.at("name").as_string()),
                              std::string(r.at("floor").as_string()), strings(r.at("aliases"))});
  }
  for (const auto& [user, role] : o.at("members").as_object()) {
    home.members.emplace(std::string(user), parse_role(role.as_string()).value_or(Role::kGuest));
  }
  return home;
}

std::string encode_device(const Device& device) {
  return json::serialize(json::object{{"home_id", device.home_id},
                                      {"room_id", device.room_id},
                                      {"name", device.name},
                                      {"aliases", to_json(device.aliases)},
                                      {"type", device.type},
                                      {"secret_hash", device.secret_hash},
                                      {"revoked", device.revoked},
                                      {"created_ms", device.created_ms}});
}

Device decode_device(std::string_view id, const json::object& o) {
  return Device{std::string(id),
                std::string(o.at("home_id").as_string()),
                std::string(o.at("room_id").as_string()),
                std::string(o.at("name").as_string()),
                strings(o.at("aliases")),
                std::string(o.at("type").as_string()),
                std::string(o.at("secret_hash").as_string()),
                o.at("revoked").as_bool(),
                o.at("created_ms").as_int64()};
}

constexpr std::string_view kUserPrefix = "user/";
constexpr std::string_view kTokenPrefix = "token/";

}  // namespace

bool same_name(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

std::string_view role_name(Role role) {
  switch (role) {
    case Role::kGuest: return "guest";
    case Role::kMember: return "member";
    case Role::kOwner: return "owner";
  }
  return "guest";
}

std::optional<Role> parse_role(std::string_view name) {
  for (Role role : {Role::kGuest, Role::kMember, Role::kOwner}) {
    if (role_name(role) == name) return role;
  }
  return std::nullopt;
}

std::string_view error_code_name(Error::Code code) {
  switch (code) {
    case Error::Code::kInvalid: return "invalid";
    case Error::Code::kNotFound: return "not_found";
    case Error::Code::kConflict: return "conflict";
    case Error::Code::kForbidden: return "forbidden";
    case Error::Code::kUnauthorized: return "unauthorized";
    case Error::Code::kStorage: return "storage";
  }
  return "invalid";
}

const Room* Home::room(std::string_view id) const {
  for (const auto& room : rooms) {
    if (room.id == id) return &room;
  }
  return nullptr;
}

// --- opening ------------------------------------------------------------------------

Expected<std::unique_ptr<Registry>, std::string> Registry::open(store::KvStore& store, const spec::Catalog& catalog,
                                                                PasswordHasher hasher) {
  std::unique_ptr<Registry> registry(new Registry(store, catalog, hasher));
  if (auto loaded = registry->load(); !loaded) return unexpected(loaded.error());
  return registry;
}

Expected<void, std::string> Registry::load() {
  std::string problem;
  // Reads each record as a JSON object; a record that does not parse stops the load.
  auto each = [&](Space space, std::string_view prefix, auto&& use) -> store::Status {
    return store_.scan(space, prefix, [&](std::string_view key, std::string_view value) {
      boost::system::error_code error;
      json::value document = json::parse(value, error);
      if (error || !document.is_object()) {
        problem = fmt::format("registry record {}/{} is not a JSON object", store::space_name(space), key);
        return false;
      }
      try {
        use(key.substr(prefix.size()), document.as_object());
      } catch (const std::exception& e) {
        problem = fmt::format("registry record {}/{} is damaged: {}", store::space_name(space), key, e.what());
        return false;
      }
      return true;
    });
  };
  std::vector<store::Status> scans;
  scans.push_back(each(Space::kUsers, kUserPrefix, [&](std::string_view id, const json::object& o) {
    User user = decode_user(id, o);
    user_names_.emplace(user.name, user.id);
    users_.emplace(user.id, std::move(user));
  }));
  scans.push_back(each(Space::kUsers, kTokenPrefix, [&](std::string_view hash, const json::object& o) {
    tokens_.emplace(std::string(hash), Token{std::string(o.at("id").as_string()), std::string(o.at("user_id").as_string()),
                                             std::string(o.at("label").as_string()), o.at("created_ms").as_int64()});
  }));
  scans.push_back(each(Space::kHomes, "", [&](std::string_view id, const json::object& o) {
    homes_.emplace(std::string(id), decode_home(id, o));
  }));
  scans.push_back(each(Space::kDevices, "", [&](std::string_view id, const json::object& o) {
    devices_.emplace(std::string(id), decode_device(id, o));
  }));
  for (const auto& scan : scans) {
    if (!scan) return unexpected("cannot read the registry: " + scan.error());
  }
  if (!problem.empty()) return unexpected(problem);
  return {};
}

Result<void> Registry::write(const store::WriteBatch& batch) {
  if (auto written = store_.write(batch); !written) return fail(Error::Code::kStorage, written.error());
  generation_.fetch_add(1, std::memory_order_acq_rel);  // under the writer's lock, like the change itself
  return {};
}

// --- people -----------------------------------------------------------------------

Result<User> Registry::add_user(std::string_view name, std::string_view password) {
  if (!valid_login(name)) {
    return fail(Error::Code::kInvalid,
                fmt::format("user name '{}' must be 3 to 64 of a-z, 0-9, '.', '_', '@', '-'", name));
  }
  if (password.size() < kMinPasswordBytes || password.size() > kMaxPasswordBytes) {
    return fail(Error::Code::kInvalid,
                fmt::format("a password has {} to {} characters", kMinPasswordBytes, kMaxPasswordBytes));
  }
  auto hash = hasher_.hash(password);  // slow: outside the lock
  if (!hash) return fail(Error::Code::kStorage, hash.error());
  std::unique_lock lock(mutex_);
  if (user_names_.contains(name)) return fail(Error::Code::kConflict, fmt::format("user name '{}' is taken", name));
  User user{random_id("u-"), std::string(name), std::move(*hash), wall_clock_ms()};
  store::WriteBatch batch;
  batch.put(Space::kUsers, std::string(kUserPrefix) + user.id, encode_user(user));
  if (auto written = write(batch); !written) return unexpected(written.error());
  user_names_.emplace(user.name, user.id);
  users_.emplace(user.id, user);
  return user;
}

Result<User> Registry::authenticate_user(std::string_view name, std::string_view password) const {
  auto user = user_by_name(name);
  // The same answer, after the same work, for an unknown name and a wrong
  // password: neither the reply nor its timing tells which names exist.
  static const std::string unknown_user_hash = hasher_.hash(random_secret()).value();
  const bool verified = hasher_.verify(user ? user->password_hash : unknown_user_hash, password);
  if (!user || !verified) return fail(Error::Code::kUnauthorized, "wrong user name or password");
  return user;
}

Result<User> Registry::user(std::string_view id) const {
  std::shared_lock lock(mutex_);
  auto it = users_.find(id);
  if (it == users_.end()) return fail(Error::Code::kNotFound, fmt::format("no user '{}'", id));
  return it->second;
}

Result<User> Registry::user_by_name(std::string_view name) const {
  std::string id;
  {
    std::shared_lock lock(mutex_);
    auto it = user_names_.find(name);
    if (it == user_names_.end()) return fail(Error::Code::kNotFound, fmt::format("no user named '{}'", name));
    id = it->second;
  }
  return user(id);
}

Result<NewToken> Registry::issue_token(std::string_view user_id, std::string_view label) {
  if (auto bad = bad_name("token", label)) return fail(Error::Code::kInvalid, *bad);
  std::unique_lock lock(mutex_);
  if (!users_.contains(user_id)) return fail(Error::Code::kNotFound, fmt::format("no user '{}'", user_id));
  NewToken made{random_id("t-"), "mlt_" + random_secret()};
  Token token{made.id, std::string(user_id), std::string(label), wall_clock_ms()};
  const std::string hash = hash_secret(made.token);
  store::WriteBatch batch;
  batch.put(Space::kUsers, std::string(kTokenPrefix) + hash,
            json::serialize(json::object{
                {"id", token.id}, {"user_id", token.user_id}, {"label", token.label}, {"created_ms", token.created_ms}}));
  if (auto written = write(batch); !written) return unexpected(written.error());
  tokens_.emplace(hash, std::move(token));
  return made;
}

Result<User> Registry::user_for_token(std::string_view token) const {
  const std::string hash = hash_secret(token);
  std::shared_lock lock(mutex_);
  auto it = tokens_.find(hash);
  if (it == tokens_.end()) return fail(Error::Code::kUnauthorized, "the token is not valid (revoked, or never issued)");
  auto user = users_.find(it->second.user_id);
  if (user == users_.end()) return fail(Error::Code::kUnauthorized, "the token's user no longer exists");
  return user->second;
}

Result<void> Registry::revoke_token_value(std::string_view token) {
  const std::string hash = hash_secret(token);
  std::unique_lock lock(mutex_);
  auto it = tokens_.find(hash);
  if (it == tokens_.end()) return fail(Error::Code::kUnauthorized, "the token is not valid (revoked, or never issued)");
  store::WriteBatch batch;
  batch.erase(Space::kUsers, std::string(kTokenPrefix) + hash);
  if (auto written = write(batch); !written) return written;
  tokens_.erase(it);
  return {};
}

bool Registry::token_hash_valid(std::string_view token_hash) const {
  std::shared_lock lock(mutex_);
  return tokens_.contains(token_hash);
}

std::size_t Registry::user_count() const {
  std::shared_lock lock(mutex_);
  return users_.size();
}

Result<void> Registry::revoke_token(std::string_view user_id, std::string_view token_id) {
  std::unique_lock lock(mutex_);
  for (auto it = tokens_.begin(); it != tokens_.end(); ++it) {
    if (it->second.id != token_id || it->second.user_id != user_id) continue;
    store::WriteBatch batch;
    batch.erase(Space::kUsers, std::string(kTokenPrefix) + it->first);
    if (auto written = write(batch); !written) return written;
    tokens_.erase(it);
    return {};
  }
  return fail(Error::Code::kNotFound, fmt::format("no token '{}'", token_id));
}

// --- homes --------------------------------------------------------------------------

Result<Home*> Registry::home_for(std::string_view actor, std::string_view home_id, Role needed) {
  auto it = homes_.find(home_id);
  // A home the actor has no role in is not found, as if it did not exist.
  if (it == homes_.end() || !it->second.members.contains(std::string(actor))) {
    return fail(Error::Code::kNotFound, fmt::format("no home '{}'", home_id));
  }
  Home& home = it->second;
  const Role role = home.members.at(std::string(actor));
  if (role < needed) {
    return fail(Error::Code::kForbidden, fmt::format("this needs the {} role in home '{}'; you are {} {}",
                                                     role_name(needed), home.name,
                                                     role == Role::kOwner ? "an" : "a", role_name(role)));
  }
  return &home;
}

Result<const Home*> Registry::home_for(std::string_view actor, std::string_view home_id, Role needed) const {
  auto home = const_cast<Registry*>(this)->home_for(actor, home_id, needed);
  if (!home) return unexpected(home.error());
  return static_cast<const Home*>(*home);
}

Result<Home> Registry::add_home(std::string_view actor, std::string_view name) {
  if (auto bad = bad_name("home", name)) return fail(Error::Code::kInvalid, *bad);
  std::unique_lock lock(mutex_);
  if (!users_.contains(actor)) return fail(Error::Code::kNotFound, fmt::format("no user '{}'", actor));
  Home home{random_id("h-"), std::string(name), {}, {{std::string(actor), Role::kOwner}}, wall_clock_ms()};
  store::WriteBatch batch;
  batch.put(Space::kHomes, home.id, encode_home(home));
  if (auto written = write(batch); !written) return unexpected(written.error());
  homes_.emplace(home.id, home);
  return home;
}

Result<Home> Registry::home(std::string_view actor, std::string_view home_id) const {
  std::shared_lock lock(mutex_);
  auto home = home_for(actor, home_id, Role::kGuest);
  if (!home) return unexpected(home.error());
  return **home;
}

std::vector<Home> Registry::homes_of(std::string_view actor) const {
  std::shared_lock lock(mutex_);
  std::vector<Home> homes;
  for (const auto& [id, home] : homes_) {
    if (home.members.contains(std::string(actor))) homes.push_back(home);
  }
  return homes;
}

std::optional<Role> Registry::role_of(std::string_view actor, std::string_view home_id) const {
  std::shared_lock lock(mutex_);
  auto it = homes_.find(home_id);
  if (it == homes_.end()) return std::nullopt;
  auto member = it->second.members.find(std::string(actor));
  if (member == it->second.members.end()) return std::nullopt;
  return member->second;
}

Result<Room> Registry::add_room(std::string_view actor, std::string_view home_id, std::string_view name,
                                std::string_view floor, std::vector<std::string> aliases) {
  if (auto bad = bad_name("room", name)) return fail(Error::Code::kInvalid, *bad);
  if (!floor.empty()) {
    if (auto bad = bad_name("floor", floor)) return fail(Error::Code::kInvalid, *bad);
  }
  if (auto bad = bad_aliases("room", aliases)) return fail(Error::Code::kInvalid, *bad);
  std::unique_lock lock(mutex_);
  auto home = home_for(actor, home_id, Role::kMember);
  if (!home) return unexpected(home.error());
  for (const auto& room : (*home)->rooms) {
    if (same_name(room.name, name)) {
      return fail(Error::Code::kConflict, fmt::format("home '{}' already has a room named '{}'", (*home)->name, name));
    }
  }
  Home changed = **home;
  Room room{random_id("r-"), std::string(name), std::string(floor), std::move(aliases)};
  changed.rooms.push_back(room);
  store::WriteBatch batch;
  batch.put(Space::kHomes, changed.id, encode_home(changed));
  if (auto written = write(batch); !written) return unexpected(written.error());
  **home = std::move(changed);
  return room;
}

Result<void> Registry::remove_room(std::string_view actor, std::string_view home_id, std::string_view room_id) {
  std::unique_lock lock(mutex_);
  auto home = home_for(actor, home_id, Role::kMember);
  if (!home) return unexpected(home.error());
  Home changed = **home;
  auto room = std::find_if(changed.rooms.begin(), changed.rooms.end(), [&](const Room& r) { return r.id == room_id; });
  if (room == changed.rooms.end()) return fail(Error::Code::kNotFound, fmt::format("no room '{}'", room_id));
  changed.rooms.erase(room);
  // Its devices stay in the home, in no room.
  store::WriteBatch batch;
  batch.put(Space::kHomes, changed.id, encode_home(changed));
  std::vector<Device*> moved;
  for (auto& [id, device] : devices_) {
    if (device.room_id != room_id) continue;
    Device updated = device;
    updated.room_id.clear();
    batch.put(Space::kDevices, id, encode_device(updated));
    moved.push_back(&device);
  }
  if (auto written = write(batch); !written) return written;
  **home = std::move(changed);
  for (Device* device : moved) device->room_id.clear();
  return {};
}

Result<void> Registry::share_home(std::string_view actor, std::string_view home_id, std::string_view user_name,
                                  Role role) {
  auto guest = user_by_name(user_name);
  std::unique_lock lock(mutex_);
  auto home = home_for(actor, home_id, Role::kOwner);
  if (!home) return unexpected(home.error());
  if (!guest) return unexpected(guest.error());
  if (guest->id == actor) return fail(Error::Code::kInvalid, "you cannot change your own role");
  Home changed = **home;
  changed.members[guest->id] = role;
  store::WriteBatch batch;
  batch.put(Space::kHomes, changed.id, encode_home(changed));
  if (auto written = write(batch); !written) return written;
  **home = std::move(changed);
  return {};
}

Result<void> Registry::unshare_home(std::string_view actor, std::string_view home_id, std::string_view user_id) {
  std::unique_lock lock(mutex_);
  // Anyone may leave a home; removing someone else takes an owner.
  auto home = home_for(actor, home_id, actor == user_id ? Role::kGuest : Role::kOwner);
  if (!home) return unexpected(home.error());
  Home changed = **home;
  auto member = changed.members.find(std::string(user_id));
  if (member == changed.members.end()) {
    return fail(Error::Code::kNotFound, fmt::format("user '{}' has no role in home '{}'", user_id, changed.name));
  }
  changed.members.erase(member);
  const bool owner_left = std::any_of(changed.members.begin(), changed.members.end(),
                                      [](const auto& m) { return m.second == Role::kOwner; });
  if (!owner_left) return fail(Error::Code::kConflict, fmt::format("home '{}' would have no owner", changed.name));
  store::WriteBatch batch;
  batch.put(Space::kHomes, changed.id, encode_home(changed));
  if (auto written = write(batch); !written) return written;
  **home = std::move(changed);
  return {};
}

// --- devices ------------------------------------------------------------------------

Result<Device*> Registry::device_for(std::string_view actor, std::string_view device_id, Role needed) {
  auto it = devices_.find(device_id);
  const auto not_found = fail(Error::Code::kNotFound, fmt::format("no device '{}'", device_id));
  if (it == devices_.end()) return not_found;
  auto home = home_for(actor, it->second.home_id, needed);
  if (!home) return home.error().code == Error::Code::kNotFound ? not_found : unexpected(home.error());
  return &it->second;
}

Result<NewDevice> Registry::add_device(std::string_view actor, std::string_view home_id, std::string_view name,
                                       std::string_view type, std::string_view room_id,
                                       std::vector<std::string> aliases) {
  if (auto bad = bad_name("device", name)) return fail(Error::Code::kInvalid, *bad);
  if (auto bad = bad_aliases("device", aliases)) return fail(Error::Code::kInvalid, *bad);
  const spec::DeviceType* device_type = catalog_.find(type);
  if (!device_type) {
    return fail(Error::Code::kInvalid, fmt::format("no device type '{}' in the catalog (`millet spec list` lists them)", type));
  }
  std::unique_lock lock(mutex_);
  auto home = home_for(actor, home_id, Role::kMember);
  if (!home) return unexpected(home.error());
  if (!room_id.empty() && !(*home)->room(room_id)) {
    return fail(Error::Code::kNotFound, fmt::format("home '{}' has no room '{}'", (*home)->name, room_id));
  }
  for (const auto& [id, other] : devices_) {
    if (other.home_id == home_id && same_name(other.name, name)) {
      return fail(Error::Code::kConflict, fmt::format("home '{}' already has a device named '{}'", (*home)->name, name));
    }
  }
  NewDevice made;
  made.secret = random_secret();
  made.device = Device{random_id("d-"),     std::string(home_id), std::string(room_id),    std::string(name),
                       std::move(aliases),  device_type->name,    hash_secret(made.secret), false,
                       wall_clock_ms()};
  store::WriteBatch batch;
  batch.put(Space::kDevices, made.device.id, encode_device(made.device));
  if (auto written = write(batch); !written) return unexpected(written.error());
  devices_.emplace(made.device.id, made.device);
  return made;
}

Result<Device> Registry::device(std::string_view actor, std::string_view device_id) const {
  std::shared_lock lock(mutex_);
  auto device = const_cast<Registry*>(this)->device_for(actor, device_id, Role::kGuest);
  if (!device) return unexpected(device.error());
  return **device;
}

Result<std::vector<Device>> Registry::devices_in(std::string_view actor, std::string_view home_id) const {
  {
    std::shared_lock lock(mutex_);
    if (auto home = home_for(actor, home_id, Role::kGuest); !home) return unexpected(home.error());
  }
  return devices_of_home(home_id);
}

std::vector<Device> Registry::devices_of_home(std::string_view home_id) const {
  std::shared_lock lock(mutex_);
  std::vector<Device> devices;
  for (const auto& [id, device] : devices_) {
    if (device.home_id == home_id) devices.push_back(device);
  }
  return devices;
}

Result<Device> Registry::update_device(std::string_view actor, std::string_view device_id,
                                       std::optional<std::string> name, std::optional<std::string> room_id,
                                       std::optional<std::vector<std::string>> aliases) {
  if (name) {
    if (auto bad = bad_name("device", *name)) return fail(Error::Code::kInvalid, *bad);
  }
  if (aliases) {
    if (auto bad = bad_aliases("device", *aliases)) return fail(Error::Code::kInvalid, *bad);
  }
  std::unique_lock lock(mutex_);
  auto device = device_for(actor, device_id, Role::kMember);
  if (!device) return unexpected(device.error());
  Device changed = **device;
  const Home& home = homes_.at(changed.home_id);
  if (name) {
    for (const auto& [id, other] : devices_) {
      if (id != changed.id && other.home_id == changed.home_id && same_name(other.name, *name)) {
        return fail(Error::Code::kConflict, fmt::format("home '{}' already has a device named '{}'", home.name, *name));
      }
    }
    changed.name = *name;
  }
  if (room_id) {
    if (!room_id->empty() && !home.room(*room_id)) {
      return fail(Error::Code::kNotFound, fmt::format("home '{}' has no room '{}'", home.name, *room_id));
    }
    changed.room_id = *room_id;
  }
  if (aliases) changed.aliases = std::move(*aliases);
  store::WriteBatch batch;
  batch.put(Space::kDevices, changed.id, encode_device(changed));
  if (auto written = write(batch); !written) return unexpected(written.error());
  **device = changed;
  return changed;
}

Result<std::string> Registry::rotate_secret(std::string_view actor, std::string_view device_id) {
  std::string secret = random_secret();
  {
    std::unique_lock lock(mutex_);
    auto device = device_for(actor, device_id, Role::kOwner);
    if (!device) return unexpected(device.error());
    Device changed = **device;
    changed.secret_hash = hash_secret(secret);
    changed.revoked = false;
    store::WriteBatch batch;
    batch.put(Space::kDevices, changed.id, encode_device(changed));
    if (auto written = write(batch); !written) return unexpected(written.error());
    **device = std::move(changed);
  }
  withdrawn(std::string(device_id));  // connections with the old secret go
  return secret;
}

Result<void> Registry::revoke_device(std::string_view actor, std::string_view device_id) {
  {
    std::unique_lock lock(mutex_);
    auto device = device_for(actor, device_id, Role::kOwner);
    if (!device) return unexpected(device.error());
    Device changed = **device;
    changed.revoked = true;
    store::WriteBatch batch;
    batch.put(Space::kDevices, changed.id, encode_device(changed));
    if (auto written = write(batch); !written) return written;
    **device = std::move(changed);
  }
  withdrawn(std::string(device_id));
  return {};
}

Result<void> Registry::remove_device(std::string_view actor, std::string_view device_id) {
  {
    std::unique_lock lock(mutex_);
    auto device = device_for(actor, device_id, Role::kMember);
    if (!device) return unexpected(device.error());
    store::WriteBatch batch;
    batch.erase(Space::kDevices, std::string(device_id));
    if (auto written = write(batch); !written) return written;
    devices_.erase(std::string(device_id));
  }
  withdrawn(std::string(device_id));
  return {};
}

bool Registry::authenticate_device(std::string_view device_id, std::string_view secret) const {
  std::shared_lock lock(mutex_);
  auto it = devices_.find(device_id);
  return it != devices_.end() && !it->second.revoked && secret_matches(it->second.secret_hash, secret);
}

std::vector<Device> Registry::all_devices() const {
  std::shared_lock lock(mutex_);
  std::vector<Device> devices;
  devices.reserve(devices_.size());
  for (const auto& [id, device] : devices_) devices.push_back(device);
  return devices;
}

std::optional<Device> Registry::find_device(std::string_view device_id) const {
  std::shared_lock lock(mutex_);
  auto it = devices_.find(device_id);
  if (it == devices_.end()) return std::nullopt;
  return it->second;
}

void Registry::on_credentials_withdrawn(std::function<void(const std::string&)> callback) {
  std::unique_lock lock(mutex_);
  withdrawn_callbacks_.push_back(std::move(callback));
}

void Registry::withdrawn(const std::string& device_id) {
  std::vector<std::function<void(const std::string&)>> callbacks;
  {
    std::shared_lock lock(mutex_);
    callbacks = withdrawn_callbacks_;
  }
  for (const auto& callback : callbacks) callback(device_id);
}

}  // namespace millet::hub
