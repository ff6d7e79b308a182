#include "device/device.h"

#include <condition_variable>
#include <exception>
#include <fstream>
#include <map>
#include <stdexcept>
#include <thread>

#include "device/detail/fleet_loop.h"
#include "device/detail/mqtt_client.h"
#include "device/detail/protocol.h"

namespace millet::device {
namespace json = boost::json;

namespace {

void check(const Options& options) {
  const auto fail = [](const std::string& what) { throw std::invalid_argument("device options: " + what); };
  if (options.id.empty()) fail("the device id is empty");
  if (options.id.find_first_of("/+#") != std::string::npos) fail("the device id '" + options.id + "' has / + or #");
  if (options.host.empty()) fail("the host is empty");
  if (options.port < 1 || options.port > 65535) fail("port " + std::to_string(options.port) + " is outside [1, 65535]");
  if (options.keep_alive.count() < 5 || options.keep_alive.count() > 65535) {
    fail("keep_alive " + std::to_string(options.keep_alive.count()) + " s is outside [5, 65535]");
  }
  if (options.session_expiry.count() < 0 || options.session_expiry.count() > 0xFFFFFFFFLL) {
    fail("session_expiry " + std::to_string(options.session_expiry.count()) + " s is outside [0, 2^32 - 1]");
  }
  if (options.reconnect_delay_min.count() < 1 || options.reconnect_delay_max < options.reconnect_delay_min) {
    fail("reconnect delays must satisfy 1 ms <= reconnect_delay_min <= reconnect_delay_max");
  }
  if (options.max_unacknowledged < 1) fail("max_unacknowledged is 0");
  if (!options.tls_ca_file.empty() && !std::ifstream(options.tls_ca_file)) {
    fail("the TLS CA file '" + options.tls_ca_file + "' cannot be read");
  }
}

std::string describe_exception(std::exception_ptr exception) {
  try {
    std::rethrow_exception(exception);
  } catch (const std::exception& error) {
    return std::string("the device's handler failed: ") + error.what();
  } catch (...) {
    return "the device's handler failed";
  }
}

}  // namespace

class Device::Impl {
 public:
  explicit Impl(Options options)
      : id_(options.id),
        client_(options,
                {detail::device_topic(id_, "set"), detail::device_topic(id_, "action")},
                detail::device_topic(id_, "status"),
                {[this](const ConnectionEvent& event) {
                   if (on_connection_) on_connection_(event);
                 },
                 [this](std::string_view topic, std::string_view payload) { on_message(topic, payload); }}) {}

  ~Impl() { stop(); }

  // Handlers: only before a run, which then reads them from the network thread alone.
  void check_not_running(std::string_view what) const {
    if (running_) throw std::logic_error("device '" + id_ + "': " + std::string(what) + " while it runs");
  }

  void start() {
    if (running_.exchange(true)) return;
    if (thread_.joinable()) thread_.join();  // a run that millet's refusal ended
    thread_ = std::thread([this] { finish(client_.run()); });
  }

  void start(detail::FleetLoop& fleet) {
    if (running_.exchange(true)) return;
    if (thread_.joinable()) thread_.join();
    client_.set_waker(&fleet);
    fleet.add(client_, [this](const Status& ended) { finish(ended); });
  }

  Status run() {
    if (running_.exchange(true)) return Status::error("device '" + id_ + "' is already running");
    if (thread_.joinable()) thread_.join();
    Status ended = client_.run();
    finish(ended);
    return ended;
  }

  Status stop() {
    if (running_) client_.request_stop();
    if (client_.on_network_thread()) return Status::ok();  // the run ends when the handler returns
    {
      std::unique_lock lock(ended_mutex_);
      run_ended_.wait(lock, [this] { return !running_; });
    }
    if (thread_.joinable()) thread_.join();
    std::lock_guard lock(ended_mutex_);
    return ended_;
  }

  Status send(std::string_view rest, std::string payload, DeliveryHandler on_delivery) {
    return client_.publish(detail::device_topic(id_, rest), std::move(payload), std::move(on_delivery));
  }

  const std::string id_;
  std::map<std::string, SetHandler, std::less<>> set_handlers_;
  AnySetHandler any_set_handler_;
  std::map<std::string, ActionHandler, std::less<>> action_handlers_;
  ConnectionHandler on_connection_;
  detail::MqttClient client_;
  std::atomic<bool> running_{false};

 private:
  void finish(Status ended) {
    std::lock_guard lock(ended_mutex_);
    ended_ = std::move(ended);
    running_ = false;
    run_ended_.notify_all();
  }

  void on_message(std::string_view topic, std::string_view payload) {
    if (topic.ends_with("/set")) {
      handle_set(payload);
    } else if (topic.ends_with("/action")) {
      handle_action(payload);
    }
  }

  Status apply(const std::string& property, const json::value& value) {
    try {
      if (auto it = set_handlers_.find(property); it != set_handlers_.end()) return it->second(value);
      if (any_set_handler_) return any_set_handler_(property, value);
      return Status::error("the device has no handler for property '" + property + "'");
    } catch (...) {
      return Status::error(describe_exception(std::current_exception()));
    }
  }

