#include "mqtt/persistence.h"

#include <cstring>

namespace millet::mqtt::persistence {
namespace {

// Record fields: fixed-size big-endian integers and u32-length-prefixed bytes.
class RecordWriter {
 public:
  void u8(std::uint8_t v) { out_ += static_cast<char>(v); }
  void u16(std::uint16_t v) { big_endian(v, 2); }
  void u32(std::uint32_t v) { big_endian(v, 4); }
  void u64(std::uint64_t v) { big_endian(v, 8); }
  void bytes(std::string_view v) {
    u32(static_cast<std::uint32_t>(v.size()));
    out_ += v;
  }
  std::string take() { return std::move(out_); }

 private:
  void big_endian(std::uint64_t v, int size) {
    for (int shift = (size - 1) * 8; shift >= 0; shift -= 8) out_ += static_cast<char>((v >> shift) & 0xFF);
  }
  std::string out_;
};

class RecordReader {
 public:
  explicit RecordReader(std::string_view in) : in_(in) {}
  bool u8(std::uint8_t& v) { return number(v, 1); }
  bool u16(std::uint16_t& v) { return number(v, 2); }
  bool u32(std::uint32_t& v) { return number(v, 4); }
  bool u64(std::uint64_t& v) { return number(v, 8); }
  bool bytes(std::string_view& v) {
    std::uint32_t size;
    if (!u32(size) || in_.size() - position_ < size) return false;
    v = in_.substr(position_, size);
    position_ += size;
    return true;
  }
  bool at_end() const { return position_ == in_.size(); }

 private:
  template <class T>
  bool number(T& v, int size) {
    if (in_.size() - position_ < static_cast<std::size_t>(size)) return false;
    std::uint64_t value = 0;
    for (int i = 0; i < size; ++i) value = (value << 8) | static_cast<std::uint8_t>(in_[position_ + i]);
    position_ += size;
    v = static_cast<T>(value);
    return true;
  }
  std::string_view in_;
  std::size_t position_ = 0;
};

std::string be(std::uint64_t value, int size) {
  std::string out;
  for (int shift = (size - 1) * 8; shift >= 0; shift -= 8) out += static_cast<char>((value >> shift) & 0xFF);
  return out;
}

std::int64_t to_ms(WallTime time) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(time.time_since_epoch()).count();
}
WallTime from_ms(std::int64_t ms) { return WallTime(std::chrono::milliseconds(ms)); }

std::uint8_t pack_options(const SubscriptionOptions& o) {
  return static_cast<std::uint8_t>(o.qos | (o.no_local ? 0x04 : 0) | (o.retain_as_published ? 0x08 : 0) |
                                   (o.retain_handling << 4));
}
SubscriptionOptions unpack_options(std::uint8_t v) {
  return SubscriptionOptions{static_cast<std::uint8_t>(v & 0x03), static_cast<bool>(v & 0x04),
                             static_cast<bool>(v & 0x08), static_cast<std::uint8_t>((v >> 4) & 0x03)};
}

void write_message(RecordWriter& w, const Message& m) {
  w.bytes(m.topic);
  w.bytes(m.payload);
  w.bytes(m.properties);
  w.u8(m.qos);
  w.u8(m.retain ? 1 : 0);
  w.u64(m.expires_at ? static_cast<std::uint64_t>(to_ms(*m.expires_at)) : 0);
}

bool read_message(RecordReader& r, MessagePtr& out) {
  auto message = std::make_shared<Message>();
  std::string_view topic, payload, properties;
  std::uint8_t retain;
  std::uint64_t expires_ms;
  if (!r.bytes(topic) || !r.bytes(payload) || !r.bytes(properties) || !r.u8(message->qos) || !r.u8(retain) ||
      !r.u64(expires_ms)) {
    return false;
  }
  message->topic = topic;
  message->payload = payload;
  message->properties = properties;
  message->retain = retain != 0;
  if (expires_ms) message->expires_at = from_ms(static_cast<std::int64_t>(expires_ms));
  out = std::move(message);
  return true;
}

}  // namespace

std::string session_prefix(std::string_view client_id) {
  std::string key(client_id);
  key += '\0';
  return key;
}

std::string message_key(std::string_view client_id, std::uint64_t seq) {
  return session_prefix(client_id) + 'm' + be(seq, 8);
}

std::string inbound_key(std::string_view client_id, std::uint16_t packet_id) {
  return session_prefix(client_id) + 'i' + be(packet_id, 2);
}

std::optional<SessionMessageKey> parse_session_message_key(std::string_view key, std::string_view client_id) {
  if (key.size() < client_id.size() + 2 || key[client_id.size()] != '\0') return std::nullopt;
  const std::string_view rest = key.substr(client_id.size() + 1);
  const char kind = rest[0];
  const std::size_t size = kind == 'm' ? 8 : kind == 'i' ? 2 : 0;
  if (size == 0 || rest.size() != 1 + size) return std::nullopt;
  std::uint64_t number = 0;
  for (std::size_t i = 1; i <= size; ++i) number = (number << 8) | static_cast<std::uint8_t>(rest[i]);
  return SessionMessageKey{kind, number};
}

