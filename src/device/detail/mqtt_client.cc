#include "device/detail/mqtt_client.h"

#include <mosquitto.h>
#include <mqtt_protocol.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <stdexcept>

#include "device/detail/backoff.h"

namespace millet::device::detail {

namespace {

constexpr std::string_view kOffline = "offline";
// libmosquitto hands out 16-bit packet ids; more unacknowledged messages would reuse them.
constexpr std::size_t kMostUnacknowledged = 60'000;

void initialise_libmosquitto_once() {
  static const int initialised = mosquitto_lib_init();
  (void)initialised;
}

MqttClient& self(void* user_data) { return *static_cast<MqttClient*>(user_data); }

LogLevel log_level(int mosquitto_level) {
  if (mosquitto_level & MOSQ_LOG_ERR) return LogLevel::kError;
  if (mosquitto_level & MOSQ_LOG_WARNING) return LogLevel::kWarning;
  if (mosquitto_level & (MOSQ_LOG_NOTICE | MOSQ_LOG_INFO)) return LogLevel::kInfo;
  return LogLevel::kDebug;
}

}  // namespace

MqttClient::MqttClient(Options options, std::vector<std::string> subscriptions, std::string will_topic,
                       Listener listener)
    : options_(std::move(options)),
      subscriptions_(std::move(subscriptions)),
      will_topic_(std::move(will_topic)),
      listener_(std::move(listener)) {
  initialise_libmosquitto_once();
}

MqttClient::~MqttClient() {
  if (mosq_) mosquitto_destroy(mosq_);
  if (wake_fd_ >= 0) ::close(wake_fd_);
}

// --- any thread --------------------------------------------------------------------------

Status MqttClient::publish(std::string topic, std::string payload, DeliveryHandler on_delivery) {
  const std::size_t most = std::min(options_.max_unacknowledged, kMostUnacknowledged);
  if (unacknowledged_.fetch_add(1) >= most) {
    unacknowledged_.fetch_sub(1);
    return Status::error("device '" + options_.id + "': " + std::to_string(most) +
                         " messages are already waiting for millet's acknowledgement");
  }
  {
    std::lock_guard lock(outbox_mutex_);
    outbox_.push_back({std::move(topic), std::move(payload), std::move(on_delivery)});
  }
  wake();
  return Status::ok();
}

void MqttClient::request_stop() {
  stop_requested_ = true;
  wake();
}

void MqttClient::wake() {
  if (Waker* waker = waker_) {
    waker->wake(*this);
    return;
  }
  const int fd = wake_fd_;
  if (fd < 0) return;  // no run has begun: the first one sends what is queued
  const std::uint64_t one = 1;
  // Cannot fail but for a counter at its maximum, which is still a pending wake-up.
  (void)!::write(fd, &one, sizeof one);
}

void MqttClient::drain_wakeups() {
  std::uint64_t count;
  (void)!::read(wake_fd_, &count, sizeof count);
}

void MqttClient::log(LogLevel level, std::string_view message) const {
  if (options_.log) options_.log(level, message);
}

// --- the network thread ---------------------------------------------------------------------

Status MqttClient::run() {
  if (wake_fd_ < 0) {
    const int fd = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (fd < 0) return Status::error(std::string("device: eventfd failed: ") + std::strerror(errno));
    wake_fd_ = fd;
  }
  begin();
  bool readable = false;
  while (advance(readable)) {
    pollfd ready[2] = {{socket(), POLLIN, 0}, {wake_fd_, POLLIN, 0}};  // poll() skips a socket of -1
    if (wants_write()) ready[0].events |= POLLOUT;
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline_ - std::chrono::steady_clock::now());
    // A failed poll (EINTR) leaves revents 0: the next round only keeps the connection alive.
    (void)::poll(ready, 2, static_cast<int>(std::max<std::chrono::milliseconds::rep>(left.count(), 0)));
    if (ready[1].revents & POLLIN) drain_wakeups();
    readable = ready[0].revents & (POLLIN | POLLERR | POLLHUP);
  }
  return ended_;
}

void MqttClient::begin() {
  network_thread_ = std::this_thread::get_id();
  backoff_.emplace(options_.reconnect_delay_min, options_.reconnect_delay_max);
  ended_ = Status::ok();
  const Status opened = open();
  if (!opened.is_ok()) {
    end_run(opened);
    return;
  }
  phase_ = Phase::kWaiting;
  deadline_ = std::chrono::steady_clock::now();  // connect at once
}

