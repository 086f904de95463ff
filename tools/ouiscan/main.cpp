// ouiscan: every MAC address in pcap/pcapng captures, and who made it.
// Parses the command line into app::run_options; everything else lives in the libraries.
#include <CLI/CLI.hpp>
#include <csignal>
#include <map>

#include "ouiscan/app/run.h"

int main(int argc, char** argv) {
  using namespace ouiscan;        // NOLINT(google-build-using-namespace): a short main
  std::signal(SIGPIPE, SIG_IGN);  // a closed pipe surfaces as EPIPE and counts as success

  app::run_options o;
  std::string format = "table";
  bool no_progress = false;
  bool progress = false;
  CLI::App cli{
      "ouiscan: list every MAC address in pcap/pcapng captures, busiest first.\n"
      "Inputs may be pcap or pcapng files, gzip-compressed or not, or - for standard input.\n"
      "Exit codes: 0 ok, 1 an input was damaged (addresses before the fault are kept),\n"
      "2 usage error, 3 an input or the output could not be read or written.",
      "ouiscan"};
  cli.add_option("inputs", o.inputs, "capture files (- for standard input)")->required();
  cli.add_option("-f,--format", format, "output format: table, json, jsonl or csv")
      ->check(CLI::IsMember({"table", "json", "jsonl", "csv"}))
      ->capture_default_str();
  cli.add_option("-o,--output", o.output_path, "write the output to this file");
  cli.add_option("-j,--threads", o.threads, "worker threads (0: all cores)")->capture_default_str();
  cli.add_option("--chunk-size", o.chunk_bytes, "bytes of records per work item")
      ->check(CLI::Range(std::size_t{4096}, std::size_t{1} << 30))
      ->capture_default_str();
  cli.add_flag("--progress", progress, "always draw a progress bar on stderr");
  cli.add_flag("--no-progress", no_progress, "never draw a progress bar");
  cli.add_flag("-q,--quiet", o.quiet, "no warnings, progress or summary on stderr");
  cli.set_version_flag("-V,--version", "ouiscan 0.1.0");
  try {
    cli.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = cli.exit(e);
    return rc == 0 ? app::exit_ok : app::exit_usage;
  }
  o.output_format = *report::parse_format(format);
  if (progress) o.progress = app::progress_mode::always;
  if (no_progress) o.progress = app::progress_mode::never;
  return app::run(o);
}
