#pragma once
// `millet say`: a sentence to the assistant (docs/assistant.md). It talks to a
// running millet (POST /homes/{home}/assistant) as the signed-in person, and
// goes on with the last conversation for ten minutes, so a follow-up works
// from the shell too. With --home FILE --dry-run it reads a home file instead
// and prints what each sentence would do, without touching any device.

#include <CLI/CLI.hpp>

#include <functional>
#include <string>

namespace millet::app {

struct SayOptions {
  std::string text;  // empty: read sentences from stdin
  std::string home;  // --home: the home (id or name); with --dry-run, a home file
  std::string here;  // the room spoken in
  std::string server;        // empty: $MILLET_SERVER, else http://127.0.0.1:8080
  std::string token;         // empty: $MILLET_TOKEN, else the one `millet login` saved
  std::string conversation;  // go on with this one; empty: the last one (unless `fresh`)
  bool fresh = false;
  bool dry_run = false;
  bool json = false;
  std::string spec_dir;
};

CLI::App* add_say_command(CLI::App& app, SayOptions& options);
int say(const CLI::App& command, const SayOptions& options);
// The sentence given, or one per line from stdin (with a "> " prompt if `prompt`): `one` gets each and
// returns its exit status; an empty line calls `fresh` (a new conversation) and, with --json, prints {}.
// Returns the statuses or'ed together.
int each_sentence(const SayOptions& options, bool prompt, const std::function<int(const std::string&)>& one,
                  const std::function<void()>& fresh);
// Talks to the server (remote_commands.cc).
int say_to_server(const CLI::App& command, const SayOptions& options);

}  // namespace millet::app
