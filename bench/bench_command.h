#pragma once
// `millet bench`: the load tool's command line.

#include <CLI/CLI.hpp>

#include "bench/scenario.h"

namespace millet::bench {

CLI::App* add_bench_command(CLI::App& app, BenchOptions& options);
// Runs the scenario, prints progress to stderr and the JSON summary to stdout.
int bench(const BenchOptions& options);

}  // namespace millet::bench
