#include "hub/registry.h"

#include <gtest/gtest.h>

#include <filesystem>

namespace millet::hub {
namespace {

using Code = Error::Code;

// The error code of a failed result (and a test failure if it succeeded).
template <class T>
Code code_of(const Result<T>& result) {
  EXPECT_FALSE(result) << "succeeded, but should have failed";
  return result ? Code::kStorage : result.error().code;
}

// Every value in every registry space, to check what is (not) stored.
std::string everything_stored(store::KvStore& store) {
  std::string all;
  for (auto space : {store::Space::kUsers, store::Space::kHomes, store::Space::kDevices}) {
    (void)store.scan(space, "", [&](std::string_view key, std::string_view value) {
      all += std::string(key) + "=" + std::string(value) + "\n";
      return true;
    });
  }
  return all;
}

class RegistryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto catalog = spec::Catalog::load(MILLET_SPEC_DIR);
    ASSERT_TRUE(catalog) << catalog.error();
    catalog_ = std::make_unique<spec::Catalog>(std::move(*catalog));
    reopen();
    alice_ = registry_->add_user("alice", "alice-password").value().id;
    bob_ = registry_->add_user("bob", "bob-password").value().id;
    home_ = registry_->add_home(alice_, "Flat").value().id;
  }

  void reopen() {
    registry_.reset();
    auto registry = Registry::open(*store_, *catalog_, PasswordHasher(PasswordHasher::Cost::kFast));
    ASSERT_TRUE(registry) << registry.error();
    registry_ = std::move(*registry);
  }

  std::unique_ptr<store::KvStore> store_ = store::make_memory_store();
  std::unique_ptr<spec::Catalog> catalog_;
  std::unique_ptr<Registry> registry_;
  std::string alice_, bob_, home_;
};

TEST_F(RegistryTest, PeopleSignInWithTheirPasswordOnly) {
  EXPECT_EQ(registry_->authenticate_user("alice", "alice-password")->id, alice_);
  auto wrong = registry_->authenticate_user("alice", "bob-password");
  auto unknown = registry_->authenticate_user("carol", "alice-password");
  EXPECT_EQ(code_of(wrong), Code::kUnauthorized);
  EXPECT_EQ(code_of(unknown), Code::kUnauthorized);
  EXPECT_EQ(wrong.error().message, unknown.error().message) << "must not tell which names exist";
  EXPECT_EQ(code_of(registry_->add_user("alice", "another-password")), Code::kConflict);
  EXPECT_EQ(code_of(registry_->add_user("Alice Smith", "a-good-password")), Code::kInvalid);
  EXPECT_EQ(code_of(registry_->add_user("carol", "short")), Code::kInvalid);
  const std::string stored = everything_stored(*store_);
  EXPECT_EQ(stored.find("alice-password"), std::string::npos);
  EXPECT_NE(stored.find("$argon2id$"), std::string::npos);
}

TEST_F(RegistryTest, TokensIdentifyTheirUserUntilRevoked) {
  auto made = registry_->issue_token(alice_, "laptop");
  ASSERT_TRUE(made);
  EXPECT_EQ(registry_->user_for_token(made->token)->name, "alice");
  EXPECT_EQ(code_of(registry_->user_for_token(made->token + "x")), Code::kUnauthorized);
  EXPECT_EQ(everything_stored(*store_).find(made->token), std::string::npos) << "tokens are stored hashed";
  EXPECT_EQ(code_of(registry_->revoke_token(bob_, made->id)), Code::kNotFound) << "only its owner revokes it";
  ASSERT_TRUE(registry_->revoke_token(alice_, made->id));
  EXPECT_EQ(code_of(registry_->user_for_token(made->token)), Code::kUnauthorized);
}

TEST_F(RegistryTest, AHomeIsInvisibleToThoseWithoutARoleInIt) {
  EXPECT_EQ(registry_->home(alice_, home_)->name, "Flat");
  EXPECT_EQ(registry_->role_of(alice_, home_), Role::kOwner);
  auto hidden = registry_->home(bob_, home_);
  EXPECT_EQ(code_of(hidden), Code::kNotFound);
  EXPECT_EQ(hidden.error().message, "no home '" + home_ + "'");
  EXPECT_TRUE(registry_->homes_of(bob_).empty());
  auto device = registry_->add_device(alice_, home_, "Hall light", "light");
  ASSERT_TRUE(device);
  EXPECT_EQ(code_of(registry_->device(bob_, device->device.id)), Code::kNotFound);
  EXPECT_EQ(code_of(registry_->devices_in(bob_, home_)), Code::kNotFound);
  EXPECT_EQ(code_of(registry_->remove_device(bob_, device->device.id)), Code::kNotFound);
}