  // Applies the values in order until one fails; reports the applied ones; answers the
  // set once millet has acknowledged the report. A refused report does not make the set
  // fail — the device did apply the values — but is logged: millet takes no write-only
  // property (window-covering.motor-control) in reports, and no report with one in it.
  void handle_set(std::string_view payload) {
    detail::SetRequest set = detail::parse_set(payload);
    if (!set.error.empty()) {
      client_.log(LogLevel::kWarning, "device '" + id_ + "': " + set.error);
      if (!set.id.empty()) answer_set(set.id, Status::error(set.error));
      return;
    }
    json::object applied;
    Status outcome = Status::ok();
    for (const auto& [name, value] : set.properties) {
      const std::string property(name);
      outcome = apply(property, value);
      if (!outcome.is_ok()) break;
      applied[property] = value;
    }
    if (applied.empty()) {
      answer_set(set.id, outcome);
      return;
    }
    const Status reported = client_.publish(
        detail::device_topic(id_, "report"), detail::report_payload(applied, std::nullopt),
        [this, id = set.id, outcome](const Delivery& delivery) {
          if (delivery.outcome == Delivery::Outcome::kNotSent) return;  // the device stopped
          if (delivery.outcome == Delivery::Outcome::kRefused) {
            client_.log(LogLevel::kWarning, "device '" + id_ + "': millet refused the report of set " + id +
                                                "'s values: " + delivery.message);
          }
          answer_set(id, outcome);
        });
    if (!reported.is_ok()) answer_set(set.id, reported);
  }

  void answer_set(const std::string& request_id, const Status& status) {
    warn_if_failed(send("set/result", detail::set_result_payload(request_id, status), {}));
  }

  void handle_action(std::string_view payload) {
    detail::ActionRequest call = detail::parse_action(payload);
    ActionResult result;
    if (!call.error.empty()) {
      client_.log(LogLevel::kWarning, "device '" + id_ + "': " + call.error);
      if (call.id.empty()) return;
      result = ActionResult::error(call.error);
    } else if (auto it = action_handlers_.find(call.action); it == action_handlers_.end()) {
      result = ActionResult::error("the device has no handler for action '" + call.action + "'");
    } else {
      try {
        result = it->second(call.in);
      } catch (...) {
        result = ActionResult::error(describe_exception(std::current_exception()));
      }
    }
    warn_if_failed(send("action/result", detail::action_result_payload(call.id, result), {}));
  }

  void warn_if_failed(const Status& status) {
    if (!status.is_ok()) client_.log(LogLevel::kWarning, status.message());
  }

  std::thread thread_;
  std::mutex ended_mutex_;
  std::condition_variable run_ended_;
  Status ended_ = Status::ok();  // guarded by ended_mutex_: what ended the last run
};

class Fleet::Impl {
 public:
  detail::FleetLoop loop;
};

Device::Device(Options options) {
  check(options);
  impl_ = std::make_unique<Impl>(std::move(options));
}

Device::~Device() = default;

void Device::on_set(std::string property, SetHandler handler) {
  impl_->check_not_running("on_set()");
  impl_->set_handlers_[std::move(property)] = std::move(handler);
}

void Device::on_set_any(AnySetHandler handler) {
  impl_->check_not_running("on_set_any()");
  impl_->any_set_handler_ = std::move(handler);
}

void Device::on_action(std::string action, ActionHandler handler) {
  impl_->check_not_running("on_action()");
  impl_->action_handlers_[std::move(action)] = std::move(handler);
}

void Device::on_connection(ConnectionHandler handler) {
  impl_->check_not_running("on_connection()");
  impl_->on_connection_ = std::move(handler);
}

void Device::start() { impl_->start(); }
void Device::start(Fleet& fleet) { impl_->start(fleet.impl_->loop); }
Status Device::run() { return impl_->run(); }
Status Device::stop() { return impl_->stop(); }
bool Device::running() const { return impl_->running_; }
bool Device::connected() const { return impl_->client_.connected(); }
const std::string& Device::id() const { return impl_->id_; }

Status Device::report(json::object properties, DeliveryHandler on_delivery) {
  return impl_->send("report", detail::report_payload(properties, std::nullopt), std::move(on_delivery));
}

Status Device::report(json::object properties, std::chrono::system_clock::time_point read_at,
                      DeliveryHandler on_delivery) {
  const auto time_ms = std::chrono::duration_cast<std::chrono::milliseconds>(read_at.time_since_epoch()).count();
  return impl_->send("report", detail::report_payload(properties, time_ms), std::move(on_delivery));
}

Status Device::event(std::string_view name, json::object arguments, DeliveryHandler on_delivery) {
  return impl_->send("event", detail::event_payload(name, arguments), std::move(on_delivery));
}

Fleet::Fleet() : impl_(std::make_unique<Impl>()) {}
Fleet::~Fleet() = default;
std::size_t Fleet::size() const { return impl_->loop.size(); }

}  // namespace millet::device