bool MqttClient::advance(bool readable) {
  if (phase_ == Phase::kEnded || phase_ == Phase::kIdle) return false;
  if (stop_requested_) {
    end_run(Status::ok());
    return false;
  }
  const auto now = std::chrono::steady_clock::now();
  if (phase_ == Phase::kWaiting) {
    if (now < deadline_) return true;
    accepted_ = false;
    refusal_.reset();
    lost_reason_.clear();
    last_library_error_.clear();
    if (!connect()) {
      connection_ended();
      return phase_ != Phase::kEnded;
    }
    phase_ = Phase::kOpen;
    readable = false;
  }
  serve(readable);
  if (mosquitto_socket(mosq_) < 0) {  // the connection ended (or was refused)
    if (lost_reason_.empty()) lost_reason_ = "the connection was closed";
    connection_ended();
    return phase_ != Phase::kEnded;
  }
  // The next round lets mosquitto_loop_misc() keep the connection alive (PINGREQ) and
  // give up on a server that stopped answering.
  deadline_ = now + std::chrono::seconds(1);
  return true;
}

int MqttClient::socket() const { return mosq_ && phase_ == Phase::kOpen ? mosquitto_socket(mosq_) : -1; }

bool MqttClient::wants_write() const { return socket() >= 0 && mosquitto_want_write(mosq_); }

void MqttClient::connection_ended() {
  if (refusal_ && refusal_->permanent) {
    notify({ConnectionEvent::Kind::kRefused, refusal_->message, connack_code_, false, {}});
    end_run(Status::error(refusal_->message));
    return;
  }
  if (stop_requested_) {
    end_run(Status::ok());
    return;
  }
  if (accepted_) backoff_->reset();
  const std::chrono::milliseconds delay = backoff_->next();
  phase_ = Phase::kWaiting;
  deadline_ = std::chrono::steady_clock::now() + delay;
  notify({ConnectionEvent::Kind::kDisconnected, refusal_ ? refusal_->message : lost_reason_,
          refusal_ ? connack_code_ : 0, false, delay});
}

void MqttClient::end_run(Status why) {
  close();
  give_up_unacknowledged();
  stop_requested_ = false;
  phase_ = Phase::kEnded;
  ended_ = std::move(why);
  network_thread_ = std::thread::id();
}

Status MqttClient::open() {
  const bool v5 = options_.protocol == Protocol::kMqtt5;
  // clean session / clean start off: the server keeps the session while the device is away.
  mosq_ = mosquitto_new(options_.id.c_str(), false, this);
  if (!mosq_) return Status::error("device: libmosquitto could not create a client");
  mosquitto_int_option(mosq_, MOSQ_OPT_PROTOCOL_VERSION, v5 ? MQTT_PROTOCOL_V5 : MQTT_PROTOCOL_V311);
  mosquitto_int_option(mosq_, MOSQ_OPT_TCP_NODELAY, 1);
  mosquitto_username_pw_set(mosq_, options_.id.c_str(), options_.secret.c_str());
  if (options_.will) {
    mosquitto_will_set_v5(mosq_, will_topic_.c_str(), static_cast<int>(kOffline.size()), kOffline.data(), 1, false,
                          nullptr);
  }
  if (!options_.tls_ca_file.empty()) {
    if (mosquitto_tls_set(mosq_, options_.tls_ca_file.c_str(), nullptr, nullptr, nullptr, nullptr) !=
        MOSQ_ERR_SUCCESS) {
      return Status::error("device: the TLS CA file '" + options_.tls_ca_file + "' cannot be read");
    }
  } else if (options_.tls) {
    mosquitto_int_option(mosq_, MOSQ_OPT_TLS_USE_OS_CERTS, 1);
  }
  mosquitto_connect_v5_callback_set(mosq_, [](mosquitto*, void* me, int code, int flags, const mosquitto_property*) {
    self(me).on_connack(code, flags);
  });
  mosquitto_disconnect_v5_callback_set(mosq_, [](mosquitto*, void* me, int code, const mosquitto_property*) {
    self(me).on_disconnect(code);
  });
  mosquitto_publish_v5_callback_set(mosq_, [](mosquitto*, void* me, int id, int reason, const mosquitto_property* p) {
    self(me).on_puback(id, reason, p);
  });
  mosquitto_subscribe_v5_callback_set(
      mosq_, [](mosquitto*, void* me, int id, int count, const int* granted, const mosquitto_property*) {
        self(me).on_suback(id, count, granted);
      });
  mosquitto_message_v5_callback_set(mosq_, [](mosquitto*, void* me, const mosquitto_message* message,
                                               const mosquitto_property*) { self(me).on_message(message); });
  mosquitto_log_callback_set(mosq_, [](mosquitto*, void* me, int level, const char* text) {
    if (level & MOSQ_LOG_ERR) self(me).last_library_error_ = text;
    self(me).log(log_level(level), text);
  });
  subscribed_ = false;
  return Status::ok();
}

