#include "hub/device_gateway.h"

#include <gtest/gtest.h>

namespace millet::hub {
namespace {

using mqtt::ClientRole;
using mqtt::ReasonCode;
using mqtt::Verdict;

class DeviceGatewayTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto catalog = spec::Catalog::load(MILLET_SPEC_DIR);
    ASSERT_TRUE(catalog) << catalog.error();
    catalog_ = std::make_unique<spec::Catalog>(std::move(*catalog));
    registry_ = std::move(*Registry::open(*store_, *catalog_, PasswordHasher(PasswordHasher::Cost::kFast)));
    const std::string alice = registry_->add_user("alice", "alice-password")->id;
    const std::string home = registry_->add_home(alice, "Flat")->id;
    auto made = registry_->add_device(alice, home, "Hall light", "light");
    light_ = made->device.id;
    secret_ = made->secret;
    gateway_holder_ = std::make_unique<DeviceGateway>(*registry_, history_, *store_, 1);
  }

  Verdict publish(std::string_view rest, std::string payload, store::WriteBatch& batch) {
    mqtt::Message message;
    message.topic = "$device/" + light_ + "/" + std::string(rest);
    message.payload = std::move(payload);
    return gateway().on_message(0, ClientRole::kDevice, light_, message, batch);
  }

  std::unique_ptr<store::KvStore> store_ = store::make_memory_store();
  std::unique_ptr<spec::Catalog> catalog_;
  std::unique_ptr<Registry> registry_;
  History history_{*store_};
  std::unique_ptr<DeviceGateway> gateway_holder_;
  DeviceGateway& gateway() { return *gateway_holder_; }
  std::string light_, secret_;
};

TEST_F(DeviceGatewayTest, AdmitsDevicesByTheirSecretAndKeepsTheirIdsForThem) {
  const auto password = [](const std::string& s) { return std::optional<ByteSpan>(as_bytes(s)); };
  EXPECT_EQ(gateway().admit(light_, light_, password(secret_)).role, ClientRole::kDevice);
  EXPECT_EQ(gateway().admit(light_, light_, password("wrong")).reason, ReasonCode::kBadUserNameOrPassword);
  EXPECT_EQ(gateway().admit(light_, std::nullopt, std::nullopt).reason, ReasonCode::kBadUserNameOrPassword);
  EXPECT_EQ(gateway().admit("d-squatter", std::nullopt, std::nullopt).reason, ReasonCode::kBadUserNameOrPassword);
  EXPECT_EQ(gateway().admit("sensor-app", std::nullopt, std::nullopt).role, ClientRole::kAnonymous);
  EXPECT_EQ(gateway().admit("sensor-app", std::nullopt, std::nullopt).reason, ReasonCode::kSuccess);
  DeviceGateway strict(*registry_, history_, *store_, 1, {.allow_anonymous = false});
  EXPECT_EQ(strict.admit("sensor-app", std::nullopt, std::nullopt).reason, ReasonCode::kNotAuthorized);
  ASSERT_TRUE(registry_->revoke_device(registry_->user_by_name("alice")->id, light_));
  EXPECT_EQ(gateway().admit(light_, light_, password(secret_)).reason, ReasonCode::kNotAuthorized);
}

TEST_F(DeviceGatewayTest, EachMayUseOnlyItsOwnTopics) {
  const std::string own = "$device/" + light_ + "/";
  EXPECT_TRUE(gateway().may_publish(ClientRole::kDevice, light_, own + "report"));
  EXPECT_TRUE(gateway().may_publish(ClientRole::kDevice, light_, own + "set/result"));
  EXPECT_FALSE(gateway().may_publish(ClientRole::kDevice, light_, own + "set"));
  EXPECT_FALSE(gateway().may_publish(ClientRole::kDevice, light_, "$device/d-other/report"));
  EXPECT_FALSE(gateway().may_publish(ClientRole::kDevice, light_, "home/hall"));
  EXPECT_FALSE(gateway().may_publish(ClientRole::kAnonymous, "app", own + "report"));
  EXPECT_TRUE(gateway().may_publish(ClientRole::kAnonymous, "app", "home/hall"));
  EXPECT_TRUE(gateway().may_subscribe(ClientRole::kDevice, light_, own + "set"));
  EXPECT_TRUE(gateway().may_subscribe(ClientRole::kDevice, light_, own + "#"));
  EXPECT_FALSE(gateway().may_subscribe(ClientRole::kDevice, light_, "$device/+/set"));
  EXPECT_FALSE(gateway().may_subscribe(ClientRole::kDevice, light_, "#"));
  EXPECT_FALSE(gateway().may_subscribe(ClientRole::kAnonymous, "app", own + "report"));
  EXPECT_FALSE(gateway().may_subscribe(ClientRole::kAnonymous, "app", "$share/g/" + own + "report"));
  EXPECT_TRUE(gateway().may_subscribe(ClientRole::kAnonymous, "app", "#"));
  EXPECT_TRUE(gateway().may_subscribe(ClientRole::kAnonymous, "app", "$other/#"));
  EXPECT_TRUE(gateway().may_publish(ClientRole::kAnonymous, "app", "$other/x"));
  EXPECT_FALSE(gateway().may_publish(ClientRole::kDevice, light_, "$other/x"));
}

