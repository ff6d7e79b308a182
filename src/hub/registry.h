#pragma once
// Registry: who and what millet knows — people, their homes (with rooms and
// floors), who may use each home and how, and the devices in them with their
// credentials (DESIGN.md, "Modules": hub). Every change is written to the
// store before it is visible or acknowledged; the whole registry is read at
// start-up and kept in memory.
//
// Authorisation lives here, next to the data: each call made for a person
// names that person, and a home they have no role in is "not found" to them,
// exactly as if it did not exist.
//
// Thread safety: every method may be called from any thread (a reader-writer
// lock; writes are rare and short).

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/expected.h"
#include "hub/credentials.h"
#include "spec/catalog.h"
#include "store/kv_store.h"

namespace millet::hub {

// What a person may do in a home. Each role may do what the ones before it may.
enum class Role : std::uint8_t {
  kGuest = 1,   // see the home and its devices, read and control them
  kMember = 2,  // and add, rename, move and remove devices and rooms
  kOwner = 3,   // and share the home, change roles, rotate and revoke device secrets
};
std::string_view role_name(Role role);
// Names people give (homes, rooms, devices, aliases) are compared without
// regard to ASCII case: "Hall light" is "hall light".
bool same_name(std::string_view a, std::string_view b);
std::optional<Role> parse_role(std::string_view name);

// The one of `items` (each with `id`, `name` and `aliases`, as devices have) that a
// person's reference names: by id, else by name or alias (same_name) if exactly one
// is called so. `called` gets how many are called so (2 or more: the name is
// ambiguous, and the answer null).
template <class T>
const T* find_named(std::span<const T> items, std::string_view reference, std::size_t* called = nullptr) {
  for (const T& item : items) {
    if (item.id == reference) return &item;
  }
  const T* found = nullptr;
  std::size_t count = 0;
  for (const T& item : items) {
    bool match = same_name(item.name, reference);
    for (const auto& alias : item.aliases) match |= same_name(alias, reference);
    if (match) ++count, found = &item;
  }
  if (called) *called = count;
  return count == 1 ? found : nullptr;
}

// Why a call was refused; the API maps the code to an HTTP status.
struct Error {
  enum class Code : std::uint8_t { kInvalid, kNotFound, kConflict, kForbidden, kUnauthorized, kStorage };
  Code code;
  std::string message;
};
std::string_view error_code_name(Error::Code code);  // "invalid", "not_found", ...
template <class T>
using Result = Expected<T, Error>;

struct User {
  std::string id;
  std::string name;  // the login, unique
  std::string password_hash;
  std::int64_t created_ms = 0;
};

struct Room {
  std::string id;
  std::string name;   // unique within its home
  std::string floor;  // empty: none given
  std::vector<std::string> aliases;
};

struct Home {
  std::string id;
  std::string name;
  std::vector<Room> rooms;
  std::map<std::string, Role> members;  // user id -> role
  std::int64_t created_ms = 0;

  const Room* room(std::string_view id) const;
};

struct Device {
  std::string id;  // also its MQTT client id and user name
  std::string home_id;
  std::string room_id;  // empty: not in a room
  std::string name;     // unique within its home
  std::vector<std::string> aliases;
  std::string type;  // the category in the catalog: "light"
  std::string secret_hash;
  bool revoked = false;
  std::int64_t created_ms = 0;
};

struct NewDevice {
  Device device;
  std::string secret;  // shown once, never stored
};

struct NewToken {
  std::string id;     // names the token, to list and revoke it
  std::string token;  // shown once, never stored
};

class Registry {
 public:
  // Reads the registry from `store`. The catalog must outlive the registry.
  static Expected<std::unique_ptr<Registry>, std::string> open(store::KvStore& store, const spec::Catalog& catalog,
                                                               PasswordHasher hasher = PasswordHasher());

  // --- people ---------------------------------------------------------------
  Result<User> add_user(std::string_view name, std::string_view password);
  // The user whose name and password these are; "unauthorized" otherwise.
  Result<User> authenticate_user(std::string_view name, std::string_view password) const;
  Result<User> user(std::string_view id) const;
  Result<User> user_by_name(std::string_view name) const;
  // A bearer token for the API, named for the person's own list.
  Result<NewToken> issue_token(std::string_view user_id, std::string_view label);
  Result<User> user_for_token(std::string_view token) const;
  Result<void> revoke_token(std::string_view user_id, std::string_view token_id);
  // Revokes the token itself (logging out).
  Result<void> revoke_token_value(std::string_view token);
  std::size_t user_count() const;
  // Whether a token (by its hash, hash_secret(token)) is still valid: cheap, for checks per event.
  bool token_hash_valid(std::string_view token_hash) const;

