// File: inventory.h
// Renders a scan's result (the address inventory and the per-input reports) as a table, JSON,
// JSON lines or CSV. Field names are documented in docs/output.md.
//
//   report::inventory inv = report::make_inventory(scanner.addresses(), reports);
//   report::write(stdout, inv, report::format::json);
#pragma once

#include <cstdint>
#include <cstdio>
#include <deque>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ouiscan/pipeline/scan.h"
#include "ouiscan/report/vendor.h"
#include "ouiscan/text/time.h"

namespace ouiscan::report {

enum class format : std::uint8_t { table, json, jsonl, csv };
[[nodiscard]] std::optional<format> parse_format(std::string_view name) noexcept;

struct entry {
  core::mac_address mac;
  const pipeline::address_stats* stats;
  const vendor_info*
      vendor;  // shared by the addresses that the registry and classes describe alike
  // Copies of stats->frames and arp_frames: sorting millions of entries by them should not
  // chase a pointer into the address table per comparison.
  std::uint64_t frames = 0;
  std::uint64_t arp_frames = 0;
};

struct vendor_count {
  std::string name;  // display name (organisation, group or platform)
  std::uint64_t addresses = 0;
};

// What --online did, for the summary.
struct online_summary {
  bool used = false;
  std::string service;         // the API's name
  std::uint64_t prefixes = 0;  // unknown offline, eligible to be asked about
  std::uint64_t from_cache = 0;
  std::uint64_t requests = 0;
  std::uint64_t found = 0;
  std::uint64_t not_found = 0;
  std::vector<std::pair<std::string, std::string>> unresolved;  // prefix, why
};

// --sort: the order of the addresses. frames (the default) is busiest first, then by ARP frames,
// then by address; bytes is by sent plus received bytes, most first; vendor is by the vendor's
// display name, then by address; first_seen is earliest first (untimed addresses last).
enum class sort_key : std::uint8_t { frames, bytes, address, vendor, first_seen };
[[nodiscard]] std::optional<sort_key> parse_sort_key(std::string_view name) noexcept;

struct inventory {
  std::vector<entry> entries;            // busiest first, then by address
  std::deque<vendor_info> descriptions;  // what the entries point to (a deque keeps them in place)
  std::vector<pipeline::input_report> inputs;
  pipeline::frame_counters totals;
  std::uint64_t table_bytes = 0;     // memory held by the address table
  std::uint64_t rss_anon_bytes = 0;  // anonymous memory of the process (not the mapped captures)
  double lookup_seconds = 0;         // vendor lookups and classification
  double seconds = 0;
  std::string database;  // which OUI database answered ("embedded", a path, or "")
  std::string filter;    // the capture filter expression, "" when none
  // --since, --until: frames outside [since_ns, until_ns] were dropped (counted as filtered out)
  std::int64_t since_ns = std::numeric_limits<std::int64_t>::min();
  std::int64_t until_ns = std::numeric_limits<std::int64_t>::max();
  std::size_t top = 0;    // --top: only the first this many addresses are written (0: all)
  std::size_t width = 0;  // table: fit lines to this many columns (0: keep every column whole)
  std::uint32_t database_date = 0;    // its MA-L snapshot date, YYYYMMDD
  std::vector<vendor_count> vendors;  // addresses per vendor, most first
  online_summary online;
};

// Orders the entries by key (a stable re-sort of the busiest-first order).
void sort_entries(inventory& inv, sort_key key);

// Builds the sorted view and looks every address up once (db may be null); `table` must outlive
// the inventory.
[[nodiscard]] inventory make_inventory(const pipeline::address_table& table,
                                       std::vector<pipeline::input_report> inputs, double seconds,
                                       const ouidb::database* db,
                                       const vendor_fallback& fallback = {});

// An input's status: "ok", "truncated" (its last record cut short), "damaged" (corrupt, also
// when --resync stepped over the damage) or "io_error".
[[nodiscard]] std::string_view input_status(const pipeline::input_report& r);

// Writes the inventory; returns false if the stream failed (e.g. a closed pipe).
bool write(std::FILE* out, const inventory& inv, format f);
// The JSON summary object alone (what `summary` holds in the json format).
[[nodiscard]] std::string summary_json(const inventory& inv);
// The human summary that ends a table (also printed to stderr for CSV).
void write_summary_text(std::FILE* out, const inventory& inv);

// The names of capture::role bits, e.g. {"src", "arp_sender"}.
[[nodiscard]] std::vector<std::string_view> role_names(std::uint16_t roles);

}  // namespace ouiscan::report
