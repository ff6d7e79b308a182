#include "assistant/service.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <mutex>
#include <set>

#include "base/wall_clock.h"
#include "hub/credentials.h"
#include "hub/shadow.h"
#include "spec/value.h"

namespace millet::assistant {

namespace json = boost::json;
using hub::Error;

// A home as the assistant knows it between turns: names, types and its lexicon. Values are read per turn.
struct Service::Known {
  std::uint64_t serial = 0;  // which build of it: a conversation remembers the one it last read
  std::string content;       // every name, room, type and scene in it: what a rebuild compares
  Home home;                 // without values
  std::unique_ptr<Lexicon> lexicon;
};

struct Service::Talk {
  std::string actor;
  std::string home_id;
  std::uint64_t known = 0;  // the Known::serial the last turn read: the conversation's indexes refer to it
  Conversation conversation;
  std::int64_t last_ms = 0;
};

// One turn on its way: asked, then the home read, then understood, then carried out.
struct Service::Turning {
  std::string actor;
  std::string home_id;
  SayRequest request;
  std::function<void(hub::Result<json::object>)> done;

  std::shared_ptr<const Known> known;
  std::vector<PendingTimer> timers;
  std::string here;  // the room's id
  Home home;  // the known home with the shadows' values
  std::atomic<std::size_t> unread{0};

  std::string conversation;
  Turn turn;
  std::optional<std::uint64_t> timer;
  std::optional<std::string> rewritten;  // what the fallback made of the text
  std::mutex mutex;  // results and extra, as the devices answer on their shards' threads
  json::array results;
  std::vector<std::string> extra;  // sentences for the reply: what did not go through
  std::atomic<std::size_t> unanswered{0};