TEST_F(RegistryTest, RolesDecideWhatEachMayDo) {
  ASSERT_TRUE(registry_->share_home(alice_, home_, "bob", Role::kGuest));
  EXPECT_EQ(registry_->homes_of(bob_).size(), 1u);
  auto as_guest = registry_->add_device(bob_, home_, "Lamp", "light");
  EXPECT_EQ(code_of(as_guest), Code::kForbidden);
  EXPECT_EQ(as_guest.error().message, "this needs the member role in home 'Flat'; you are a guest");
  EXPECT_EQ(code_of(registry_->share_home(bob_, home_, "alice", Role::kGuest)), Code::kForbidden);

  ASSERT_TRUE(registry_->share_home(alice_, home_, "bob", Role::kMember));
  auto lamp = registry_->add_device(bob_, home_, "Lamp", "light");
  ASSERT_TRUE(lamp);
  EXPECT_EQ(code_of(registry_->rotate_secret(bob_, lamp->device.id)), Code::kForbidden) << "owners only";
  EXPECT_TRUE(registry_->rotate_secret(alice_, lamp->device.id));

  EXPECT_EQ(code_of(registry_->unshare_home(alice_, home_, alice_)), Code::kConflict) << "the last owner stays";
  ASSERT_TRUE(registry_->unshare_home(bob_, home_, bob_)) << "anyone may leave";
  EXPECT_EQ(code_of(registry_->home(bob_, home_)), Code::kNotFound);
}

TEST_F(RegistryTest, DevicesGetASecretThatIsStoredOnlyAsItsHash) {
  auto room = registry_->add_room(alice_, home_, "Living room", "Ground floor", {"lounge", "客厅"});
  ASSERT_TRUE(room);
  auto made = registry_->add_device(alice_, home_, "Ceiling light", "light", room->id, {"big light"});
  ASSERT_TRUE(made);
  EXPECT_TRUE(made->device.id.starts_with("d-"));
  EXPECT_EQ(made->device.type, "light");
  EXPECT_EQ(made->device.room_id, room->id);
  EXPECT_EQ(everything_stored(*store_).find(made->secret), std::string::npos);
  EXPECT_TRUE(registry_->authenticate_device(made->device.id, made->secret));
  EXPECT_FALSE(registry_->authenticate_device(made->device.id, "guess"));
  EXPECT_FALSE(registry_->authenticate_device("d-nosuchdevice", made->secret));
}

TEST_F(RegistryTest, RevokingOrRotatingWithdrawsTheOldSecret) {
  std::vector<std::string> withdrawn;
  registry_->on_credentials_withdrawn([&](const std::string& id) { withdrawn.push_back(id); });
  auto made = registry_->add_device(alice_, home_, "Door lock", "lock");
  ASSERT_TRUE(made);
  const std::string id = made->device.id;
  auto rotated = registry_->rotate_secret(alice_, id);
  ASSERT_TRUE(rotated);
  EXPECT_FALSE(registry_->authenticate_device(id, made->secret));
  EXPECT_TRUE(registry_->authenticate_device(id, *rotated));
  ASSERT_TRUE(registry_->revoke_device(alice_, id));
  EXPECT_FALSE(registry_->authenticate_device(id, *rotated));
  EXPECT_EQ(withdrawn, (std::vector<std::string>{id, id}));
  ASSERT_TRUE(registry_->remove_device(alice_, id));
  EXPECT_EQ(withdrawn.size(), 3u);
  EXPECT_FALSE(registry_->find_device(id));
}

TEST_F(RegistryTest, BadDevicesAreRefusedWithAReason) {
  auto unknown_type = registry_->add_device(alice_, home_, "Thing", "teleporter");
  EXPECT_EQ(code_of(unknown_type), Code::kInvalid);
  EXPECT_NE(unknown_type.error().message.find("no device type 'teleporter'"), std::string::npos);
  ASSERT_TRUE(registry_->add_device(alice_, home_, "Hall light", "light"));
  auto twice = registry_->add_device(alice_, home_, "hall LIGHT", "light");
  EXPECT_EQ(code_of(twice), Code::kConflict);
  EXPECT_EQ(twice.error().message, "home 'Flat' already has a device named 'hall LIGHT'");
  EXPECT_EQ(code_of(registry_->add_device(alice_, home_, "", "light")), Code::kInvalid);
  EXPECT_EQ(code_of(registry_->add_device(alice_, home_, std::string(65, 'x'), "light")), Code::kInvalid);
  EXPECT_EQ(code_of(registry_->add_device(alice_, home_, "Desk lamp", "light", "r-nosuchroom")), Code::kNotFound);
  EXPECT_TRUE(registry_->add_device(alice_, home_, "Desk lamp", "urn:millet-spec:device:light:1")) << "by URN too";
}

