#pragma once
// MqttClient: one device's MQTT connection over libmosquitto — connecting with the
// device's credentials and will, keeping it up (reconnecting with backoff, stopping on
// a refusal), subscribing, and QoS 1 publishing with a callback per PUBACK.
//
// Threads: the network thread is the one that runs run(), or the Fleet's loop that
// drives the client through begin() and advance(); every libmosquitto call and every
// callback (the Listener's, the DeliveryHandlers) happens on it. publish(),
// request_stop(), connected() may be called from any thread: publish() queues the
// message and wakes the network thread (the client's eventfd, or its fleet's).
//
// libmosquitto's own loop (mosquitto_loop) uses select(), which fails for descriptors
// past FD_SETSIZE (1024) — a few hundred devices in one process. run() uses poll(),
// a fleet epoll.

#include <atomic>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

#include "device/detail/backoff.h"
#include "device/detail/connack.h"
#include "device/device.h"

struct mosquitto;
struct mosquitto_message;
struct mqtt5__property;

namespace millet::device::detail {

class MqttClient {
 public:
  struct Listener {
    ConnectionHandler on_connection;
    std::function<void(std::string_view topic, std::string_view payload)> on_message;
  };

  // `subscriptions` are subscribed with QoS 1 on every connection whose session the
  // server did not keep; `will_topic` gets "offline" as the will when options.will.
  MqttClient(Options options, std::vector<std::string> subscriptions, std::string will_topic, Listener listener);
  ~MqttClient();
  MqttClient(const MqttClient&) = delete;
  MqttClient& operator=(const MqttClient&) = delete;

  // Who wakes the network thread of a client that a fleet drives.
  class Waker {
   public:
    virtual void wake(MqttClient& client) = 0;

   protected:
    ~Waker() = default;
  };

  // Connects and serves until request_stop() or a permanent refusal; see Device::run().
  // Messages still unacknowledged when it returns are given up (kNotSent).
  Status run();
  // Makes the current run, or the next one if none is going on, return soon.
  void request_stop();

  // The same run driven by another loop (a fleet's), on its thread: begin() once, then
  // advance() whenever socket() is ready (`readable`: for reading or with an error), the
  // client was woken, or deadline() has come — until it returns false; ended() then says
  // why. Between calls the loop watches socket() (when >= 0) for reading, and for writing
  // too while wants_write(). `waker` is told when publish() or request_stop() want the
  // network thread; set it before begin() and keep it while the client lives.
  void set_waker(Waker* waker) { waker_ = waker; }  // nullptr: run() wakes itself
  void begin();
  bool advance(bool readable);
  int socket() const;
  bool wants_write() const;
  std::chrono::steady_clock::time_point deadline() const { return deadline_; }
  const Status& ended() const { return ended_; }

  // Queues a QoS 1 PUBLISH; see Device::report().
  Status publish(std::string topic, std::string payload, DeliveryHandler on_delivery);

  bool connected() const { return connected_; }
  bool on_network_thread() const { return network_thread_.load() == std::this_thread::get_id(); }
  void log(LogLevel level, std::string_view message) const;

 private:
  struct Outgoing {
    std::string topic;
    std::string payload;
    DeliveryHandler on_delivery;
  };

  enum class Phase : std::uint8_t { kIdle, kWaiting, kOpen, kEnded };

  Status open();     // a fresh libmosquitto client for this run
  void close();      // disconnect and destroy it
  bool connect();    // one attempt: false, with lost_reason_, when no CONNECT could be sent
  void serve(bool readable);  // one round of reading, writing and keeping alive
  void connection_ended();    // retry after a delay, or end the run
  void end_run(Status why);
  void note(int code);  // a libmosquitto call's result: why the connection ends, if it does
  void send_queued();
  void settle(DeliveryHandler& on_delivery, const Delivery& delivery);
  void give_up_unacknowledged();
  void wake();
  void drain_wakeups();
  void notify(const ConnectionEvent& event);

  // libmosquitto's callbacks, on the network thread.
  void on_connack(int code, int flags);
  void on_disconnect(int code);
  void on_puback(int packet_id, int reason_code, const mqtt5__property* properties);
  void on_suback(int packet_id, int count, const int* granted);
  void on_message(const mosquitto_message* message);

  const Options options_;
  const std::vector<std::string> subscriptions_;
  const std::string will_topic_;
  const Listener listener_;
  std::atomic<int> wake_fd_{-1};  // run()'s, made by its first call
  std::atomic<Waker*> waker_{nullptr};  // a fleet's, instead
  std::atomic<bool> stop_requested_{false};
  std::atomic<bool> connected_{false};
  std::atomic<std::thread::id> network_thread_{};

  std::mutex outbox_mutex_;
  std::deque<Outgoing> outbox_;  // guarded by outbox_mutex_: waiting for the network thread
  std::atomic<std::size_t> unacknowledged_{0};  // in the outbox or in flight

  // Network thread only.
  Phase phase_ = Phase::kIdle;
  std::chrono::steady_clock::time_point deadline_{};  // the next connection attempt, or keep-alive round
  std::optional<Backoff> backoff_;
  Status ended_ = Status::ok();  // what ended the last run
  mosquitto* mosq_ = nullptr;
  std::unordered_map<int, DeliveryHandler> in_flight_;  // by packet id
  bool subscribed_ = false;
  int subscribe_packet_id_ = -1;
  bool accepted_ = false;            // the server accepted the current connection attempt
  int connack_code_ = 0;
  std::optional<Refusal> refusal_;   // the current attempt's CONNACK refused it
  std::string lost_reason_;          // why the current connection ended
  std::string last_library_error_;   // what libmosquitto last logged as an error
};

}  // namespace millet::device::detail
