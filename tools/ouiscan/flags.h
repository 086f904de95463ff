// The command line of ouiscan: its flags, bound to the app's option structs (CLI11).
#pragma once

#include <CLI/CLI.hpp>

#include "ouiscan/app/run.h"

namespace ouiscan::cli {

struct subcommands {
  CLI::App* lookup;
  CLI::App* db_info;
  CLI::App* db_update;
  CLI::App* diff;
  CLI::App* merge;
  CLI::App* plan;
};

// The scan flags on the main command; `list_interfaces` is -D.
void add_scan_flags(CLI::App& cli, app::scan_flags& scan, bool& list_interfaces);
// `lookup`, `db info`, `db update`, `diff`, `merge` and `plan`, each bound to its options.
subcommands add_subcommands(CLI::App& cli, app::lookup_options& lookup, std::string& format,
                            app::db_options& db, app::diff_options& diff, app::merge_options& merge,
                            app::plan_options& plan);

}  // namespace ouiscan::cli
