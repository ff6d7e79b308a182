// Byte-exact tests of the MQTT codec, both protocol versions.

#include "mqtt/codec.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace millet::mqtt {
namespace {

constexpr auto kV311 = ProtocolVersion::kV311;
constexpr auto kV5 = ProtocolVersion::kV5;

// "10 0f 00 04" → bytes.
std::vector<std::byte> hex(std::string_view text) {
  std::vector<std::byte> out;
  std::string digits;
  for (char c : text) {
    if (c == ' ') continue;
    digits += c;
    if (digits.size() == 2) {
      out.push_back(static_cast<std::byte>(std::stoi(digits, nullptr, 16)));
      digits.clear();
    }
  }
  return out;
}

std::string to_hex(ByteSpan bytes) {
  std::string out;
  for (std::byte b : bytes) {
    char piece[4];
    std::snprintf(piece, sizeof piece, out.empty() ? "%02x" : " %02x", static_cast<unsigned>(b));
    out += piece;
  }
  return out;
}

// Frames and decodes exactly one packet that fills `bytes`.
Expected<Packet, DecodeError> decode_one(const std::vector<std::byte>& bytes, ProtocolVersion version,
                                         std::uint32_t max_size = kMaxRemainingLength + 5) {
  auto frame = read_frame(bytes, max_size);
  if (!frame) return unexpected(frame.error());
  if (!frame->has_value()) return unexpected(DecodeError{ReasonCode::kMalformedPacket, "incomplete"});
  const Frame& f = **frame;
  EXPECT_EQ(f.total_size(), bytes.size()) << "frame does not cover the whole test packet";
  return decode_packet(f, ByteSpan(bytes).subspan(f.header_size, f.remaining_length), version);
}

template <class T>
T decode_as(const std::vector<std::byte>& bytes, ProtocolVersion version) {
  auto packet = decode_one(bytes, version);
  EXPECT_TRUE(packet.has_value()) << (packet ? "" : packet.error().message);
  if (!packet) return T{};
  EXPECT_TRUE(std::holds_alternative<T>(*packet));
  return std::get<T>(*packet);
}

template <class T>
std::string encode_hex(const T& packet, ProtocolVersion version) {
  ByteBuffer out;
  encode(Packet{packet}, version, out);
  return to_hex(out.readable());
}

DecodeError decode_error(const std::vector<std::byte>& bytes, ProtocolVersion version) {
  auto packet = decode_one(bytes, version);
  EXPECT_FALSE(packet.has_value()) << "decoded a packet that should have been rejected";
  return packet ? DecodeError{} : packet.error();
}

// --- CONNECT ---------------------------------------------------------------

TEST(Connect, V311MinimalFromMosquittoPub) {
  // As sent by `mosquitto_pub -i abc -k 60` (clean session, no will, no auth).
  const auto bytes = hex("10 0f 00 04 4d 51 54 54 04 02 00 3c 00 03 61 62 63");
  auto connect = decode_as<Connect>(bytes, kV311);
  EXPECT_EQ(connect.version, kV311);
  EXPECT_TRUE(connect.clean_start);
  EXPECT_EQ(connect.keep_alive, 60);
  EXPECT_EQ(connect.client_id, "abc");
  EXPECT_FALSE(connect.will);
  EXPECT_FALSE(connect.username);
  EXPECT_EQ(encode_hex(connect, kV311), to_hex(bytes));
}

TEST(Connect, V5WithPropertiesWillAndCredentials) {
  const auto bytes = hex(
      "10 2f 00 04 4d 51 54 54 05"  // protocol name and level 5
      " ee 00 1e"                   // user, password, will retain, will QoS 1, will, clean start; keep alive 30
      " 08 11 00 00 00 1e 21 00 0a"  // session expiry 30, receive maximum 10
      " 00 03 61 62 63"             // client id "abc"
      " 05 18 00 00 00 05"          // will properties: will delay 5
      " 00 03 61 2f 62 00 03 62 79 65"  // will topic "a/b", payload "bye"
      " 00 01 75 00 02 70 77");     // user "u", password "pw"
  auto connect = decode_as<Connect>(bytes, kV5);
  EXPECT_EQ(connect.version, kV5);
  EXPECT_EQ(connect.keep_alive, 30);
  EXPECT_EQ(connect.properties.session_expiry_interval, 30u);
  EXPECT_EQ(connect.properties.receive_maximum, 10);
  ASSERT_TRUE(connect.will);
  EXPECT_EQ(connect.will->qos, 1);
  EXPECT_TRUE(connect.will->retain);
  EXPECT_EQ(connect.will->properties.will_delay_interval, 5u);
  EXPECT_EQ(connect.will->topic, "a/b");
  EXPECT_EQ(as_text(connect.will->payload), "bye");
  EXPECT_EQ(connect.username, "u");
  EXPECT_EQ(as_text(*connect.password), "pw");
  EXPECT_EQ(encode_hex(connect, kV5), to_hex(bytes));
}

TEST(Connect, RejectsReservedFlag) {
  auto error = decode_error(hex("10 0f 00 04 4d 51 54 54 04 03 00 3c 00 03 61 62 63"), kV311);
  EXPECT_EQ(error.code, ReasonCode::kMalformedPacket);
}

TEST(Connect, RejectsUnsupportedVersions) {
  EXPECT_EQ(decode_error(hex("10 0f 00 04 4d 51 54 54 06 02 00 3c 00 03 61 62 63"), kV311).code,
            ReasonCode::kUnsupportedProtocolVersion);
  EXPECT_EQ(decode_error(hex("10 11 00 06 4d 51 49 73 64 70 03 02 00 3c 00 03 61 62 63"), kV311).code,
            ReasonCode::kUnsupportedProtocolVersion);
  const auto body = hex("00 04 4d 51 54 54 06 02 00 3c 00 03 61 62 63");
  EXPECT_EQ(connect_protocol_level(body), 6);
}

TEST(Connect, RejectsWrongProtocolName) {
  EXPECT_EQ(decode_error(hex("10 0f 00 04 4d 51 54 58 04 02 00 3c 00 03 61 62 63"), kV311).code,
            ReasonCode::kMalformedPacket);
}

TEST(Connect, RejectsPasswordWithoutUserIn311) {
  EXPECT_EQ(decode_error(hex("10 13 00 04 4d 51 54 54 04 42 00 3c 00 03 61 62 63 00 02 70 77"), kV311).code,
            ReasonCode::kMalformedPacket);
}

TEST(Connect, RejectsWillQosWithoutWill) {
  EXPECT_EQ(decode_error(hex("10 0f 00 04 4d 51 54 54 04 0a 00 3c 00 03 61 62 63"), kV311).code,
            ReasonCode::kMalformedPacket);
}

TEST(Connect, RejectsTrailingBytes) {
  EXPECT_EQ(decode_error(hex("10 10 00 04 4d 51 54 54 04 02 00 3c 00 03 61 62 63 00"), kV311).code,
            ReasonCode::kMalformedPacket);
}

// --- CONNACK ---------------------------------------------------------------

TEST(Connack, V311SessionPresent) {
  Connack connack{.session_present = true};
  EXPECT_EQ(encode_hex(connack, kV311), "20 02 01 00");
  EXPECT_TRUE(decode_as<Connack>(hex("20 02 01 00"), kV311).session_present);
}

TEST(Connack, V311MapsReasonToReturnCode) {
  EXPECT_EQ(encode_hex(Connack{.reason = ReasonCode::kUnsupportedProtocolVersion}, kV311), "20 02 00 01");
  EXPECT_EQ(encode_hex(Connack{.reason = ReasonCode::kClientIdentifierNotValid}, kV311), "20 02 00 02");
  EXPECT_EQ(encode_hex(Connack{.reason = ReasonCode::kNotAuthorized}, kV311), "20 02 00 05");
}

TEST(Connack, V5WithProperties) {
  Connack connack;
  connack.properties.assigned_client_identifier = "x";
  connack.properties.receive_maximum = 100;
  const std::string expected = "20 0a 00 00 07 12 00 01 78 21 00 64";
  EXPECT_EQ(encode_hex(connack, kV5), expected);
  const auto bytes = hex(expected);
  auto decoded = decode_as<Connack>(bytes, kV5);
  EXPECT_EQ(decoded.properties.assigned_client_identifier, "x");
  EXPECT_EQ(decoded.properties.receive_maximum, 100);
}

// --- PUBLISH ---------------------------------------------------------------

TEST(Publish, V311Qos1) {
  const auto bytes = hex("32 09 00 03 61 2f 62 00 0a 68 69");
  auto publish = decode_as<Publish>(bytes, kV311);
  EXPECT_EQ(publish.qos, 1);
  EXPECT_FALSE(publish.retain);
  EXPECT_FALSE(publish.dup);
  EXPECT_EQ(publish.topic, "a/b");
  EXPECT_EQ(publish.packet_id, 10);
  EXPECT_EQ(as_text(publish.payload), "hi");
  EXPECT_EQ(encode_hex(publish, kV311), to_hex(bytes));
}

TEST(Publish, V311Qos2RetainDupEmptyPayload) {
  const auto bytes = hex("3d 07 00 03 61 2f 62 12 34");
  auto publish = decode_as<Publish>(bytes, kV311);
  EXPECT_EQ(publish.qos, 2);
  EXPECT_TRUE(publish.retain);
  EXPECT_TRUE(publish.dup);
  EXPECT_EQ(publish.packet_id, 0x1234);
  EXPECT_TRUE(publish.payload.empty());
  EXPECT_EQ(encode_hex(publish, kV311), to_hex(bytes));
}

TEST(Publish, V5PropertiesAndRawCopy) {
  const auto bytes = hex("30 11 00 03 61 2f 62 0a 23 00 05 26 00 01 6b 00 01 76 78");
  auto publish = decode_as<Publish>(bytes, kV5);
  EXPECT_EQ(publish.properties.topic_alias, 5);
  ASSERT_EQ(publish.properties.user_properties.size(), 1u);
  EXPECT_EQ(publish.properties.user_properties[0].key, "k");
  EXPECT_EQ(publish.properties.user_properties[0].value, "v");
  EXPECT_EQ(to_hex(publish.raw_properties), "23 00 05 26 00 01 6b 00 01 76");
  EXPECT_EQ(as_text(publish.payload), "x");
  EXPECT_EQ(encode_hex(publish, kV5), to_hex(bytes));
}

TEST(Publish, V5EncodeAppendsRawProperties) {
  Publish publish{.topic = "t", .payload = as_bytes("p")};
  publish.properties.message_expiry_interval = 9;
  const auto extra = hex("26 00 01 6b 00 01 76");
  ByteBuffer out;
  encode(publish, kV5, out, extra);
  EXPECT_EQ(to_hex(out.readable()), "30 11 00 01 74 0c 02 00 00 00 09 26 00 01 6b 00 01 76 70");
  EXPECT_EQ(encoded_size(publish, kV5, extra), out.size());
}

TEST(Publish, V5EmptyTopicAllowedForAlias) {
  auto publish = decode_as<Publish>(hex("30 06 00 00 03 23 00 01"), kV5);
  EXPECT_EQ(publish.topic, "");
  EXPECT_EQ(publish.properties.topic_alias, 1);
}

TEST(Publish, RejectsQos3) {
  EXPECT_EQ(decode_error(hex("36 07 00 03 61 2f 62 00 01"), kV311).code, ReasonCode::kMalformedPacket);
}

TEST(Publish, RejectsDupWithQos0) {
  EXPECT_EQ(decode_error(hex("38 05 00 03 61 2f 62"), kV311).code, ReasonCode::kMalformedPacket);
}

TEST(Publish, RejectsWildcardTopic) {
  EXPECT_EQ(decode_error(hex("30 05 00 03 61 2f 23"), kV311).code, ReasonCode::kTopicNameInvalid);
  EXPECT_EQ(decode_error(hex("30 06 00 03 61 2f 2b 00"), kV5).code, ReasonCode::kTopicNameInvalid);
}

TEST(Publish, RejectsInvalidUtf8Topic) {
  EXPECT_EQ(decode_error(hex("30 04 00 02 c3 28"), kV311).code, ReasonCode::kMalformedPacket);
  EXPECT_EQ(decode_error(hex("30 05 00 03 61 00 62"), kV311).code, ReasonCode::kMalformedPacket);
}

TEST(Publish, RejectsEmptyTopicIn311) {
  EXPECT_EQ(decode_error(hex("30 02 00 00"), kV311).code, ReasonCode::kMalformedPacket);
}

TEST(Publish, RejectsPacketIdZero) {
  EXPECT_EQ(decode_error(hex("32 07 00 03 61 2f 62 00 00"), kV311).code, ReasonCode::kProtocolError);
}

TEST(Publish, RejectsTruncatedTopic) {
  EXPECT_EQ(decode_error(hex("30 03 00 05 61"), kV311).code, ReasonCode::kMalformedPacket);
}

// --- acknowledgements --------------------------------------------------------

TEST(PublishAck, ShortFormInBothVersions) {
  for (auto version : {kV311, kV5}) {
    auto ack = decode_as<PublishAck>(hex("40 02 00 05"), version);
    EXPECT_EQ(ack.type, PacketType::kPuback);
    EXPECT_EQ(ack.packet_id, 5);
    EXPECT_EQ(ack.reason, ReasonCode::kSuccess);
    EXPECT_EQ(encode_hex(ack, version), "40 02 00 05");
  }
}

TEST(PublishAck, V5ReasonCode) {
  PublishAck ack{.type = PacketType::kPuback, .packet_id = 5, .reason = ReasonCode::kNoMatchingSubscribers};
  EXPECT_EQ(encode_hex(ack, kV5), "40 03 00 05 10");
  EXPECT_EQ(decode_as<PublishAck>(hex("40 03 00 05 10"), kV5).reason, ReasonCode::kNoMatchingSubscribers);
  // 3.1.1 has no reason codes.
  EXPECT_EQ(encode_hex(ack, kV311), "40 02 00 05");
}

TEST(PublishAck, PubrelCarriesFlags) {
  PublishAck pubrel{.type = PacketType::kPubrel, .packet_id = 7};
  EXPECT_EQ(encode_hex(pubrel, kV5), "62 02 00 07");
  EXPECT_EQ(decode_error(hex("60 02 00 07"), kV5).code, ReasonCode::kMalformedPacket);
}

TEST(PublishAck, RejectsReasonNotAllowed) {
  EXPECT_EQ(decode_error(hex("70 03 00 05 10"), kV5).code, ReasonCode::kProtocolError);  // PUBCOMP 0x10
}

TEST(PublishAck, RejectsLongBodyIn311) {
  EXPECT_EQ(decode_error(hex("40 03 00 05 00"), kV311).code, ReasonCode::kMalformedPacket);
}

// --- SUBSCRIBE / SUBACK / UNSUBSCRIBE / UNSUBACK -----------------------------

TEST(Subscribe, V5OptionsAndIdentifier) {
  const auto bytes = hex("82 0b 00 01 02 0b 07 00 03 61 2f 2b 2d");
  auto subscribe = decode_as<Subscribe>(bytes, kV5);
  EXPECT_EQ(subscribe.packet_id, 1);
  EXPECT_EQ(subscribe.properties.subscription_identifiers, std::vector<std::uint32_t>{7});
  ASSERT_EQ(subscribe.subscriptions.size(), 1u);
  const auto& s = subscribe.subscriptions[0];
  EXPECT_EQ(s.filter, "a/+");
  EXPECT_EQ(s.options.qos, 1);
  EXPECT_TRUE(s.options.no_local);
  EXPECT_TRUE(s.options.retain_as_published);
  EXPECT_EQ(s.options.retain_handling, 2);
  EXPECT_EQ(encode_hex(subscribe, kV5), to_hex(bytes));
}

TEST(Subscribe, V311TwoFilters) {
  const auto bytes = hex("82 0c 00 02 00 03 61 2f 23 02 00 01 62 00");
  auto subscribe = decode_as<Subscribe>(bytes, kV311);
  ASSERT_EQ(subscribe.subscriptions.size(), 2u);
  EXPECT_EQ(subscribe.subscriptions[0].filter, "a/#");
  EXPECT_EQ(subscribe.subscriptions[0].options.qos, 2);
  EXPECT_EQ(subscribe.subscriptions[1].filter, "b");
  EXPECT_EQ(encode_hex(subscribe, kV311), to_hex(bytes));
}

TEST(Subscribe, Rejects) {
  // Wrong fixed-header flags.
  EXPECT_EQ(decode_error(hex("80 06 00 01 00 01 61 00"), kV311).code, ReasonCode::kMalformedPacket);
  // No topic filters.
  EXPECT_EQ(decode_error(hex("82 02 00 01"), kV311).code, ReasonCode::kProtocolError);
  // Reserved option bits in 3.1.1 (no-local is a v5 option).
  EXPECT_EQ(decode_error(hex("82 06 00 01 00 01 61 04"), kV311).code, ReasonCode::kMalformedPacket);
  // Retain handling 3.
  EXPECT_EQ(decode_error(hex("82 07 00 01 00 00 01 61 30"), kV5).code, ReasonCode::kProtocolError);
  // QoS 3.
  EXPECT_EQ(decode_error(hex("82 06 00 01 00 01 61 03"), kV311).code, ReasonCode::kMalformedPacket);
  // Two subscription identifiers.
  EXPECT_EQ(decode_error(hex("82 0b 00 01 04 0b 01 0b 02 00 01 61 00"), kV5).code, ReasonCode::kProtocolError);
}

TEST(Suback, BothVersions) {
  Suback suback{.packet_id = 1, .reasons = {ReasonCode::kGrantedQos1, ReasonCode::kTopicFilterInvalid}};
  EXPECT_EQ(encode_hex(suback, kV5), "90 05 00 01 00 01 8f");
  EXPECT_EQ(encode_hex(suback, kV311), "90 04 00 01 01 80");
}

TEST(Unsubscribe, RoundTripBothVersions) {
  Unsubscribe unsubscribe{.packet_id = 3, .filters = {"a/b", "c"}};
  EXPECT_EQ(encode_hex(unsubscribe, kV311), "a2 0a 00 03 00 03 61 2f 62 00 01 63");
  EXPECT_EQ(encode_hex(unsubscribe, kV5), "a2 0b 00 03 00 00 03 61 2f 62 00 01 63");
  const auto bytes = hex("a2 0b 00 03 00 00 03 61 2f 62 00 01 63");
  auto decoded = decode_as<Unsubscribe>(bytes, kV5);
  EXPECT_EQ(decoded.filters, (std::vector<std::string_view>{"a/b", "c"}));
}

TEST(Unsuback, BothVersions) {
  Unsuback unsuback{.packet_id = 3, .reasons = {ReasonCode::kSuccess, ReasonCode::kNoSubscriptionExisted}};
  EXPECT_EQ(encode_hex(unsuback, kV5), "b0 05 00 03 00 00 11");
  EXPECT_EQ(encode_hex(unsuback, kV311), "b0 02 00 03");
}

// --- PING, DISCONNECT, AUTH -------------------------------------------------

TEST(Ping, Both) {
  EXPECT_EQ(encode_hex(Pingreq{}, kV311), "c0 00");
  EXPECT_EQ(encode_hex(Pingresp{}, kV5), "d0 00");
  EXPECT_TRUE(std::holds_alternative<Pingreq>(*decode_one(hex("c0 00"), kV5)));
  EXPECT_EQ(decode_error(hex("c0 01 00"), kV5).code, ReasonCode::kMalformedPacket);
}

TEST(Disconnect, BothVersions) {
  EXPECT_EQ(encode_hex(Disconnect{}, kV311), "e0 00");
  EXPECT_EQ(encode_hex(Disconnect{}, kV5), "e0 00");
  EXPECT_EQ(encode_hex(Disconnect{.reason = ReasonCode::kSessionTakenOver}, kV5), "e0 01 8e");
  EXPECT_EQ(encode_hex(Disconnect{.reason = ReasonCode::kSessionTakenOver}, kV311), "e0 00");
  auto decoded = decode_as<Disconnect>(hex("e0 07 04 05 11 00 00 00 00"), kV5);
  EXPECT_EQ(decoded.reason, ReasonCode::kDisconnectWithWillMessage);
  EXPECT_EQ(decode_error(hex("e0 01 8e"), kV311).code, ReasonCode::kMalformedPacket);
  EXPECT_EQ(decode_error(hex("e0 01 01"), kV5).code, ReasonCode::kProtocolError);
}

TEST(Auth, OnlyInV5) {
  EXPECT_TRUE(std::holds_alternative<Auth>(*decode_one(hex("f0 00"), kV5)));
  EXPECT_EQ(decode_error(hex("f0 00"), kV311).code, ReasonCode::kMalformedPacket);
}

TEST(ReservedType, Rejected) {
  EXPECT_EQ(decode_error(hex("00 00"), kV5).code, ReasonCode::kMalformedPacket);
}

// --- framing ----------------------------------------------------------------

TEST(Frame, IncompleteWaitsForMoreBytes) {
  for (std::string_view prefix : {"", "30", "30 80", "30 80 80", "30 80 80 80"}) {
    auto frame = read_frame(hex(prefix), kMaxRemainingLength);
    ASSERT_TRUE(frame.has_value()) << prefix;
    EXPECT_FALSE(frame->has_value()) << prefix;
  }
}

TEST(Frame, ReadsMultiByteLength) {
  auto frame = read_frame(hex("30 c1 02"), kMaxRemainingLength);
  ASSERT_TRUE(frame && frame->has_value());
  EXPECT_EQ((*frame)->remaining_length, 321u);
  EXPECT_EQ((*frame)->header_size, 3u);
  auto largest = read_frame(hex("30 ff ff ff 7f"), kMaxRemainingLength + 5);
  ASSERT_TRUE(largest && largest->has_value());
  EXPECT_EQ((*largest)->remaining_length, kMaxRemainingLength);
}

TEST(Frame, RejectsFiveByteLength) {
  auto frame = read_frame(hex("30 ff ff ff ff 7f"), kMaxRemainingLength);
  ASSERT_FALSE(frame);
  EXPECT_EQ(frame.error().code, ReasonCode::kMalformedPacket);
}

TEST(Frame, RejectsNonMinimalLength) {
  auto frame = read_frame(hex("30 80 00"), kMaxRemainingLength);
  ASSERT_FALSE(frame);
  EXPECT_EQ(frame.error().code, ReasonCode::kMalformedPacket);
}

TEST(Frame, RejectsOversizeBeforeTheBodyArrives) {
  auto frame = read_frame(hex("30 ff 7f"), 1024);  // 16383-byte body; only the header is here
  ASSERT_FALSE(frame);
  EXPECT_EQ(frame.error().code, ReasonCode::kPacketTooLarge);
}

}  // namespace
}  // namespace millet::mqtt
