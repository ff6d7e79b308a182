#pragma once
// The assistant on a running millet (docs/assistant.md, "On a running millet"):
// a person's sentence, in one of their homes, understood against the home as it
// is now — the registry's rooms, floors and devices, the devices' shadows, the
// home's scenes and timers — and carried out as that person through the hub
// (sets and actions), the automation engine (scenes, commands for later).
//
// Conversations are kept by id, for one person in one home, and forgotten
// after kIdle without a turn. A home's lexicon is built once and kept until
// the registry or the home's scenes change.
//
// Threads: say() may be called from any thread. The turn runs on the
// automation engine's thread, which owns the conversations and the lexicons;
// the shadows are read on their shards' threads. `done` runs on one of those.

#include <boost/json/object.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "assistant/assistant.h"
#include "automation/service.h"
#include "hub/hub.h"

namespace millet::assistant {

// The optional fallback (docs/assistant.md, "The fallback"): given a sentence the grammar did
// not understand and the home's names, `done` gets the sentence rewritten as a plain command
// (which the grammar then reads as any other), or nothing. May answer on any thread.
using Rewriter = std::function<void(std::string text, std::string names,
                                    std::function<void(std::optional<std::string>)> done)>;

struct SayRequest {
  std::string text;
  std::string conversation;  // empty: a new one
  std::string here;          // the room spoken in (id or name); empty: none
};

class Service {
 public:
  static constexpr std::chrono::minutes kIdle{15};
  static constexpr std::size_t kMaxConversations = 10'000;
  static constexpr std::size_t kMaxText = 1000;  // bytes

  // `wait`: how long a turn waits for the devices' answers before it replies.
  Service(hub::Hub& hub, automation::Automations& automations, std::chrono::milliseconds wait,
          Rewriter fallback = nullptr);
  ~Service();

  // The turn as JSON: {"conversation", "text", "language", "intent", "status", "targets", "params",
  // "operations", "results", "reply", "timer"?, "rewritten"? (what the fallback made of it)}, or why not (no such home for the person, bad text).
  void say(std::string actor, std::string home_id, SayRequest request,
           std::function<void(hub::Result<boost::json::object>)> done);

 private:
  struct Known;
  struct Cached {
    std::uint64_t generation = 0;  // the registry's, when last read
    std::string scenes;            // the home's scenes' ids and names, when last read
    std::shared_ptr<const Known> known;
  };
  struct Talk;
  struct Turning;

  // On the engine's thread: the home's names and lexicon, rebuilt when they changed.
  hub::Result<std::shared_ptr<const Known>> known(automation::Engine& engine, const std::string& actor,
                                                  const std::string& home_id);
  // On the engine's thread, once the shadows are read: the turn itself.
  void turn(automation::Engine& engine, std::shared_ptr<Turning> turning);
  // On the engine's thread: the fallback's rewrite of a sentence not understood, understood in its place.
  void rewritten(automation::Engine& engine, std::shared_ptr<Turning> turning, std::optional<std::string> text);
  // The conversation `id_asked` names for this person and home, or a new one.
  std::map<std::string, Talk>::iterator talk(const std::string& id_asked, const Turning& turning);
  // Carries out the turn's operations; answers once every device has (or `wait_` is up).
  void carry_out(automation::Engine& engine, std::shared_ptr<Turning> turning);

  hub::Hub& hub_;
  automation::Automations& automations_;
  std::chrono::milliseconds wait_;
  Rewriter fallback_;
  // The engine's thread only.
  std::map<std::string, Cached> homes_;                        // by home id
  std::map<std::string, Talk> talks_;                          // by conversation id
  std::uint64_t known_serial_ = 0;
};

}  // namespace millet::assistant
