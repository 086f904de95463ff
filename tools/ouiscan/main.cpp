// ouiscan: every MAC address in pcap/pcapng captures, and who made it.
// Parses the command line (flags.cpp) and hands it to the app library, where the policy lives.
#include <CLI/CLI.hpp>
#include <csignal>
#include <cstdio>
#include <string>
#include <variant>

#include "flags.h"
#include "ouiscan/app/run.h"

int main(int argc, char** argv) {
  using namespace ouiscan;        // NOLINT(google-build-using-namespace): a short main
  std::signal(SIGPIPE, SIG_IGN);  // a closed pipe surfaces as EPIPE and counts as success

  CLI::App cli{
      "ouiscan: list every MAC address in pcap/pcapng captures with its vendor, busiest first.\n"
      "Inputs may be pcap or pcapng files, plain or gzip/zstd-compressed, - for stdin, or\n"
      "S3 objects (s3://bucket/key, or s3://bucket/prefix/ for every capture under it).\n"
      "Vendors come from the IEEE registries compiled in (see `ouiscan db info`); no network\n"
      "is used unless `ouiscan db update` is run or s3:// inputs are given.\n"
      "Exit codes: 0 ok (also when only a final record was cut short: a warning), 1 an input\n"
      "was damaged (addresses before the fault are kept),\n"
      "2 usage error, 3 an input or the output could not be read or written.",
      "ouiscan"};
  app::scan_flags scan;
  bool list_interfaces = false;
  cli::add_scan_flags(cli, scan, list_interfaces);
  cli.set_version_flag("-V,--version", "ouiscan 0.1.0");
  app::lookup_options lookup;
  app::db_options db;
  app::diff_options diff;
  app::merge_options merge;
  app::plan_options plan;
  // lookup's, diff's and merge's -f share the scan's format string, as all read "-f json".
  const cli::subcommands sub =
      cli::add_subcommands(cli, lookup, scan.format, db, diff, merge, plan);
  try {
    cli.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return cli.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return cli.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return cli.exit(e);
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "ouiscan: %s (see ouiscan --help)\n", e.what());
    return app::exit_usage;
  }
  const auto usage = [](const std::string& why) {
    std::fprintf(stderr, "ouiscan: %s (see ouiscan --help)\n", why.c_str());
    return app::exit_usage;
  };
  if (sub.lookup->parsed()) {
    lookup.output_format = *report::parse_format(scan.format);
    return app::run_lookup(lookup);
  }
  if (sub.db_info->parsed()) return app::run_db_info(db);
  if (sub.diff->parsed()) {
    diff.output_format = *report::parse_format(scan.format);
    return app::run_diff(diff);
  }
  if (sub.plan->parsed()) return app::run_plan(plan);
  if (sub.merge->parsed()) {
    merge.scan.output_format = *report::parse_format(scan.format);
    merge.scan.sort = *report::parse_sort_key(merge.sort_name);
    return app::run_merge(merge);
  }
  if (sub.db_update->parsed()) {
    if (!db.date.empty() && db.from_dir.empty()) return usage("--date applies to --from only");
    return app::run_db_update(db);
  }
  if (list_interfaces) return app::list_interfaces_command();
  for (const char* flag : {"--api", "--api-url", "--api-rate", "--api-budget", "--api-cache"}) {
    if (cli.count(flag) > 0) scan.api_flags_given.emplace_back(flag);
  }
  auto options = app::resolve_scan_flags(std::move(scan));
  if (const std::string* why = options ? nullptr : &options.error().message) return usage(*why);
  return app::run(*options);
}
