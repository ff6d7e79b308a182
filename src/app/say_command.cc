#include "app/say_command.h"

#include <boost/json.hpp>
#include <fmt/format.h>

#include <fstream>
#include <iostream>
#include <sstream>

#include "app/spec_command.h"
#include "assistant/assistant.h"
#include "spec/catalog.h"
#include "spec/value.h"

namespace millet::app {

namespace {

// The evaluation mode: sentences against a home file, nothing sent anywhere.
int dry_run(const SayOptions& options) {
  auto catalog = spec::Catalog::load(options.spec_dir.empty() ? default_spec_dir() : options.spec_dir);
  if (!catalog) {
    std::cerr << "millet say: the device catalog: " << catalog.error() << "\n";
    return 1;
  }
  std::ifstream file(options.home_file);
  if (!file) {
    std::cerr << "millet say: cannot read the home file " << options.home_file << "\n";
    return 1;
  }
  std::stringstream text;
  text << file.rdbuf();
  boost::system::error_code parse_error;
  boost::json::value document = boost::json::parse(text.str(), parse_error);
  if (parse_error) {
    std::cerr << "millet say: " << options.home_file << " is not JSON: " << parse_error.message() << "\n";
    return 1;
  }
  auto loaded = assistant::home_from_json(document, catalog.value());
  if (!loaded) {
    std::cerr << "millet say: " << options.home_file << ": " << loaded.error() << "\n";
    return 1;
  }
  if (!options.here.empty() && !loaded.value().room(options.here)) {
    std::cerr << "millet say: --here " << options.here << " is not a room of " << options.home_file << "\n";
    return 1;
  }
  const assistant::Home& original = loaded.value();
  assistant::Lexicon lexicon(original);

  // Each conversation starts from the file's state, with no timers.
  assistant::Home home = original;
  assistant::Conversation conversation;
  std::vector<assistant::PendingTimer> timers;
  std::uint64_t next_timer = 1;
  assistant::Context context;
  context.here = options.here;

  auto one = [&](const std::string& sentence) {
    context.timers = timers;
    assistant::Turn turn = assistant::respond(home, lexicon, conversation, sentence, context);
    if (turn.status == assistant::Status::kScheduled) {
      timers.push_back({next_timer++, turn.targets});
    } else {
      assistant::apply(home, turn.operations);
    }
    if (!turn.cancel.empty()) {
      std::erase_if(timers, [&](const assistant::PendingTimer& timer) {
        return std::find(turn.cancel.begin(), turn.cancel.end(), timer.id) != turn.cancel.end();
      });
    }
    if (options.json) {
      boost::json::object out = turn.to_json();
      out.emplace("text", sentence);
      std::cout << spec::json_text(out) << "\n";
    } else {
      std::cout << turn.reply << "\n";
    }
    std::cout.flush();
  };

  if (!options.text.empty()) {
    one(options.text);
    return 0;
  }
  std::string line;
  while (std::getline(std::cin, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find_first_not_of(" \t") == std::string::npos) {
      home = original;
      conversation = assistant::Conversation();
      timers.clear();
      if (options.json) std::cout << "{}\n";
      continue;
    }
    one(line);
  }
  return 0;
}

}  // namespace

CLI::App* add_say_command(CLI::App& app, SayOptions& options) {
  CLI::App* command = app.add_subcommand(
      "say",
      "Tell the assistant something, in English or Chinese (docs/assistant.md).\n"
      "For now it works on a home file, with --home FILE --dry-run: sentences from stdin (or the one given),\n"
      "one per line; nothing is sent anywhere. An empty line starts a new conversation (with --json, it prints {}).\n"
      "Talking to a running millet is not built yet.");
  command->add_option("text", options.text, "The sentence (default: read sentences from stdin)");
  command->add_option("--home", options.home_file, "A home file to understand sentences against (with --dry-run)");
  command->add_option("--here", options.here, "The room the sentence is spoken in (a room id of the home)");
  command->add_flag("--dry-run", options.dry_run, "Only show what would be done");
  command->add_flag("--json", options.json, "One JSON object per sentence: intent, targets, params, operations, reply");
  command->add_option("--spec-dir", options.spec_dir, "Catalog folder (default: spec/ of this millet)");
  return command;
}

int say(const SayOptions& options) {
  if (!options.home_file.empty() || options.dry_run) {
    if (options.home_file.empty() || !options.dry_run) {
      std::cerr << "millet say: --home and --dry-run go together (a home file is never changed or sent to)\n";
      return 2;
    }
    return dry_run(options);
  }
  std::cerr << "millet say: talking to a running millet is not built yet; use --home FILE --dry-run\n";
  return 2;
}

}  // namespace millet::app