  // --- homes (each call acts for `actor`, a user id) ------------------------
  Result<Home> add_home(std::string_view actor, std::string_view name);
  Result<Home> home(std::string_view actor, std::string_view home_id) const;
  std::vector<Home> homes_of(std::string_view actor) const;
  Result<Room> add_room(std::string_view actor, std::string_view home_id, std::string_view name,
                        std::string_view floor = {}, std::vector<std::string> aliases = {});
  Result<void> remove_room(std::string_view actor, std::string_view home_id, std::string_view room_id);
  // Gives `user_name` the role in the home (owners only); kGuest..kOwner.
  Result<void> share_home(std::string_view actor, std::string_view home_id, std::string_view user_name, Role role);
  Result<void> unshare_home(std::string_view actor, std::string_view home_id, std::string_view user_id);
  // The actor's role in the home, if any.
  std::optional<Role> role_of(std::string_view actor, std::string_view home_id) const;

  // --- devices ----------------------------------------------------------------
  // `type` is a category of the catalog ("light") or its URN.
  Result<NewDevice> add_device(std::string_view actor, std::string_view home_id, std::string_view name,
                               std::string_view type, std::string_view room_id = {},
                               std::vector<std::string> aliases = {});
  Result<Device> device(std::string_view actor, std::string_view device_id) const;
  Result<std::vector<Device>> devices_in(std::string_view actor, std::string_view home_id) const;
  Result<Device> update_device(std::string_view actor, std::string_view device_id, std::optional<std::string> name,
                               std::optional<std::string> room_id, std::optional<std::vector<std::string>> aliases);
  Result<std::string> rotate_secret(std::string_view actor, std::string_view device_id);
  Result<void> revoke_device(std::string_view actor, std::string_view device_id);
  Result<void> remove_device(std::string_view actor, std::string_view device_id);

  // --- for the device gateway ---------------------------------------------------
  // Whether `device_id` exists, is not revoked and `secret` is its secret.
  bool authenticate_device(std::string_view device_id, std::string_view secret) const;
  // The device, whoever asks (for the hub's own use, never for people).
  std::optional<Device> find_device(std::string_view device_id) const;
  // Every device, whoever's (for the hub's own upkeep, such as pruning history).
  std::vector<Device> all_devices() const;
  // The devices of a home, whoever asks (for automations, which act for the home).
  std::vector<Device> devices_of_home(std::string_view home_id) const;
  // Counts changes: what was read at one generation is still so while it stays the same.
  std::uint64_t generation() const { return generation_.load(std::memory_order_acquire); }
  // Called (on the calling thread, after the change is stored) when a device's
  // credentials stop being valid: revoked, rotated or removed.
  void on_credentials_withdrawn(std::function<void(const std::string& device_id)> callback);

  const spec::Catalog& catalog() const { return catalog_; }

 private:
  struct Token {
    std::string id;
    std::string user_id;
    std::string label;
    std::int64_t created_ms = 0;
  };

  Registry(store::KvStore& store, const spec::Catalog& catalog, PasswordHasher hasher)
      : store_(store), catalog_(catalog), hasher_(hasher) {}
  Expected<void, std::string> load();
  // The home, if `actor` has at least `needed` in it (callers hold the lock).
  Result<Home*> home_for(std::string_view actor, std::string_view home_id, Role needed);
  Result<const Home*> home_for(std::string_view actor, std::string_view home_id, Role needed) const;
  Result<Device*> device_for(std::string_view actor, std::string_view device_id, Role needed);
  Result<void> write(const store::WriteBatch& batch);
  void withdrawn(const std::string& device_id);

  store::KvStore& store_;
  const spec::Catalog& catalog_;
  PasswordHasher hasher_;

  mutable std::shared_mutex mutex_;
  std::map<std::string, User, std::less<>> users_;               // by id
  std::map<std::string, std::string, std::less<>> user_names_;   // name -> id
  std::map<std::string, Token, std::less<>> tokens_;             // by token hash
  std::map<std::string, Home, std::less<>> homes_;               // by id
  std::map<std::string, Device, std::less<>> devices_;           // by id
  std::vector<std::function<void(const std::string&)>> withdrawn_callbacks_;
  std::atomic<std::uint64_t> generation_{0};
};

}  // namespace millet::hub
