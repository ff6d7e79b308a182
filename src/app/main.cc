// millet — the command line.

#include <CLI/CLI.hpp>

#include <iostream>

#include "app/admin_commands.h"
#include "app/say_command.h"
#include "app/serve_options.h"
#include "app/sim_command.h"
#include "app/spec_command.h"
#include "bench/bench_command.h"

int main(int argc, char** argv) {
  CLI::App app{
      "millet — an open AIoT platform: devices connect over MQTT, millet keeps their state and runs what they do.\n"
      "Run `millet serve` to start the server, `millet login` and then `millet home|room|device ...`\n"
      "to manage a home (docs/api.md) and `millet rule|scene ...` for its automations (docs/automations.md),\n"
      "`millet spec` to see the device catalog, `millet sim` to simulate devices, `millet bench` to measure a broker,\n"
      "`millet say \"turn on the kitchen light\"` to talk to the assistant, in English or Chinese;\n"
      "`millet <command> --help` explains a command."};
  app.set_version_flag("--version", std::string("millet 0.1.0"));
  app.require_subcommand(1);

  millet::app::ServeOptions serve_options;
  CLI::App* serve = millet::app::add_serve_command(app, serve_options);
  millet::bench::BenchOptions bench_options;
  CLI::App* bench = millet::bench::add_bench_command(app, bench_options);

  millet::app::SimOptions sim_options;
  CLI::App* sim = millet::app::add_sim_command(app, sim_options);

  millet::app::SayOptions say_options;
  CLI::App* say = millet::app::add_say_command(app, say_options);

  millet::app::SpecOptions spec_options;
  CLI::App* spec = millet::app::add_spec_command(app, spec_options);

  millet::app::AdminOptions admin_options;
  millet::app::add_admin_commands(app, admin_options);

  CLI11_PARSE(app, argc, argv);
  if (serve->parsed()) return millet::app::serve(std::move(serve_options));
  if (bench->parsed()) return millet::bench::bench(bench_options);
  if (sim->parsed()) return millet::app::sim(sim_options);
  if (say->parsed()) return millet::app::say(*say, say_options);
  if (spec->parsed()) return millet::app::spec(*spec, spec_options);
  if (millet::app::admin_command_parsed(app)) return millet::app::run_admin_command(app, admin_options);
  return 0;
}
