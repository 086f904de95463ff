// The flags of ouiscan, with their help texts, bound to the app's option structs.
#include "flags.h"

#include <string>
#include <vector>

namespace ouiscan::cli {
namespace {

const std::vector<std::string> kFormats = {"table", "json", "jsonl", "csv"};
// An inventory can also be written as an ethers file, for Wireshark, and as an HTML page.
const std::vector<std::string> kInventoryFormats = {"table", "json",   "jsonl",
                                                    "csv",   "ethers", "html"};

}  // namespace

void add_scan_flags(CLI::App& cli, app::scan_flags& scan, bool& list_interfaces) {
  cli.add_option("inputs", scan.options.inputs,
                 "capture files (- for standard input), s3://bucket/key, s3://bucket/prefix/");
  cli.add_option("-r", scan.read_files, "read this capture (as tcpdump -r; may be repeated)");
  cli.add_option("-f,--format", scan.format, "output format")
      ->check(CLI::IsMember(kInventoryFormats))
      ->capture_default_str();
  cli.add_option("-o,--output", scan.options.output_path,
                 "write the output to this file (- : stdout)");
  cli.add_option("-j,--threads", scan.options.threads,
                 "worker threads (0 or more than the cores: all cores)")
      ->capture_default_str();
  cli.add_option("--chunk-size", scan.options.chunk_bytes, "bytes of records per work item")
      ->check(CLI::Range(std::size_t{4096}, std::size_t{1} << 30))
      ->capture_default_str();
  cli.add_option("--db", scan.options.db_path,
                 "OUI database file (default: refreshed copy, else embedded)");
  cli.add_flag("--progress", scan.progress, "always draw a progress bar on stderr");
  cli.add_flag("--no-progress", scan.no_progress, "never draw a progress bar");
  cli.add_flag("-q,--quiet", scan.options.quiet, "no warnings, progress or summary on stderr");
  cli.add_option("--filter", scan.options.filter,
                 "tcpdump capture filter, e.g. 'vlan 100 and not arp'");
  cli.add_option("-F", scan.filter_file, "read the capture filter from this file (as tcpdump -F)")
      ->check(CLI::ExistingFile);
  cli.add_option("-i,--interface", scan.options.live_interface,
                 "capture live from this interface (needs root or CAP_NET_RAW)");
  cli.add_option("--duration", scan.options.duration_s, "live: stop after this many seconds");
  cli.add_option("-c,--count", scan.options.count,
                 "only the first N frames (that the filter keeps), as tcpdump -c");
  cli.add_option("-w", scan.options.write_path,
                 "live: also write the captured frames to this pcapng (- : stdout)");
  cli.add_flag("-D,--list-interfaces", list_interfaces, "list the interfaces -i can use");
  cli.add_option("--sort", scan.sort, "order of the addresses")
      ->check(CLI::IsMember({"frames", "bytes", "address", "vendor", "first_seen"}))
      ->capture_default_str();
  cli.add_option("--top", scan.options.top, "write only the first N addresses");
  cli.add_option("--since", scan.since,
                 "only frames at or after this time (ISO 8601; UTC unless a "
                 "zone is given)");
  cli.add_option("--until", scan.until, "only frames at or before this time (ISO 8601)");
  cli.add_option("--max-addresses", scan.options.max_addresses,
                 "keep at most this many distinct addresses (0: no limit)")
      ->capture_default_str();
  cli.add_option("--manuf", scan.manuf_file,
                 "private prefix assignments in Wireshark's manuf format; they name addresses "
                 "before the IEEE registry does");
  cli.add_option("--names", scan.names_file,
                 "names for addresses in ethers format (address, then name), put on the "
                 "records as user_name");
  cli.add_option("--diff", scan.options.diff_path,
                 "write what changed since this earlier JSON result (new, gone, changed "
                 "addresses) instead of the inventory");
  cli.add_option("--range", scan.range,
                 "scan only the records whose header starts in bytes [START, END) of the one "
                 "input (END may be empty: to the end), for `ouiscan merge`");
  cli.add_option("--headers", scan.headers,
                 "--range on pcapng: the section and interface blocks before START, as "
                 "OFFSET+LENGTH,... in file order (default: walk the blocks before START)");
  cli.add_flag("--stats", scan.options.stats,
               "print the summary with time per stage and memory on stderr");
  cli.add_flag("--resync", scan.options.resync,
               "after corrupt framing, skip to the next plausible record and go on (each "
               "skipped byte range is reported)");
  cli.add_flag("--strict", scan.options.strict,
               "a final record cut short (a killed tcpdump) is damage, exit 1 (default: a "
               "warning)");
  cli.add_option("--s3-endpoint", scan.options.s3.endpoint,
                 "S3-compatible endpoint, e.g. http://127.0.0.1:9000 (path-style addressing; "
                 "default: AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL, the profile, else AWS)");
  cli.add_option("--s3-region", scan.options.s3.region,
                 "S3 region (default: AWS_REGION, AWS_DEFAULT_REGION, the profile, us-east-1)");
  cli.add_option("--ca-file", scan.options.s3.ca_file, "trust this CA bundle for HTTPS to S3");
  cli.add_flag("--no-sign-request", scan.options.s3.no_sign_request,
               "do not sign S3 requests (public buckets), as the AWS CLI's flag; no credentials "
               "are looked for");
  cli.add_option("--max-bytes", scan.max_bytes,
                 "refuse S3 objects larger than this, before downloading (e.g. 20GiB; "
                 "default: OUISCAN_MAX_BYTES, else no limit)");
  cli.add_option("--s3-part-size", scan.part_size, "bytes per ranged GET (default 16MiB)");
  cli.add_option("--s3-parts", scan.options.s3.parts_in_flight,
                 "ranged GETs in flight (default 4)");
  cli.add_flag("--online", scan.online,
               "ask a vendor API about prefixes the offline database cannot name (off by default; "
               "only the prefix bits of universal unicast addresses are sent, each prefix once)");
  cli.add_flag("--offline", scan.offline, "never use the network for vendors (overrides --online)");
  cli.add_option("--api", scan.api_name, "vendor API for --online")
      ->check(CLI::IsMember({"macvendors", "maclookup"}))
      ->capture_default_str();
  cli.add_option("--api-url", scan.api_url, "base URL of the API (a mirror, or a test server)");
  cli.add_option("--api-rate", scan.api_rate,
                 "requests per second at most (default: the free tier, 1 for macvendors, 2 for "
                 "maclookup)");
  cli.add_option("--api-budget", scan.options.api.budget, "requests at most in this run")
      ->capture_default_str();
  cli.add_option("--api-cache", scan.api_cache,
                 "answer cache file (default $XDG_CACHE_HOME/ouiscan/vendors.tsv; 'none': no "
                 "cache)");
}

subcommands add_subcommands(CLI::App& cli, app::lookup_options& lookup, std::string& format,
                            app::db_options& db, app::diff_options& diff, app::merge_options& merge,
                            app::plan_options& plan) {
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
  auto* changes = cli.add_subcommand(
      "diff",
      "what changed between two JSON results (-f json or jsonl): addresses new, gone, and "
      "changed in vendor, IP addresses or names.\nExit codes: 0 no change, 1 changes, 2 usage "
      "error, 3 a result could not be read or is not one.");
  changes->add_option("old", diff.before, "the earlier result")->required();
  changes->add_option("new", diff.after, "the later result")->required();
  changes->add_option("-f,--format", format, "output format")->check(CLI::IsMember(kFormats));
  changes->add_option("-o,--output", diff.output_path, "write here instead of standard output");
  auto* join = cli.add_subcommand(
      "merge",
      "one inventory from JSON results (-f json or jsonl): the --range parts of a capture, or "
      "the results of many captures.\nExit codes: 0 ok, 1 a capture's ranges leave bytes out "
      "or overlap, results disagree (filter, database snapshot) or an input was damaged, 2 usage "
      "error, 3 a result could not be read or is not one.");
  join->add_option("results", merge.results, "JSON results of ouiscan (files or s3:// objects)")
      ->required();
  join->add_option("--s3-endpoint", merge.scan.s3.endpoint,
                   "S3-compatible endpoint (as for a scan)");
  join->add_option("--s3-region", merge.scan.s3.region, "S3 region (as for a scan)");
  join->add_option("--ca-file", merge.scan.s3.ca_file, "trust this CA bundle for HTTPS to S3");
  join->add_flag("--no-sign-request", merge.scan.s3.no_sign_request, "do not sign S3 requests");
  join->add_option("-f,--format", format, "output format")->check(CLI::IsMember(kInventoryFormats));
  join->add_option("-o,--output", merge.scan.output_path, "write here instead of standard output");
  join->add_option("--db", merge.scan.db_path, "OUI database that names the vendors");
  join->add_option("-j,--threads", merge.scan.threads, "worker threads (0: all cores)");
  join->add_option("--sort", merge.sort_name, "order of the addresses")
      ->check(CLI::IsMember({"frames", "bytes", "address", "vendor", "first_seen"}));
  join->add_option("--top", merge.scan.top, "write only the first N addresses");
  join->add_flag("-q,--quiet", merge.scan.quiet, "no warnings or summary on stderr");
  auto* cuts = cli.add_subcommand(
      "plan",
      "the work items that cut captures into byte ranges for --range scans elsewhere: a JSON "
      "array of {input, bucket, key, etag, start, end, size, headers} (docs/scale-out.md).\nExit "
      "codes: 0 ok, 2 usage error, 3 an input could not be listed, opened or read.");
  cuts->add_option("inputs", plan.inputs, "capture files, s3://bucket/key, s3://bucket/prefix/")
      ->required();
  cuts->add_option("--parts", plan.parts, "cut each capture into this many ranges");
  cuts->add_option("--part-size", plan.part_size,
                   "or into ranges of this size (e.g. 1GiB); smaller captures stay whole");
  cuts->add_option("-o,--output", plan.output_path, "write here instead of standard output");
  cuts->add_option("--s3-endpoint", plan.s3.endpoint, "S3-compatible endpoint (as for a scan)");
  cuts->add_option("--s3-region", plan.s3.region, "S3 region (as for a scan)");
  cuts->add_option("--ca-file", plan.s3.ca_file, "trust this CA bundle for HTTPS to S3");
  cuts->add_flag("--no-sign-request", plan.s3.no_sign_request, "do not sign S3 requests");
  return {look, info, update, changes, join, cuts};
}

}  // namespace ouiscan::cli
