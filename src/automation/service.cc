#include "automation/service.h"

#include <spdlog/spdlog.h>

#include <future>

#include "base/thread_name.h"
#include "base/wall_clock.h"
#include "hub/shadow.h"
#include "spec/value.h"

namespace millet::automation {

namespace json = boost::json;

class Automations::WallClock final : public Clock {
 public:
  std::int64_t now_ms() const override { return wall_clock_ms(); }
};

// Commands go through the hub, as the API's do; answers come back to the engine's thread.
class Automations::HubEffects final : public Effects {
 public:
  HubEffects(hub::Hub& hub, Automations& service, WebhookSender webhooks)
      : hub_(hub), service_(service), webhooks_(std::move(webhooks)) {}

  // Gathered, and sent by flush(): one task and one store write per shard for all the sets of a round.
  void set(const std::string& home_id, const std::string& device_id, std::vector<hub::CheckedValue> values,
           Done done) override {
    auto device = hub_.device_in_home(home_id, device_id);
    if (!device) return done(Outcome{false, "refused", device.error().message});
    const std::size_t shard = hub_.shard_of(device_id);
    if (pending_.size() <= shard) pending_.resize(shard + 1);
    pending_[shard].push_back({std::move(*device), std::move(values), answer(std::move(done))});
  }
  void flush() {
    for (std::size_t shard = 0; shard < pending_.size(); ++shard) {
      if (!pending_[shard].empty()) hub_.send_sets(shard, std::exchange(pending_[shard], {}));
    }
  }
  void call(const std::string& home_id, const std::string& device_id, const std::string& action, json::object in,
            Done done) override {
    flush();  // the sets before it go first: a device gets a run's commands in order
    hub_.call_in_home(home_id, device_id, action, in, std::chrono::milliseconds(0), answer(std::move(done)));
  }
  void webhook(const std::string& method, const std::string& url, const std::string& body, Done done) override {
    if (!webhooks_) return done(Outcome{false, "error", "this millet sends no webhooks"});
    webhooks_(method, url, body, [this, done = std::move(done)](Outcome outcome) mutable {
      service_.post([done = std::move(done), outcome = std::move(outcome)](Engine&) mutable { done(std::move(outcome)); });
    });
  }
  void publish(const std::string& home_id, json::object event) override {
    event["home"] = home_id;
    event["time"] = wall_clock_ms();
    hub_.publish_home_event(home_id, spec::json_text(event));
  }
  void fetch_state(const std::string& device_id) override {
    hub_.peek(device_id, [this, device_id](const hub::Shadow* shadow) {
      if (!shadow) return;
      std::vector<std::tuple<hub::PropertyId, spec::Value, std::int64_t>> values;
      for (const auto& [key, state] : shadow->reported) values.emplace_back(hub::property_id(key), state.value, state.time_ms);
      service_.post([device_id, values = std::move(values)](Engine& engine) mutable {
        for (auto& [id, value, time] : values) engine.known(device_id, id, std::move(value), time);
      });
    });
  }

 private:
  // The step says "sent" already: only other answers (queued, refused) go back.
  std::function<void(hub::Result<hub::CommandReply>)> answer(Done done) {
    return [this, done = std::move(done)](hub::Result<hub::CommandReply> reply) mutable {
      Outcome outcome;
      if (!reply) {
        outcome = Outcome{false, "refused", reply.error().message};
      } else if (reply->status == hub::CommandReply::Status::kSent) {
        return;
      } else {
        const bool ok = reply->status == hub::CommandReply::Status::kOk ||
                        reply->status == hub::CommandReply::Status::kQueued;
        outcome = Outcome{ok, std::string(hub::status_name(reply->status)), reply->message};
      }
      service_.post([done = std::move(done), outcome = std::move(outcome)](Engine&) mutable { done(std::move(outcome)); });
    };
  }