void MqttClient::close() {
  if (!mosq_) return;
  if (mosquitto_socket(mosq_) >= 0) {
    // What is queued (a handler's last answer), then DISCONNECT (reason 0: the server
    // drops the will), written out within a second. No acknowledgement is awaited.
    if (connected_) send_queued();
    mosquitto_disconnect_v5(mosq_, MQTT_RC_NORMAL_DISCONNECTION, nullptr);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(1);
    while (mosquitto_socket(mosq_) >= 0 && mosquitto_want_write(mosq_) &&
           std::chrono::steady_clock::now() < deadline) {
      pollfd writable{mosquitto_socket(mosq_), POLLOUT, 0};
      ::poll(&writable, 1, 100);
      mosquitto_loop_write(mosq_, 1);
    }
  }
  connected_ = false;
  mosquitto_destroy(mosq_);
  mosq_ = nullptr;
}

bool MqttClient::connect() {
  // CONNECT's session expiry exists in MQTT 5 only; libmosquitto sends CONNECT
  // properties only from this (blocking) call, not from mosquitto_reconnect_async.
  mosquitto_property* properties = nullptr;
  if (options_.protocol == Protocol::kMqtt5) {
    mosquitto_property_add_int32(&properties, MQTT_PROP_SESSION_EXPIRY_INTERVAL,
                                 static_cast<std::uint32_t>(options_.session_expiry.count()));
  }
  const int code = mosquitto_connect_bind_v5(mosq_, options_.host.c_str(), options_.port,
                                             static_cast<int>(options_.keep_alive.count()), nullptr, properties);
  const int saved_errno = errno;
  mosquitto_property_free_all(&properties);
  if (code == MOSQ_ERR_SUCCESS) return true;
  lost_reason_ = "could not connect to " + options_.host + ":" + std::to_string(options_.port) + ": " +
                 describe_disconnection(code, saved_errno);
  if (!last_library_error_.empty()) lost_reason_ += " (" + last_library_error_ + ")";
  return false;
}

void MqttClient::serve(bool readable) {
  if (readable) note(mosquitto_loop_read(mosq_, 1));  // runs the callbacks
  if (connected_) send_queued();
  if (mosquitto_socket(mosq_) >= 0 && mosquitto_want_write(mosq_)) note(mosquitto_loop_write(mosq_, 1));
  if (mosquitto_socket(mosq_) >= 0) note(mosquitto_loop_misc(mosq_));
}

void MqttClient::note(int code) {
  // Some failures (a TLS handshake's) close the connection without on_disconnect():
  // the error code and what libmosquitto last logged as an error say why.
  if (code == MOSQ_ERR_SUCCESS || code == MOSQ_ERR_NO_CONN || !lost_reason_.empty()) return;
  lost_reason_ = describe_disconnection(code, errno);
  if (!last_library_error_.empty()) lost_reason_ += " (" + last_library_error_ + ")";
}

void MqttClient::send_queued() {
  std::deque<Outgoing> batch;
  {
    std::lock_guard lock(outbox_mutex_);
    batch.swap(outbox_);
  }
  for (Outgoing& message : batch) {
    int packet_id = 0;
    const int code = mosquitto_publish_v5(mosq_, &packet_id, message.topic.c_str(),
                                          static_cast<int>(message.payload.size()), message.payload.data(), 1,
                                          false, nullptr);
    // These come after libmosquitto has taken the message: it sends it again after a
    // reconnection, and its PUBACK settles it. Anything else refused the message itself.
    if (code == MOSQ_ERR_SUCCESS || code == MOSQ_ERR_NO_CONN || code == MOSQ_ERR_CONN_LOST ||
        code == MOSQ_ERR_ERRNO) {
      in_flight_[packet_id] = std::move(message.on_delivery);
    } else {
      settle(message.on_delivery, {Delivery::Outcome::kNotSent, 0,
                                   std::string("it could not be sent: ") + mosquitto_strerror(code)});
    }
  }
}