std::string encode_session(const SessionRecord& record) {
  RecordWriter w;
  w.u8(kFormatVersion);
  w.u8(static_cast<std::uint8_t>(record.version));
  w.u32(record.expiry_interval);
  w.u64(static_cast<std::uint64_t>(record.disconnected_at_ms));
  w.u32(static_cast<std::uint32_t>(record.subscriptions.size()));
  for (const auto& s : record.subscriptions) {
    w.bytes(s.filter);
    w.u8(pack_options(s.options));
    w.u32(s.identifier);
  }
  w.u8(record.will ? 1 : 0);
  if (record.will) {
    write_message(w, *record.will->message);
    w.u32(record.will->delay);
    w.u8(record.will->message_expiry ? 1 : 0);
    w.u32(record.will->message_expiry.value_or(0));
  }
  return w.take();
}

Expected<SessionRecord, std::string> decode_session(std::string_view bytes) {
  RecordReader r(bytes);
  SessionRecord record;
  std::uint8_t format, version, has_will;
  std::uint64_t disconnected;
  std::uint32_t count;
  if (!r.u8(format) || format != kFormatVersion) return unexpected(std::string("unknown session record format"));
  if (!r.u8(version) || !r.u32(record.expiry_interval) || !r.u64(disconnected) || !r.u32(count)) {
    return unexpected(std::string("truncated session record"));
  }
  if (version != 4 && version != 5) return unexpected(std::string("bad protocol version in session record"));
  record.version = static_cast<ProtocolVersion>(version);
  record.disconnected_at_ms = static_cast<std::int64_t>(disconnected);
  for (std::uint32_t i = 0; i < count; ++i) {
    SubscriptionRecord s;
    std::string_view filter;
    std::uint8_t options;
    if (!r.bytes(filter) || !r.u8(options) || !r.u32(s.identifier)) {
      return unexpected(std::string("truncated subscription in session record"));
    }
    s.filter = filter;
    s.options = unpack_options(options);
    record.subscriptions.push_back(std::move(s));
  }
  if (!r.u8(has_will)) return unexpected(std::string("truncated session record"));
  if (has_will) {
    PendingWill will;
    std::uint8_t has_expiry;
    std::uint32_t expiry;
    if (!read_message(r, will.message) || !r.u32(will.delay) || !r.u8(has_expiry) || !r.u32(expiry)) {
      return unexpected(std::string("truncated will in session record"));
    }
    if (has_expiry) will.message_expiry = expiry;
    record.will = std::move(will);
  }
  return record;
}

std::string encode_queued(const Delivery& delivery, std::uint16_t packet_id, Inflight::State state) {
  RecordWriter w;
  w.u8(kFormatVersion);
  w.u8(static_cast<std::uint8_t>(state));
  w.u16(packet_id);
  w.u8(delivery.qos);
  w.u8(delivery.retain ? 1 : 0);
  w.u32(static_cast<std::uint32_t>(delivery.subscription_ids.size()));
  for (std::uint32_t id : delivery.subscription_ids) w.u32(id);
  write_message(w, *delivery.message);
  return w.take();
}

Expected<QueuedRecord, std::string> decode_queued(std::string_view bytes) {
  RecordReader r(bytes);
  QueuedRecord record;
  std::uint8_t format, state, retain;
  std::uint32_t count;
  if (!r.u8(format) || format != kFormatVersion) return unexpected(std::string("unknown queued message format"));
  if (!r.u8(state) || !r.u16(record.packet_id) || !r.u8(record.delivery.qos) || !r.u8(retain) || !r.u32(count)) {
    return unexpected(std::string("truncated queued message"));
  }
  if (state > static_cast<std::uint8_t>(Inflight::State::kAwaitingPubcomp) || record.delivery.qos == 0 ||
      record.delivery.qos > 2) {
    return unexpected(std::string("bad queued message"));
  }
  record.state = static_cast<Inflight::State>(state);
  record.delivery.retain = retain != 0;
  for (std::uint32_t i = 0; i < count; ++i) {
    std::uint32_t id;
    if (!r.u32(id)) return unexpected(std::string("truncated queued message"));
    record.delivery.subscription_ids.push_back(id);
  }
  if (!read_message(r, record.delivery.message)) return unexpected(std::string("truncated queued message"));
  return record;
}

std::string encode_message(const Message& message) {
  RecordWriter w;
  w.u8(kFormatVersion);
  write_message(w, message);
  return w.take();
}

Expected<MessagePtr, std::string> decode_message(std::string_view bytes) {
  RecordReader r(bytes);
  std::uint8_t format;
  MessagePtr message;
  if (!r.u8(format) || format != kFormatVersion) return unexpected(std::string("unknown message format"));
  if (!read_message(r, message)) return unexpected(std::string("truncated message"));
  return message;
}

}  // namespace millet::mqtt::persistence