TEST_F(RegistryTest, RemovingARoomKeepsItsDevicesInTheHome) {
  auto room = registry_->add_room(alice_, home_, "Study");
  ASSERT_TRUE(room);
  EXPECT_EQ(code_of(registry_->add_room(alice_, home_, "study")), Code::kConflict);
  auto lamp = registry_->add_device(alice_, home_, "Desk lamp", "light", room->id);
  ASSERT_TRUE(lamp);
  ASSERT_TRUE(registry_->remove_room(alice_, home_, room->id));
  EXPECT_EQ(registry_->device(alice_, lamp->device.id)->room_id, "");
  reopen();
  EXPECT_EQ(registry_->device(alice_, lamp->device.id)->room_id, "");
}

TEST_F(RegistryTest, EverythingComesBackAfterAReopen) {
  auto room = registry_->add_room(alice_, home_, "Kitchen", "1", {"厨房"});
  ASSERT_TRUE(registry_->share_home(alice_, home_, "bob", Role::kMember));
  auto made = registry_->add_device(alice_, home_, "Kettle", "kettle", room->id, {"水壶"});
  ASSERT_TRUE(made);
  ASSERT_TRUE(registry_->update_device(bob_, made->device.id, std::string("Tea kettle"), std::nullopt, std::nullopt));
  auto token = registry_->issue_token(bob_, "phone");
  reopen();
  EXPECT_EQ(registry_->authenticate_user("bob", "bob-password")->id, bob_);
  EXPECT_EQ(registry_->user_for_token(token->token)->id, bob_);
  auto home = registry_->home(bob_, home_);
  ASSERT_TRUE(home);
  EXPECT_EQ(home->members.at(bob_), Role::kMember);
  ASSERT_EQ(home->rooms.size(), 1u);
  EXPECT_EQ(home->rooms[0].aliases, std::vector<std::string>{"厨房"});
  auto device = registry_->device(bob_, made->device.id);
  ASSERT_TRUE(device);
  EXPECT_EQ(device->name, "Tea kettle");
  EXPECT_EQ(device->aliases, std::vector<std::string>{"水壶"});
  EXPECT_TRUE(registry_->authenticate_device(made->device.id, made->secret));
}

TEST_F(RegistryTest, ADamagedRecordStopsTheOpeningWithItsKey) {
  store::WriteBatch batch;
  batch.put(store::Space::kDevices, "d-broken", "{\"home_id\": 7}");
  ASSERT_TRUE(store_->write(batch));
  registry_.reset();
  auto registry = Registry::open(*store_, *catalog_, PasswordHasher(PasswordHasher::Cost::kFast));
  ASSERT_FALSE(registry);
  EXPECT_NE(registry.error().find("registry record devices/d-broken is damaged"), std::string::npos)
      << registry.error();
}

TEST(RegistryOnRocksDb, SurvivesAReopenOfTheDatabase) {
  auto catalog = spec::Catalog::load(MILLET_SPEC_DIR);
  ASSERT_TRUE(catalog) << catalog.error();
  const auto directory = std::filesystem::temp_directory_path() / ("millet-registry-" + random_id(""));
  std::string device_id, secret;
  {
    auto store = store::open_rocksdb_store(directory.string());
    ASSERT_TRUE(store) << store.error();
    auto registry = Registry::open(**store, *catalog, PasswordHasher(PasswordHasher::Cost::kFast));
    ASSERT_TRUE(registry) << registry.error();
    auto user = (*registry)->add_user("dana", "dana-password");
    auto home = (*registry)->add_home(user->id, "Cabin");
    auto made = (*registry)->add_device(user->id, home->id, "Heater", "heater");
    ASSERT_TRUE(made);
    device_id = made->device.id;
    secret = made->secret;
  }
  {
    auto store = store::open_rocksdb_store(directory.string());
    ASSERT_TRUE(store) << store.error();
    auto registry = Registry::open(**store, *catalog, PasswordHasher(PasswordHasher::Cost::kFast));
    ASSERT_TRUE(registry) << registry.error();
    EXPECT_TRUE((*registry)->authenticate_device(device_id, secret));
    EXPECT_EQ((*registry)->find_device(device_id)->name, "Heater");
  }
  std::filesystem::remove_all(directory);
}

}  // namespace
}  // namespace millet::hub