  hub::Hub& hub_;
  Automations& service_;
  WebhookSender webhooks_;
  std::vector<std::vector<hub::DeviceGateway::SetCommand>> pending_;  // by shard
};

Automations::Automations(store::KvStore& store, hub::Hub& hub, WebhookSender webhooks, SettableClock* clock)
    : hub_(hub),
      test_clock_(clock),
      wall_clock_(std::make_unique<WallClock>()),
      effects_(std::make_unique<HubEffects>(hub, *this, std::move(webhooks))) {
  const Clock& engine_clock = clock ? static_cast<const Clock&>(*clock) : *wall_clock_;
  engine_ = std::make_unique<Engine>(store, hub.registry(), *effects_, engine_clock, interest_);
}

Automations::~Automations() { stop(); }

Expected<void, std::string> Automations::start() {
  std::promise<Expected<void, std::string>> loaded;
  auto result = loaded.get_future();
  post([&loaded](Engine& engine) { loaded.set_value(engine.load()); });
  thread_ = std::thread([this] {
    name_this_thread("automations");
    run();
  });
  return result.get();
}

void Automations::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  if (thread_.joinable()) thread_.join();
}

void Automations::post(std::function<void(Engine&)> task) {
  bool first = false;
  {
    std::lock_guard lock(mutex_);
    first = tasks_.empty();
    tasks_.push_back(std::move(task));
  }
  // The thread takes all waiting tasks at once: only the first of them need wake it.
  if (first) wake_.notify_one();
}

void Automations::sync() {
  std::promise<void> done;
  auto finished = done.get_future();
  post([this, &done](Engine&) { after_flush_.push_back([&done] { done.set_value(); }); });
  finished.wait();
}

void Automations::advance_to(std::int64_t ms) {
  std::promise<void> done;
  auto finished = done.get_future();
  post([this, ms, &done](Engine& engine) {
    while (auto next = engine.next_timer()) {
      if (*next > ms) break;
      if (*next > test_clock_->now_ms()) test_clock_->set(*next);
      engine.run_timers();
    }
    test_clock_->set(ms);
    engine.run_timers();
    after_flush_.push_back([&done] { done.set_value(); });
  });
  finished.wait();
}

void Automations::run() {
  std::vector<std::function<void(Engine&)>> tasks;
  while (true) {
    {
      std::unique_lock lock(mutex_);
      const auto ready = [this] { return stopping_ || !tasks_.empty(); };
      const auto next = test_clock_ ? std::nullopt : engine_->next_timer();
      if (!next) {
        wake_.wait(lock, ready);
      } else {
        const auto delay = std::chrono::milliseconds(std::max<std::int64_t>(0, *next - wall_clock_ms()));
        wake_.wait_for(lock, delay, ready);
      }
      if (stopping_) return;
      tasks.swap(tasks_);
    }
    for (auto& task : tasks) task(*engine_);
    tasks.clear();
    if (!test_clock_) engine_->run_timers();
    effects_->flush();
    for (auto& done : after_flush_) done();
    after_flush_.clear();
  }
}

// --- from the gateway, on the reactors' threads ------------------------------------------------

void Automations::reported(const hub::Device& device, std::span<const hub::CheckedProperty> values,
                           std::int64_t time_ms) {
  if (!interest_.wants(device.id, Interest::Kind::kReports)) return;
  std::vector<std::pair<hub::PropertyId, spec::Value>> copied;
  copied.reserve(values.size());
  for (const auto& value : values) copied.emplace_back(value.id, value.value);
  post([id = device.id, copied = std::move(copied), time_ms](Engine& engine) mutable {
    engine.reported(id, std::move(copied), time_ms);
  });
}

void Automations::event(const hub::Device& device, const std::string& event, const json::object& arguments) {
  if (!interest_.wants(device.id, Interest::Kind::kEvents)) return;
  post([id = device.id, event, arguments](Engine& engine) { engine.event(id, event, arguments); });
}

void Automations::connection(const hub::Device& device, bool online) {
  if (!interest_.wants(device.id, Interest::Kind::kConnections)) return;
  post([id = device.id, online](Engine& engine) { engine.connection(id, online); });
}

}  // namespace millet::automation