TEST_F(DeviceGatewayTest, AReportUpdatesTheShadowAndTheHistoryInTheSameBatch) {
  store::WriteBatch batch;
  auto verdict = publish("report", R"({"properties": {"light.on": true, "2.2": 80}})", batch);
  ASSERT_EQ(verdict.kind, Verdict::Kind::kConsumed) << verdict.why;
  const Shadow* shadow = gateway().shadows(0).find(light_);
  ASSERT_NE(shadow, nullptr);
  const PropertyState& brightness = shadow->reported.at(property_key({2, 2}));
  EXPECT_EQ(std::get<std::int64_t>(brightness.value), 80);
  EXPECT_EQ(brightness.version, 1u);
  ASSERT_TRUE(store_->write(batch));
  auto range = history_.query(light_, {2, 2}, 0, brightness.time_ms + 1, HistoryLevel::kRaw);
  ASSERT_TRUE(range);
  ASSERT_EQ(range->points.size(), 1u);

  // After a restart, the shadow comes back from the store.
  ShadowTable reloaded;
  ASSERT_TRUE(ShadowTable::load(*store_, [&](std::string_view) -> ShadowTable& { return reloaded; }));
  EXPECT_EQ(std::get<std::int64_t>(reloaded.find(light_)->reported.at(property_key({2, 2})).value), 80);
  EXPECT_TRUE(std::get<bool>(reloaded.find(light_)->reported.at(property_key({2, 1})).value));
}

TEST_F(DeviceGatewayTest, ARefusedReportLeavesNothingBehind) {
  store::WriteBatch batch;
  auto verdict = publish("report", R"({"properties": {"light.on": true, "light.brightness": 140}})", batch);
  EXPECT_EQ(verdict.kind, Verdict::Kind::kRejected);
  EXPECT_EQ(verdict.reason, ReasonCode::kPayloadFormatInvalid);
  EXPECT_EQ(verdict.why, "device 'Hall light': light.brightness = 140 is outside [1, 100]");
  EXPECT_TRUE(batch.empty());
  EXPECT_EQ(gateway().shadows(0).find(light_), nullptr);
  for (const char* payload : {"{", "[]", "{\"properties\": 3}", "{\"properties\": {\"light.on\": true}, \"time\": \"now\"}"}) {
    EXPECT_EQ(publish("report", payload, batch).kind, Verdict::Kind::kRejected) << payload;
    EXPECT_TRUE(batch.empty()) << payload;
  }
}

TEST_F(DeviceGatewayTest, OnlineFollowsTheConnection) {
  gateway().on_connected(0, ClientRole::kDevice, light_);
  EXPECT_TRUE(gateway().shadows(0).find(light_)->online);
  gateway().on_disconnected(0, ClientRole::kDevice, light_);
  EXPECT_FALSE(gateway().shadows(0).find(light_)->online);
  gateway().on_connected(0, ClientRole::kAnonymous, "app");
  EXPECT_EQ(gateway().shadows(0).find("app"), nullptr);
}

}  // namespace
}  // namespace millet::hub

namespace millet::hub {
namespace {

TEST_F(DeviceGatewayTest, DesiredValuesAreStoredWithTheirVersionAndSettledByAReport) {
  const PropertyId brightness{2, 2};
  ShadowTable& table = gateway().shadows(0);
  store::WriteBatch batch;
  table.desire(batch, light_, brightness, spec::Value(std::int64_t{40}), 1000, "s-first");
  table.desire(batch, light_, brightness, spec::Value(std::int64_t{50}), 2000, "s-second");
  ASSERT_TRUE(store_->write(batch));

  ShadowTable reloaded;
  ASSERT_TRUE(ShadowTable::load(*store_, [&](std::string_view) -> ShadowTable& { return reloaded; }));
  const DesiredState& desired = reloaded.find(light_)->desired.at(property_key(brightness));
  EXPECT_EQ(desired.value, spec::Value(std::int64_t{50}));
  EXPECT_EQ(desired.time_ms, 2000);
  EXPECT_EQ(desired.version, 2u);
  EXPECT_EQ(desired.request_id, "s-second");

  store::WriteBatch report;
  ASSERT_EQ(publish("report", R"({"properties": {"light.brightness": 40}})", report).kind, Verdict::Kind::kConsumed);
  EXPECT_EQ(table.find(light_)->desired.size(), 1u) << "another value does not settle it";
  ASSERT_EQ(publish("report", R"({"properties": {"light.brightness": 50}})", report).kind, Verdict::Kind::kConsumed);
  EXPECT_TRUE(table.find(light_)->desired.empty());
  ASSERT_TRUE(store_->write(report));
  ShadowTable after;
  ASSERT_TRUE(ShadowTable::load(*store_, [&](std::string_view) -> ShadowTable& { return after; }));
  EXPECT_TRUE(after.find(light_)->desired.empty()) << "the settled value is erased from the store too";
}

}  // namespace
}  // namespace millet::hub
