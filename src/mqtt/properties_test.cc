#include "mqtt/properties.h"

#include <gtest/gtest.h>

#include <vector>

#include "mqtt/detail/reader.h"

namespace millet::mqtt {
namespace {

std::vector<std::byte> bytes(std::initializer_list<int> values) {
  std::vector<std::byte> out;
  for (int v : values) out.push_back(static_cast<std::byte>(v));
  return out;
}

Expected<void, DecodeError> decode(const std::vector<std::byte>& data, PropertyContext context,
                                   Properties& out) {
  detail::Reader reader(data);
  return decode_properties(reader, context, out);
}

TEST(Properties, RoundTripEveryConnackProperty) {
  Properties p;
  p.session_expiry_interval = 120;
  p.assigned_client_identifier = "auto-1";
  p.server_keep_alive = 30;
  p.reason_string = "ok";
  p.receive_maximum = 20;
  p.topic_alias_maximum = 10;
  p.maximum_qos = 1;
  p.retain_available = 1;
  p.user_properties = {{"a", "1"}, {"a", "2"}};
  p.maximum_packet_size = 1 << 20;
  p.wildcard_subscription_available = 1;
  p.subscription_identifier_available = 1;
  p.shared_subscription_available = 0;
  ByteBuffer out;
  encode_properties(p, out);
  std::vector<std::byte> encoded(out.readable().begin(), out.readable().end());
  Properties decoded;
  ASSERT_TRUE(decode(encoded, PropertyContext::kConnack, decoded));
  EXPECT_EQ(decoded, p);
}

TEST(Properties, RejectsPropertyNotAllowedInContext) {
  Properties out;
  // Session Expiry Interval in a PUBLISH.
  auto result = decode(bytes({5, 0x11, 0, 0, 0, 1}), PropertyContext::kPublish, out);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, ReasonCode::kProtocolError);
}

TEST(Properties, RejectsDuplicate) {
  Properties out;
  auto result = decode(bytes({6, 0x23, 0, 1, 0x23, 0, 2}), PropertyContext::kPublish, out);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, ReasonCode::kProtocolError);
}

TEST(Properties, AllowsRepeatedUserProperties) {
  Properties out;
  ASSERT_TRUE(decode(bytes({11, 0x26, 0, 1, 'a', 0, 0, 0x26, 0, 0, 0, 0}), PropertyContext::kPublish, out));
  EXPECT_EQ(out.user_properties.size(), 2u);
}

TEST(Properties, RejectsUnknownIdentifier) {
  Properties out;
  auto result = decode(bytes({2, 0x7f, 0}), PropertyContext::kPublish, out);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, ReasonCode::kMalformedPacket);
}

TEST(Properties, RejectsOutOfRangeValues) {
  Properties out;
  EXPECT_FALSE(decode(bytes({2, 0x01, 2}), PropertyContext::kPublish, out));           // payload format 2
  EXPECT_FALSE(decode(bytes({3, 0x21, 0, 0}), PropertyContext::kConnect, out));         // receive maximum 0
  EXPECT_FALSE(decode(bytes({5, 0x27, 0, 0, 0, 0}), PropertyContext::kConnect, out));   // max packet size 0
  EXPECT_FALSE(decode(bytes({3, 0x23, 0, 0}), PropertyContext::kPublish, out));         // topic alias 0
  EXPECT_FALSE(decode(bytes({2, 0x0B, 0}), PropertyContext::kSubscribe, out));          // subscription id 0
}

TEST(Properties, RejectsLengthBeyondPacket) {
  Properties out;
  auto result = decode(bytes({9, 0x23, 0, 1}), PropertyContext::kPublish, out);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, ReasonCode::kMalformedPacket);
}

TEST(Properties, RejectsInvalidUtf8String) {
  Properties out;
  auto result = decode(bytes({5, 0x03, 0, 2, 0xc3, 0x28}), PropertyContext::kPublish, out);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, ReasonCode::kMalformedPacket);
}

TEST(Properties, ForEachRawPropertyVisitsInOrder) {
  const auto contents = bytes({0x23, 0, 5, 0x26, 0, 1, 'k', 0, 1, 'v', 0x02, 0, 0, 0, 9});
  std::vector<PropertyId> ids;
  std::vector<std::size_t> sizes;
  for_each_raw_property(contents, [&](PropertyId id, ByteSpan raw) {
    ids.push_back(id);
    sizes.push_back(raw.size());
  });
  EXPECT_EQ(ids, (std::vector<PropertyId>{PropertyId::kTopicAlias, PropertyId::kUserProperty,
                                          PropertyId::kMessageExpiryInterval}));
  EXPECT_EQ(sizes, (std::vector<std::size_t>{3, 7, 5}));
}

}  // namespace
}  // namespace millet::mqtt
