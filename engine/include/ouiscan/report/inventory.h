// File: inventory.h
// Renders a scan's result (the address inventory and the per-input reports) as a table, JSON,
// JSON lines or CSV. Field names are documented in docs/output.md.
//
//   report::inventory inv = report::make_inventory(table, vendors::name_addresses(table, db),
//                                                  reports, seconds);
//   report::write(stdout, inv, report::format::json);
#pragma once

#include <cstdint>
#include <cstdio>
#include <deque>
#include <limits>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ouiscan/pipeline/scan.h"
#include "ouiscan/text/json.h"
#include "ouiscan/text/time.h"
#include "ouiscan/vendors/naming.h"
#include "ouiscan/vendors/online.h"

namespace ouiscan::report {

// ethers: an /etc/ethers file for Wireshark; html: a self-contained page (an inventory only,
// not a diff or a lookup).
enum class format : std::uint8_t { table, json, jsonl, csv, ethers, html };

// The version of the JSON result's layout (summary.schema): `ouiscan merge` reads results of
// this version only. 1: the first layout that carries what a merge needs.
inline constexpr unsigned schema_version = 1;
[[nodiscard]] std::optional<format> parse_format(std::string_view name) noexcept;

// One address of the inventory, and the vendor counts and --online summary: the vendors
// stage's output, rendered here.
using entry = vendors::named_address;
using vendor_count = vendors::vendor_count;
using online_summary = vendors::online_summary;

// --sort: the order of the addresses. frames (the default) is busiest first, then by ARP frames,
// then by address; bytes is by sent plus received bytes, most first; vendor is by the vendor's
// display name, then by address; first_seen is earliest first (untimed addresses last).
enum class sort_key : std::uint8_t { frames, bytes, address, vendor, first_seen };
[[nodiscard]] std::optional<sort_key> parse_sort_key(std::string_view name) noexcept;

struct inventory {
  std::vector<entry> entries;                     // busiest first, then by address
  std::deque<vendors::vendor_info> descriptions;  // what the entries point to
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
  // The IP addresses bound to the entries (identity stage); null or empty when none were seen.
  std::shared_ptr<const identity::ip_table> ips;
  std::shared_ptr<const identity::name_table> names;  // the same for names
  identity::ip_anomalies anomalies;                   // what the IP bindings' claims say
  // `ouiscan merge`: how many results were merged (0: a scan), and what did not merge exactly.
  std::size_t merged_results = 0;
  std::vector<std::string> merge_problems;
  std::size_t merge_rewalked = 0;  // ranges walked again from where the previous one ended
};

// How many IP addresses an entry lists in the table and CSV (JSON lists every one kept, so that
// results merge); ip_count says how many it has. An address with more IP addresses learned
// from the frames it sent, or that sends Router Advertisements, is router-like.
inline constexpr std::size_t ips_listed = 16;
struct entry_ips {
  std::span<const identity::ip_entry> listed;  // at most `listed`, earliest first seen first
  std::size_t count = 0;                       // distinct IP addresses kept
  std::uint64_t not_kept = 0;                  // sightings past identity::ip_table::max_per_mac
  bool router_like = false;
  bool dhcp_server = false;
};
[[nodiscard]] entry_ips ips_of(const inventory& inv, core::mac_address mac,
                               std::size_t listed = ips_listed);
// How many entries have IP addresses, and how many answered DHCP as servers.
struct identity_totals {
  std::size_t with_ips = 0;
  std::size_t dhcp_servers = 0;
};
[[nodiscard]] identity_totals identity_totals_of(const inventory& inv);
[[nodiscard]] std::span<const identity::name_entry> names_of(const inventory& inv,
                                                             core::mac_address mac);
// An entry's anomalies by name: "arp_mismatch", "gratuitous_arp", "ip_conflict", "ip_changed".
[[nodiscard]] std::vector<std::string_view> anomalies_of(const inventory& inv, const entry& e);

// Orders the entries by key (a stable re-sort of the busiest-first order).
void sort_entries(inventory& inv, sort_key key);

// The inventory of named addresses, busiest first; `table` must outlive it.
[[nodiscard]] inventory make_inventory(const pipeline::address_table& table, vendors::naming named,
                                       std::vector<pipeline::input_report> inputs, double seconds);

// An input's status: "ok", "truncated" (its last record cut short), "damaged" (corrupt, also
// when --resync stepped over the damage) or "io_error".
[[nodiscard]] std::string_view input_status(const pipeline::input_report& r);

// Writes the inventory; returns false if the stream failed (e.g. a closed pipe).
bool write(std::FILE* out, const inventory& inv, format f);
// The JSON summary object alone (what `summary` holds in the json format).
[[nodiscard]] std::string summary_json(const inventory& inv);
// The human summary that ends a table (also printed to stderr for CSV).
void write_summary_text(std::FILE* out, const inventory& inv);

// Appends an address's vendor and class fields (without braces) to a JSON object.
void append_json_fields(fmt::memory_buffer& b, const vendors::vendor_info& v,
                        core::mac_address mac);
// The names of capture::role bits, e.g. {"src", "arp_sender"}.
[[nodiscard]] std::vector<std::string_view> role_names(std::uint16_t roles);

}  // namespace ouiscan::report