  void fail(Error error) { done(unexpected(std::move(error))); }
  Context context() const { return Context{here, timers}; }
  // Called once every operation has its result.
  void finish() {
    json::object out = turn.to_json();
    out["conversation"] = conversation;
    out["text"] = request.text;
    for (const std::string& sentence : extra) turn.reply += (turn.language == Language::kEnglish ? " " : "") + sentence;
    out["reply"] = turn.reply;
    out["results"] = std::move(results);
    if (timer) out["timer"] = *timer;
    if (rewritten) out["rewritten"] = *rewritten;
    done(std::move(out));
  }
};

namespace {

Error invalid(std::string message) { return Error{Error::Code::kInvalid, std::move(message)}; }

// The scenes' ids and names, one string: a change of either rebuilds the lexicon.
std::string scene_signature(const std::vector<automation::SceneView>& scenes) {
  std::string out;
  for (const auto& scene : scenes) {
    out += scene.id;
    out += '\x1f';
    out += spec::string_at(scene.document.as_object(), "name");
    out += '\x1e';
  }
  return out;
}

// Everything the lexicon and a conversation's memory depend on, as one string.
std::string content_of(const Home& home) {
  std::string out;
  const auto add = [&out](const auto&... parts) { ((out += parts, out += '\x1f'), ...); };
  for (const Room& room : home.rooms) {
    add("room", room.id, room.name, room.floor);
    for (const std::string& alias : room.aliases) add(alias);
  }
  for (const Device& device : home.devices) {
    add("device", device.id, device.name, device.room, device.type->type);
    for (const std::string& alias : device.aliases) add(alias);
  }
  for (const Scene& scene : home.scenes) add("scene", scene.id, scene.name);
  return out;
}

Home home_of(const hub::Home& registered, const std::vector<hub::Device>& devices,
             const std::vector<automation::SceneView>& scenes, const spec::Catalog& catalog) {
  Home home;
  home.name = registered.name;
  std::set<std::string> floors;
  for (const hub::Room& room : registered.rooms) {
    home.rooms.push_back(Room{room.id, room.name, room.floor, room.aliases});
    if (!room.floor.empty() && floors.insert(room.floor).second) home.floors.push_back(Floor{room.floor, room.floor, {}});
  }
  for (const hub::Device& device : devices) {
    const spec::DeviceType* type = catalog.find(device.type);
    if (!type || device.revoked) continue;
    Device known;
    known.id = device.id;
    known.name = device.name;
    known.aliases = device.aliases;
    known.room = device.room_id;
    known.type = type;
    known.online = false;
    home.devices.push_back(std::move(known));
  }
  for (const auto& scene : scenes) {
    const std::string_view name = spec::string_at(scene.document.as_object(), "name");
    if (!name.empty()) home.scenes.push_back(Scene{scene.id, std::string(name), {}});
  }
  return home;
}

// The home's names, for the fallback: it may use only these.
std::string names_for_fallback(const Home& home) {
  std::string out;
  const auto list = [&out](std::string_view what, const auto& items) {
    if (items.empty()) return;
    out += what;
    bool first = true;
    for (const auto& item : items) {
      for (const std::string& name : names_of(item)) {
        out += first ? " " : ", ";
        out += name;
        first = false;
      }
    }
    out += "\n";
  };
  list("Rooms:", home.rooms);
  list("Devices:", home.devices);
  list("Scenes:", home.scenes);
  return out;
}

// The room a request's "here" names: by id, or by name or alias in any case.
const Room* room_named(const Home& home, std::string_view reference) {
  for (const Room& room : home.rooms) {
    if (room.id == reference) return &room;
  }
  for (const Room& room : home.rooms) {
    for (const std::string& name : names_of(room)) {
      if (hub::same_name(name, reference)) return &room;
    }
  }
  return nullptr;
}

std::optional<Outcome> outcome_of(const hub::Result<hub::CommandReply>& reply) {
  if (!reply) return Outcome::kRefused;
  switch (reply->status) {
    case hub::CommandReply::Status::kOk:
    case hub::CommandReply::Status::kSent:
      return std::nullopt;
    case hub::CommandReply::Status::kQueued:
      return Outcome::kQueued;
    case hub::CommandReply::Status::kTimeout:
      return Outcome::kNoAnswer;
    case hub::CommandReply::Status::kOffline:
      return Outcome::kOffline;
    case hub::CommandReply::Status::kError:
      break;
  }
  return Outcome::kRefused;
}

}  // namespace

Service::Service(hub::Hub& hub, automation::Automations& automations, std::chrono::milliseconds wait,
                 Rewriter fallback)
    : hub_(hub), automations_(automations), wait_(wait), fallback_(std::move(fallback)) {}

Service::~Service() = default;

void Service::say(std::string actor, std::string home_id, SayRequest request,
                  std::function<void(hub::Result<json::object>)> done) {
  if (request.text.find_first_not_of(" \t\r\n") == std::string::npos) {
    return done(unexpected(invalid("say something: \"text\" is empty")));
  }
  if (request.text.size() > kMaxText) {
    return done(unexpected(invalid(fmt::format("\"text\" is {} bytes; the most is {}", request.text.size(), kMaxText))));
  }
  auto turning = std::make_shared<Turning>();
  turning->actor = std::move(actor);
  turning->home_id = std::move(home_id);
  turning->request = std::move(request);
  turning->done = std::move(done);
  automations_.post([this, turning](automation::Engine& engine) {
    auto known = this->known(engine, turning->actor, turning->home_id);
    if (!known) return turning->fail(known.error());
    turning->known = *known;
    if (!turning->request.here.empty()) {
      const Room* room = room_named((*known)->home, turning->request.here);
      if (!room) return turning->fail(invalid(fmt::format("no room '{}' in this home", turning->request.here)));
      turning->here = room->id;
    }
    turning->home = (*known)->home;
    auto timers = engine.delayed(turning->actor, turning->home_id);
    if (!timers) return turning->fail(timers.error());
    for (const auto& timer : *timers) {
      PendingTimer pending{timer.id, {}};
      for (const auto& operation : timer.operations) {
        if (const auto* device = operation.as_object().if_contains("device")) {
          pending.devices.emplace_back(device->as_string());
        }
      }
      turning->timers.push_back(std::move(pending));
    }
    // The values come from each device's shadow, on its shard's thread; the last one read goes on.
    if (turning->home.devices.empty()) return turn(engine, turning);
    turning->unread = turning->home.devices.size();
    for (std::size_t i = 0; i < turning->home.devices.size(); ++i) {
      const Device& device = turning->home.devices[i];
      hub_.peek(device.id, [this, turning, i](const hub::Shadow* shadow) {
        Device& device = turning->home.devices[i];
        if (shadow) {
          device.online = shadow->online;
          for (const auto& [key, state] : shadow->reported) {
            const hub::PropertyId id = hub::property_id(key);
            std::string name = device.type->property_name(id.siid, id.piid);
            if (!name.empty()) device.state.emplace(std::move(name), state.value);
          }
        }
        if (turning->unread.fetch_sub(1) == 1) {
          automations_.post([this, turning](automation::Engine& engine) { turn(engine, turning); });
        }
      });
    }
  });
}

hub::Result<std::shared_ptr<const Service::Known>> Service::known(automation::Engine& engine, const std::string& actor,
                                                                  const std::string& home_id) {
  hub::Registry& registry = hub_.registry();
  const std::uint64_t generation = registry.generation();
  auto scenes = engine.scenes(actor, home_id);
  if (!scenes) return unexpected(scenes.error());
  std::string signature = scene_signature(*scenes);
  Cached& cached = homes_[home_id];
  if (cached.known && cached.generation == generation && cached.scenes == signature) return cached.known;
  // The registry changed (perhaps elsewhere: a login anywhere counts) or a scene did: rebuilt only if this home did.
  auto home = registry.home(actor, home_id);
  if (!home) return unexpected(home.error());
  auto devices = registry.devices_in(actor, home_id);
  if (!devices) return unexpected(devices.error());
  Home built = home_of(*home, *devices, *scenes, registry.catalog());
  std::string content = content_of(built);
  cached.generation = generation;
  cached.scenes = std::move(signature);
  if (cached.known && cached.known->content == content) return cached.known;
  auto known = std::make_shared<Known>();
  known->serial = ++known_serial_;
  known->content = std::move(content);
  known->home = std::move(built);
  known->lexicon = std::make_unique<Lexicon>(known->home);
  cached.known = known;
  return cached.known;
}

std::map<std::string, Service::Talk>::iterator Service::talk(const std::string& id_asked, const Turning& turning) {
  const std::int64_t now = wall_clock_ms();
  std::erase_if(talks_, [now](const auto& entry) { return now - entry.second.last_ms > kIdle.count() * 60'000; });
  // An id that is unknown, expired, or another person's or home's starts a new conversation.
  auto it = talks_.find(id_asked);
  if (it == talks_.end() || it->second.actor != turning.actor || it->second.home_id != turning.home_id) {
    if (talks_.size() >= kMaxConversations) {
      auto oldest = std::min_element(talks_.begin(), talks_.end(), [](const auto& a, const auto& b) {
        return a.second.last_ms < b.second.last_ms;
      });
      talks_.erase(oldest);
    }
    it = talks_.emplace(hub::random_id("c-"), Talk{turning.actor, turning.home_id}).first;
  }
  Talk& talk = it->second;
  // Rooms or devices changed since its last turn: what it remembers by position no longer holds.
  if (talk.known != turning.known->serial) {
    if (talk.known != 0) talk.conversation = Conversation();
    talk.known = turning.known->serial;
  }
  talk.last_ms = now;
  return it;
}

void Service::turn(automation::Engine& engine, std::shared_ptr<Turning> turning) {
  auto talk = this->talk(turning->request.conversation, *turning);
  turning->conversation = talk->first;
  turning->turn = respond(turning->home, *turning->known->lexicon, talk->second.conversation, turning->request.text,
                          turning->context());
  if (turning->turn.status != Status::kNotUnderstood || !fallback_) return carry_out(engine, std::move(turning));
  fallback_(turning->request.text, names_for_fallback(turning->home),
            [this, turning](std::optional<std::string> text) mutable {
              automations_.post([this, turning = std::move(turning), text = std::move(text)](automation::Engine& engine) {
                rewritten(engine, turning, text);
              });
            });
}

void Service::rewritten(automation::Engine& engine, std::shared_ptr<Turning> turning, std::optional<std::string> text) {
  auto talk = talks_.find(turning->conversation);
  if (text && !text->empty() && talk != talks_.end()) {
    Turn again = respond(turning->home, *turning->known->lexicon, talk->second.conversation, *text, turning->context());
    if (again.status != Status::kNotUnderstood) {
      turning->turn = std::move(again);
      turning->rewritten = std::move(*text);
    }
  }
  carry_out(engine, std::move(turning));
}

void Service::carry_out(automation::Engine& engine, std::shared_ptr<Turning> turning) {
  Turn& turn = turning->turn;
  for (std::uint64_t id : turn.cancel) {
    if (auto cancelled = engine.cancel_delayed(turning->actor, turning->home_id, id); !cancelled) {
      spdlog::warn("assistant: cancelling timer {}: {}", id, cancelled.error().message);
    }
  }
  if (turn.operations.empty()) return turning->finish();
  if (turn.status == Status::kScheduled) {
    json::array operations;
    for (const Operation& operation : turn.operations) operations.push_back(operation.to_json());
    auto added = engine.add_delayed(turning->actor, turning->home_id, turn.delay_s * 1000, std::move(operations),
                                    turning->request.text);
    if (added) {
      turning->timer = added->id;
    } else {
      turning->extra.push_back(outcome_reply(turning->home, turn.language, {}, Outcome::kRefused, added.error().message));
    }
    return turning->finish();
  }
  // Each operation's result, in the order of the operations; the turn answers when the last one comes.
  turning->results = json::array(turn.operations.size());
  turning->unanswered = turn.operations.size();
  for (std::size_t i = 0; i < turn.operations.size(); ++i) {
    const Operation& operation = turn.operations[i];
    auto answered = [turning, i, device = operation.device](hub::Result<hub::CommandReply> reply) {
      json::object result{{"status", reply ? std::string(hub::status_name(reply->status)) : "refused"}};
      if (!device.empty()) result["device"] = device;
      if (!reply) result["message"] = reply.error().message;
      else if (!reply->message.empty()) result["message"] = reply->message;
      {
        std::lock_guard lock(turning->mutex);
        turning->results[i] = std::move(result);
        if (auto outcome = outcome_of(reply)) {
          turning->extra.push_back(outcome_reply(turning->home, turning->turn.language, device, *outcome,
                                                 reply ? std::string_view(reply->message) : reply.error().message));
        }
      }
      if (turning->unanswered.fetch_sub(1) == 1) turning->finish();
    };
    if (!operation.scene.empty()) {
      auto applied = engine.apply_scene(turning->actor, turning->home_id, operation.scene);
      if (applied) answered(hub::CommandReply{{}, hub::CommandReply::Status::kSent, {}, {}});
      else answered(unexpected(applied.error()));
    } else if (!operation.action.empty()) {
      hub_.call(turning->actor, operation.device, operation.action, {}, wait_, std::move(answered));
    } else {
      hub_.set(turning->actor, operation.device, operation.set, wait_, std::move(answered));
    }
  }
}

}  // namespace millet::assistant
