// File: run.h
// What the ouiscan command does, as a library call: main() parses argv into run_options and
// returns run()'s exit code.
//
//   ouiscan::app::run_options o;
//   o.inputs = {"capture.pcapng"};
//   return ouiscan::app::run(o);
#pragma once

#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ouiscan/core/error.h"
#include "ouiscan/online/resolver.h"
#include "ouiscan/pipeline/scan.h"
#include "ouiscan/report/inventory.h"
#include "ouiscan/s3/config.h"
#include "ouiscan/vendors/vendor.h"
#include "ouiscan/vendors/wireshark_files.h"

namespace ouiscan::app {

// Exit codes (docs/output.md). A damaged input still produces the full report.
enum exit_code : int {
  exit_ok = 0,
  exit_input_damaged = 1,  // an input was truncated or corrupt; addresses before the fault kept
  exit_usage = 2,          // bad command line
  exit_io_error = 3,       // an input or the output could not be opened, read or written
};

enum class progress_mode : std::uint8_t { automatic, always, never };

struct run_options {
  std::vector<std::string> inputs;  // "-" is standard input; s3://bucket/key or s3://bucket/prefix/
  report::format output_format = report::format::table;
  std::string output_path;  // empty: standard output
  unsigned threads = 0;     // 0: all cores
  std::size_t chunk_bytes = 1U << 20;
  progress_mode progress = progress_mode::automatic;
  bool quiet = false;             // no warnings or summary on stderr
  std::string db_path;            // --db: an OUI database file instead of the usual choice
  bool stats = false;             // print the summary (speed per stage, memory) on stderr too
  std::size_t max_addresses = 0;  // keep at most this many distinct addresses (0: no limit)
  bool resync = false;            // step over corrupt stretches to the next plausible record
  bool strict = false;         // a final record cut short counts as damage (exit 1), not a warning
  std::string filter;          // a tcpdump capture filter expression ("" : none)
  std::string live_interface;  // -i: capture live from this interface instead of files
  double duration_s = 0;       // live: stop after this long (0: until Ctrl-C or --count)
  std::uint64_t count = 0;     // -c: only the first this many frames the filter keeps
  std::int64_t since_ns = std::numeric_limits<std::int64_t>::min();  // --since: frame times from
  std::int64_t until_ns = std::numeric_limits<std::int64_t>::max();  // --until: frame times to
  report::sort_key sort = report::sort_key::frames;                  // --sort
  std::size_t top = 0;     // --top: write only the first this many addresses (0: all)
  std::string write_path;  // live: also write the captured frames as pcapng
  s3::overrides s3;        // endpoint, region, CA file, size limit, parts for s3:// inputs
  bool online = false;     // --online: ask a vendor API about prefixes unknown offline
  online::options api;     // its provider, rate, budget, cache
  std::string diff_path;   // --diff: write the changes since this JSON result, not the inventory
  std::optional<pipeline::byte_range> range;          // --range START-END (and --headers): one part
  std::shared_ptr<const vendors::manuf_table> manuf;  // --manuf FILE: private assignments
  std::vector<vendors::ethers_entry> user_names;      // --names FILE: the user's names
};

// `ouiscan merge RESULT...`: JSON results (ranges of one capture, or of many captures) as one
// inventory, written as the scan command writes its own (scan's format, output, database,
// threads, sort and quiet apply). Exit codes as the scan's: 1 when ranges leave bytes out or
// results disagree (each problem is printed), 3 when a result cannot be read or is not one.
struct merge_options {
  std::vector<std::string> results;
  run_options scan;
  std::string sort_name = "frames";  // as typed; main() turns it into scan.sort
};
[[nodiscard]] int run_merge(const merge_options& options);

// `ouiscan plan INPUT...`: the work items (docs/scale-out.md) as a JSON array. Exit codes: 0,
// 2 usage, 3 an input could not be listed, opened or read, or the output written.
struct plan_options {
  std::vector<std::string> inputs;
  unsigned parts = 0;
  std::string part_size;    // as typed (e.g. 1GiB)
  std::string output_path;  // empty: standard output
  s3::overrides s3;
};
[[nodiscard]] int run_plan(const plan_options& options);

// `ouiscan diff OLD NEW`: the changes between two JSON results.
struct diff_options {
  std::string before, after;
  report::format output_format = report::format::table;
  std::string output_path;  // empty: standard output
};
// Exit codes as diff(1)'s: 0 no change, 1 changes, 2 usage; 3 a result unreadable or not one.
[[nodiscard]] int run_diff(const diff_options& options);

// The scan command's flags as typed, before policy turns them into run_options.
struct scan_flags {
  run_options options;                  // the flags that need no conversion
  std::vector<std::string> read_files;  // -r, scanned before the positional inputs
  std::string format = "table";
  std::string sort = "frames";
  std::string since, until;  // ISO 8601
  std::string filter_file;   // -F
  std::string max_bytes, part_size;
  std::string range, headers;  // --range START-END, --headers OFFSET+LENGTH,...
  std::string manuf_file, names_file;
  bool progress = false, no_progress = false;
  bool online = false, offline = false;
  std::string api_name = "macvendors";
  std::string api_url, api_cache;
  double api_rate = 0;
  std::vector<std::string> api_flags_given;  // which --api* flags were on the command line
};

// run_options from the flags: formats, times, sizes, the filter file, OUISCAN_ONLINE, the API
// and its cache; or the usage error that prevents it (check_run_options included).
[[nodiscard]] core::result<run_options, core::failure> resolve_scan_flags(scan_flags flags);

// --range START-END ("START-": to the end) and --headers OFFSET+LENGTH,... ("none": no
// blocks besides the first section's).
[[nodiscard]] core::result<pipeline::byte_range, core::failure> parse_range(
    std::string_view range, std::string_view headers);

// Scans the inputs and writes the inventory (the default command).
[[nodiscard]] int run(const run_options& options);

// Why the options cannot run together (a flag that does not apply to the inputs given, a
// malformed s3:// address), or "" when they can: a usage error, never silently ignored.
[[nodiscard]] std::string check_run_options(const run_options& options);
// A filter expression with its blanks and line breaks folded to single spaces, trimmed.
[[nodiscard]] std::string trim_filter(std::string_view text);
// The expression in a -F file: '#' comments to the end of a line dropped, as tcpdump does.
[[nodiscard]] std::string filter_file_text(std::string_view text);
// -D: the interfaces a live capture can use, one per line, numbered as tcpdump -D numbers them.
[[nodiscard]] int list_interfaces_command();

struct lookup_options {
  std::vector<std::string> queries;  // addresses or prefixes; "-" or none: one per line on stdin
  report::format output_format = report::format::table;
  std::string db_path;
  bool all = false;  // table: list the assignments a prefix covers, one per line
};

// `ouiscan lookup`: vendor and class of each address or prefix, in any common notation.
[[nodiscard]] int run_lookup(const lookup_options& options);

struct db_options {
  std::string db_path;   // info: the database to describe (default: the usual choice)
  std::string from_dir;  // update: build from these local CSVs instead of downloading
  std::string url_base;  // update: where the CSVs are published
  std::string ca_file;   // update: trust this CA bundle (tests, private mirrors)
  std::string output;    // update: write here instead of the user's database
  std::string date;      // update --from: the snapshot's date (YYYY-MM-DD), which CSVs lack
  double timeout_s = 60;
  unsigned retries = 3;
};

// `ouiscan db info`: which database is in use, its snapshot dates and row counts.
[[nodiscard]] int run_db_info(const db_options& options);
// `ouiscan db update`: fetch (or read) the IEEE CSVs, validate, build, replace atomically, and
// print what changed. Any failure leaves the current database untouched.
[[nodiscard]] int run_db_update(const db_options& options);

}  // namespace ouiscan::app
