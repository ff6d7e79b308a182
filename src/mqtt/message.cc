#include "mqtt/message.h"

namespace millet::mqtt {

std::optional<std::uint32_t> Message::remaining_expiry(WallTime now) const {
  if (!expires_at) return std::nullopt;
  if (*expires_at <= now) return 0;
  const auto left = std::chrono::ceil<std::chrono::seconds>(*expires_at - now).count();
  return static_cast<std::uint32_t>(left);
}

std::string forwardable_properties(ByteSpan raw_properties) {
  std::string kept;
  for_each_raw_property(raw_properties, [&](PropertyId id, ByteSpan raw) {
    switch (id) {
      case PropertyId::kPayloadFormatIndicator:
      case PropertyId::kContentType:
      case PropertyId::kResponseTopic:
      case PropertyId::kCorrelationData:
      case PropertyId::kUserProperty: kept.append(as_text(raw)); break;
      default: break;  // topic alias, message expiry, subscription identifiers
    }
  });
  return kept;
}

MessagePtr make_message(std::string_view topic, const Publish& publish, WallTime now, const Origin& origin) {
  auto message = std::make_shared<Message>();
  message->topic = topic;
  message->payload = as_text(publish.payload);
  if (!publish.raw_properties.empty()) message->properties = forwardable_properties(publish.raw_properties);
  message->qos = publish.qos;
  message->retain = publish.retain;
  if (publish.properties.message_expiry_interval) {
    message->expires_at = now + std::chrono::seconds(*publish.properties.message_expiry_interval);
  }
  message->publisher = origin.session;
  message->origin_shard = origin.shard;
  message->origin_connection = origin.connection;
  return message;
}

}  // namespace millet::mqtt