void MqttClient::settle(DeliveryHandler& on_delivery, const Delivery& delivery) {
  unacknowledged_.fetch_sub(1);
  if (on_delivery) on_delivery(delivery);
}

void MqttClient::give_up_unacknowledged() {
  const Delivery not_sent{Delivery::Outcome::kNotSent, 0, "the device stopped before millet acknowledged it"};
  auto in_flight = std::move(in_flight_);
  in_flight_.clear();
  for (auto& [packet_id, on_delivery] : in_flight) settle(on_delivery, not_sent);
  std::deque<Outgoing> waiting;
  {
    std::lock_guard lock(outbox_mutex_);
    waiting.swap(outbox_);
  }
  for (Outgoing& message : waiting) settle(message.on_delivery, not_sent);
}

void MqttClient::notify(const ConnectionEvent& event) {
  switch (event.kind) {
    case ConnectionEvent::Kind::kConnected:
      log(LogLevel::kInfo, "connected to " + options_.host + ":" + std::to_string(options_.port));
      break;
    case ConnectionEvent::Kind::kDisconnected:
      log(LogLevel::kWarning, event.message + "; retrying in " + std::to_string(event.retry_in.count()) + " ms");
      break;
    case ConnectionEvent::Kind::kRefused:
      log(LogLevel::kError, event.message);
      break;
  }
  if (listener_.on_connection) listener_.on_connection(event);
}

// --- libmosquitto's callbacks ----------------------------------------------------------------

void MqttClient::on_connack(int code, int flags) {
  connack_code_ = code;
  if (code != 0) {
    refusal_ = describe_refusal(options_.protocol, code);
    return;  // libmosquitto closes the connection
  }
  accepted_ = true;
  connected_ = true;
  const bool session_present = flags & 1;
  if (!session_present) subscribed_ = false;
  if (!subscribed_) {
    std::vector<char*> topics;
    for (const std::string& topic : subscriptions_) topics.push_back(const_cast<char*>(topic.c_str()));
    mosquitto_subscribe_multiple(mosq_, &subscribe_packet_id_, static_cast<int>(topics.size()), topics.data(), 1, 0,
                                 nullptr);
  }
  notify({ConnectionEvent::Kind::kConnected, {}, 0, session_present, {}});
}

void MqttClient::on_disconnect(int code) {
  connected_ = false;
  // libmosquitto may report one ending twice, the second time with 0: keep the first reason.
  if (code != MOSQ_ERR_SUCCESS && lost_reason_.empty()) lost_reason_ = describe_disconnection(code, errno);
}

void MqttClient::on_puback(int packet_id, int reason_code, const mosquitto_property* properties) {
  auto it = in_flight_.find(packet_id);
  if (it == in_flight_.end()) return;
  DeliveryHandler on_delivery = std::move(it->second);
  in_flight_.erase(it);
  Delivery delivery;
  delivery.reason_code = reason_code;
  if (reason_code >= 0x80) {
    delivery.outcome = Delivery::Outcome::kRefused;
    char* reason = nullptr;
    mosquitto_property_read_string(properties, MQTT_PROP_REASON_STRING, &reason, false);
    delivery.message = reason ? reason : mosquitto_reason_string(reason_code);
    std::free(reason);
  }
  settle(on_delivery, delivery);
}

void MqttClient::on_suback(int packet_id, int count, const int* granted) {
  if (packet_id != subscribe_packet_id_) return;
  subscribed_ = true;
  for (int i = 0; i < count && i < static_cast<int>(subscriptions_.size()); ++i) {
    if (granted[i] < 0x80) continue;
    subscribed_ = false;
    log(LogLevel::kError, "the server refused the subscription to " + subscriptions_[i] + " (" +
                              mosquitto_reason_string(granted[i]) + "): the device will not receive commands");
  }
}

void MqttClient::on_message(const mosquitto_message* message) {
  if (!listener_.on_message) return;
  listener_.on_message(message->topic,
                       std::string_view(static_cast<const char*>(message->payload), message->payloadlen));
}

}  // namespace millet::device::detail
