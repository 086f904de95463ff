// ouiscan: every MAC address in pcap/pcapng captures, and who made it.
// Parses the command line into the app's option structs; everything else lives in libraries.
#include <CLI/CLI.hpp>
#include <csignal>
#include <fstream>
#include <iterator>

#include "ouiscan/app/run.h"

namespace {

const std::vector<std::string> kFormats = {"table", "json", "jsonl", "csv"};

}  // namespace

int main(int argc, char** argv) {
  using namespace ouiscan;        // NOLINT(google-build-using-namespace): a short main
  std::signal(SIGPIPE, SIG_IGN);  // a closed pipe surfaces as EPIPE and counts as success

  app::run_options scan;
  app::lookup_options lookup;
  app::db_options db;
  std::string format = "table";
  bool no_progress = false;
  bool progress = false;
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
  cli.add_option("inputs", scan.inputs,
                 "capture files (- for standard input), s3://bucket/key, s3://bucket/prefix/");
  std::vector<std::string> read_files;
  cli.add_option("-r", read_files, "read this capture (as tcpdump -r; may be repeated)");
  cli.add_option("-f,--format", format, "output format")
      ->check(CLI::IsMember(kFormats))
      ->capture_default_str();
  cli.add_option("-o,--output", scan.output_path, "write the output to this file (- : stdout)");
  cli.add_option("-j,--threads", scan.threads,
                 "worker threads (0 or more than the cores: all cores)")
      ->capture_default_str();
  cli.add_option("--chunk-size", scan.chunk_bytes, "bytes of records per work item")
      ->check(CLI::Range(std::size_t{4096}, std::size_t{1} << 30))
      ->capture_default_str();
  cli.add_option("--db", scan.db_path,
                 "OUI database file (default: refreshed copy, else embedded)");
  cli.add_flag("--progress", progress, "always draw a progress bar on stderr");
  cli.add_flag("--no-progress", no_progress, "never draw a progress bar");
  cli.add_flag("-q,--quiet", scan.quiet, "no warnings, progress or summary on stderr");
  std::string filter_file;
  cli.add_option("--filter", scan.filter, "tcpdump capture filter, e.g. 'vlan 100 and not arp'");
  cli.add_option("-F", filter_file, "read the capture filter from this file (as tcpdump -F)")
      ->check(CLI::ExistingFile);
  cli.add_option("-i,--interface", scan.live_interface,
                 "capture live from this interface (needs root or CAP_NET_RAW)");
  cli.add_option("--duration", scan.duration_s, "live: stop after this many seconds");
  cli.add_option("-c,--count", scan.count,
                 "only the first N frames (that the filter keeps), as tcpdump -c");
  cli.add_option("-w", scan.write_path,
                 "live: also write the captured frames to this pcapng (- : stdout)");
  bool list_interfaces = false;
  cli.add_flag("-D,--list-interfaces", list_interfaces, "list the interfaces -i can use");
  std::string sort = "frames";
  cli.add_option("--sort", sort, "order of the addresses")
      ->check(CLI::IsMember({"frames", "bytes", "address", "vendor", "first_seen"}))
      ->capture_default_str();
  cli.add_option("--top", scan.top, "write only the first N addresses");
  std::string since;
  std::string until;
  cli.add_option("--since", since,
                 "only frames at or after this time (ISO 8601; UTC unless a "
                 "zone is given)");
  cli.add_option("--until", until, "only frames at or before this time (ISO 8601)");
  cli.add_option("--max-addresses", scan.max_addresses,
                 "keep at most this many distinct addresses (0: no limit)")
      ->capture_default_str();
  cli.add_flag("--stats", scan.stats, "print the summary with time per stage and memory on stderr");
  cli.add_flag("--resync", scan.resync,
               "after corrupt framing, skip to the next plausible record and go on (each "
               "skipped byte range is reported)");
  cli.add_flag("--strict", scan.strict,
               "a final record cut short (a killed tcpdump) is damage, exit 1 (default: a "
               "warning)");
  std::string max_bytes;
  std::string part_size;
  cli.add_option("--s3-endpoint", scan.s3.endpoint,
                 "S3-compatible endpoint, e.g. http://127.0.0.1:9000 (path-style addressing; "
                 "default: AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL, the profile, else AWS)");
  cli.add_option("--s3-region", scan.s3.region,
                 "S3 region (default: AWS_REGION, AWS_DEFAULT_REGION, the profile, us-east-1)");
  cli.add_option("--ca-file", scan.s3.ca_file, "trust this CA bundle for HTTPS to S3");
  cli.add_option("--max-bytes", max_bytes,
                 "refuse S3 objects larger than this, before downloading (e.g. 20GiB; "
                 "default: OUISCAN_MAX_BYTES, else no limit)");
  cli.add_option("--s3-part-size", part_size, "bytes per ranged GET (default 16MiB)");
  cli.add_option("--s3-parts", scan.s3.parts_in_flight, "ranged GETs in flight (default 4)");
  bool online = false;
  bool offline = false;
  std::string api_name = "macvendors";
  std::string api_url;
  double api_rate = 0;
  std::string api_cache;
  cli.add_flag("--online", online,
               "ask a vendor API about prefixes the offline database cannot name (off by default; "
               "only the prefix bits of universal unicast addresses are sent, each prefix once)");
  cli.add_flag("--offline", offline, "never use the network for vendors (overrides --online)");
  cli.add_option("--api", api_name, "vendor API for --online")
      ->check(CLI::IsMember({"macvendors", "maclookup"}))
      ->capture_default_str();
  cli.add_option("--api-url", api_url, "base URL of the API (a mirror, or a test server)");
  cli.add_option("--api-rate", api_rate,
                 "requests per second at most (default: the free tier, 1 for macvendors, 2 for "
                 "maclookup)");
  cli.add_option("--api-budget", scan.api.budget, "requests at most in this run")
      ->capture_default_str();
  cli.add_option("--api-cache", api_cache,
                 "answer cache file (default $XDG_CACHE_HOME/ouiscan/vendors.tsv; 'none': no "
                 "cache)");
  cli.set_version_flag("-V,--version", "ouiscan 0.1.0");

  auto* look = cli.add_subcommand(
      "lookup",
      "vendor and class of addresses or prefixes.\nExit codes: 0 every query answered, 1 a query "
      "was not an address or prefix (the others are answered), 2 usage error, 3 the database "
      "could not be read.");
  look->add_option("queries", lookup.queries,
                   "aa:bb:cc:dd:ee:ff, a:b:c:d:e:f (unpadded), aa-bb-.., aabb.ccdd.eeff, bare hex, "
                   "or a prefix (6-11 hex digits, 00-1B-C5-0); none or - reads one per line "
                   "from stdin (# comments skipped)");
  look->add_option("-f,--format", format, "output format")->check(CLI::IsMember(kFormats));
  look->add_option("--db", lookup.db_path, "OUI database file");
  look->add_flag("-a,--all", lookup.all,
                 "table: also list every assignment a prefix covers (JSON always lists them)");

  auto* dbcmd = cli.add_subcommand("db", "the OUI database")->require_subcommand(1);
  auto* info = dbcmd->add_subcommand("info", "which database is in use, its dates and counts");
  info->add_option("--db", db.db_path, "describe this database file");
  auto* update = dbcmd->add_subcommand(
      "update", "download the IEEE registries over HTTPS, validate, build and install them");
  update->add_option("--from", db.from_dir, "build from local CSVs (e.g. Debian's ieee-data)");
  update->add_option("--url-base", db.url_base, "mirror of https://standards-oui.ieee.org");
  update->add_option("--ca-file", db.ca_file, "trust this CA bundle for HTTPS");
  update->add_option("-o,--output", db.output, "write the database here instead");
  update->add_option("--date", db.date,
                     "--from: the snapshot's date, YYYY-MM-DD (the CSVs carry none; default: a "
                     "date in the folder's name, else the day oui.csv was modified)");
  update->add_option("--timeout", db.timeout_s, "seconds per download attempt")
      ->capture_default_str();
  update->add_option("--retries", db.retries, "extra attempts on transient failures")
      ->capture_default_str();
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
  const auto fmt = *report::parse_format(format);
  if (look->parsed()) {
    lookup.output_format = fmt;
    return app::run_lookup(lookup);
  }
  if (info->parsed()) return app::run_db_info(db);
  if (update->parsed()) {
    if (!db.date.empty() && db.from_dir.empty()) return usage("--date applies to --from only");
    return app::run_db_update(db);
  }
  if (list_interfaces) return app::list_interfaces_command();
  scan.inputs.insert(scan.inputs.begin(), read_files.begin(), read_files.end());
  if (scan.inputs.empty() == scan.live_interface.empty()) {
    return usage("give capture files (or -r FILE) or -i INTERFACE, not both");
  }
  scan.output_format = fmt;
  scan.sort = *report::parse_sort_key(sort);
  for (const auto& [text, target] :
       {std::pair{&since, &scan.since_ns}, std::pair{&until, &scan.until_ns}}) {
    if (text->empty()) continue;
    const auto t = text::parse_time(*text);
    if (!t) return usage("'" + *text + "' is not an ISO 8601 time (e.g. 2026-11-26T06:54:26Z)");
    *target = *t;
  }
  if (!filter_file.empty()) {
    if (!scan.filter.empty()) return usage("give --filter or -F, not both");
    std::ifstream in(filter_file);
    scan.filter = app::filter_file_text(std::string(std::istreambuf_iterator<char>(in), {}));
  }
  scan.filter = app::trim_filter(scan.filter);
  for (const auto& [text, target] :
       {std::pair{&max_bytes, &scan.s3.max_bytes}, std::pair{&part_size, &scan.s3.part_bytes}}) {
    if (text->empty()) continue;
    const auto bytes = s3::parse_size(*text);
    if (!bytes || *bytes == 0) return usage("'" + *text + "' is not a size (e.g. 20GiB, 512MB)");
    *target = *bytes;
  }
  const char* online_env = std::getenv("OUISCAN_ONLINE");
  scan.online = !offline && (online || (online_env != nullptr && std::string(online_env) == "1"));
  scan.api.service = online::provider_defaults(
      api_name == "maclookup" ? online::provider::maclookup : online::provider::macvendors);
  if (!api_url.empty()) {
    while (api_url.ends_with('/')) api_url.pop_back();
    scan.api.service.base_url = api_url;
    const auto scheme = api_url.find("://");
    scan.api.service.name = scheme == std::string::npos ? api_url : api_url.substr(scheme + 3);
  }
  if (!scan.online && !offline) {
    for (const char* flag : {"--api", "--api-url", "--api-rate", "--api-budget", "--api-cache"}) {
      if (cli.count(flag) > 0) return usage(std::string(flag) + " applies with --online only");
    }
  }
  if (api_rate > 0) scan.api.service.rate_per_s = api_rate;
  scan.api.cache_path = api_cache == "none" ? std::string()
                        : api_cache.empty() ? online::default_cache_path()
                                            : api_cache;
  scan.api.ca_file = scan.s3.ca_file;
  if (progress) scan.progress = app::progress_mode::always;
  if (no_progress) scan.progress = app::progress_mode::never;
  if (const std::string why = app::check_run_options(scan); !why.empty()) return usage(why);
  return app::run(scan);
}
