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
  std::ifstream file(options.home);
  if (!file) {
    std::cerr << "millet say: cannot read the home file " << options.home << "\n";
    return 1;
  }
  std::stringstream text;
  text << file.rdbuf();
  boost::system::error_code parse_error;
  boost::json::value document = boost::json::parse(text.str(), parse_error);
  if (parse_error) {
    std::cerr << "millet say: " << options.home << " is not JSON: " << parse_error.message() << "\n";
    return 1;
  }
  auto loaded = assistant::home_from_json(document, catalog.value());
  if (!loaded) {
    std::cerr << "millet say: " << options.home << ": " << loaded.error() << "\n";
    return 1;
  }
  if (!options.here.empty() && !loaded.value().room(options.here)) {
    std::cerr << "millet say: --here " << options.here << " is not a room of " << options.home << "\n";
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

  auto one = [&](const std::string& sentence) -> int {
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
    return 0;
  };
  return each_sentence(options, false, one, [&] {
    home = original;
    conversation = assistant::Conversation();
    timers.clear();
  });
}

}  // namespace

int each_sentence(const SayOptions& options, bool prompt, const std::function<int(const std::string&)>& one,
                  const std::function<void()>& fresh) {
  if (!options.text.empty()) return one(options.text);
  int status = 0;
  std::string line;
  while (true) {
    if (prompt) std::cout << "> " << std::flush;
    if (!std::getline(std::cin, line)) break;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find_first_not_of(" \t") == std::string::npos) {
      fresh();
      if (options.json) std::cout << "{}\n";
    } else {
      status |= one(line);
    }
    std::cout.flush();
  }
  return status;
}

CLI::App* add_say_command(CLI::App& app, SayOptions& options) {
  CLI::App* command = app.add_subcommand(
      "say",
      "Tell the assistant something, in English or Chinese (docs/assistant.md): \"turn on the kitchen light\",\n"
      "\"and the bedroom too\", \"卧室的温度是多少\". It talks to a running millet as you (millet login first)\n"
      "and goes on with your last conversation for ten minutes (--new starts another). Without a sentence it\n"
      "reads one per line from stdin; an empty line starts a new conversation (with --json, it prints {}).\n"
      "With --home FILE --dry-run it understands sentences against a home file instead, touching nothing.");
  command->add_option("text", options.text, "The sentence (default: read sentences from stdin)");
  command->add_option("--home", options.home,
                      "The home (id or name; needed if you have several); with --dry-run, a home file");
  command->add_option("--here", options.here, "The room the sentence is spoken in (its name or id)");
  command->add_option("--conversation", options.conversation, "Go on with this conversation (an id a reply gave)");
  command->add_flag("--new", options.fresh, "Start a new conversation");
  command->add_option("--server", options.server, "The millet to talk to (default: $MILLET_SERVER, else http://127.0.0.1:8080)");
  command->add_option("--token", options.token, "An API token (default: $MILLET_TOKEN, else the one millet login kept)");
  command->add_flag("--dry-run", options.dry_run, "Understand against the home file given with --home; send nothing");
  command->add_flag("--json", options.json, "One JSON object per sentence: intent, targets, params, operations, reply");
  command->add_option("--spec-dir", options.spec_dir, "With --dry-run: the catalog folder (default: spec/ of this millet)");
  return command;
}

int say(const CLI::App& command, const SayOptions& options) {
  if (options.dry_run) {
    if (options.home.empty()) {
      std::cerr << "millet say: --dry-run needs a home file: --home FILE (a home file is never changed or sent to)\n";
      return 2;
    }
    return dry_run(options);
  }
  return say_to_server(command, options);
}

}  // namespace millet::app
