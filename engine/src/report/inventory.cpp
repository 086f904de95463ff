#include "ouiscan/report/inventory.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <iterator>
#include <map>
#include <tuple>

#include "ouiscan/capture/link_type.h"
#include "render.h"

namespace ouiscan::report {

using vendors::display_name;
using vendors::sort_by_key;
using vendors::vendor_info;
using namespace detail;  // NOLINT(google-build-using-namespace): the renderers' shared helpers

namespace detail {

std::string link_name(std::uint16_t lt) {
  const auto info = capture::link_info_of(lt);
  if (info.name.empty()) return fmt::format("LINKTYPE_{}", lt);
  return std::string(info.name);
}

bool has_window(const inventory& inv) {
  return inv.since_ns != std::numeric_limits<std::int64_t>::min() ||
         inv.until_ns != std::numeric_limits<std::int64_t>::max();
}

std::string_view admin_of(core::mac_address m) { return m.is_local() ? "local" : "universal"; }

stage_times stages(const inventory& inv) {
  stage_times st;
  std::uint64_t bytes = 0;
  for (const auto& r : inv.inputs) {
    st.cut += r.cut_seconds;
    st.extract += r.extract_seconds;
    st.merge += r.merge_seconds;
    st.scan += r.seconds;
    bytes += r.bytes_read;
  }
  if (st.scan > 0) {
    st.bytes_per_s = static_cast<double>(bytes) / st.scan;
    st.frames_per_s = static_cast<double>(inv.totals.frames) / st.scan;
  }
  return st;
}

std::string human_bytes(double v) {
  static constexpr std::string_view units[] = {"B", "KB", "MB", "GB", "TB"};
  std::size_t u = 0;
  while (v >= 1000 && u + 1 < std::size(units)) {
    v /= 1000;
    ++u;
  }
  return u == 0 ? fmt::format("{:.0f} {}", v, units[u]) : fmt::format("{:.1f} {}", v, units[u]);
}

bool flush(std::FILE* out, fmt::memory_buffer& b) {
  const bool ok = std::fwrite(b.data(), 1, b.size(), out) == b.size();
  b.clear();
  return ok;
}

std::span<const entry> shown(const inventory& inv) {
  const std::size_t n = inv.top == 0 ? inv.entries.size() : std::min(inv.top, inv.entries.size());
  return {inv.entries.data(), n};
}

}  // namespace detail

std::string_view input_status(const pipeline::input_report& r) {
  if (!r.error) return r.skipped.empty() ? "ok" : "damaged";  // --resync stepped over damage
  if (core::is_read_failure(r.error->code)) return "io_error";
  if (r.error->code == core::errc::stopped) return "stopped";  // on purpose: a deadline
  return r.error->code == core::errc::truncated_file ? "truncated" : "damaged";
}

std::optional<format> parse_format(std::string_view name) noexcept {
  if (name == "table") return format::table;
  if (name == "json") return format::json;
  if (name == "jsonl") return format::jsonl;
  if (name == "csv") return format::csv;
  if (name == "ethers") return format::ethers;
  if (name == "html") return format::html;
  return std::nullopt;
}

std::vector<std::string_view> role_names(std::uint16_t roles) {
  std::vector<std::string_view> out;
  for (std::size_t i = 0; i < std::size(kRoleNames); ++i) {
    if ((roles & (1u << i)) != 0) out.push_back(kRoleNames[i]);
  }
  return out;
}

inventory make_inventory(const pipeline::address_table& table, vendors::naming named,
                         std::vector<pipeline::input_report> inputs, double seconds) {
  inventory inv;
  inv.entries = std::move(named.addresses);
  inv.descriptions = std::move(named.descriptions);
  inv.vendors = std::move(named.per_vendor);
  inv.lookup_seconds = named.seconds;
  // Busiest first (the complements sort descending), then by address.
  sort_by_key(inv.entries, [](const entry& e) {
    return std::tuple(~e.stats->frames(), ~e.stats->arp_frames(), e.mac());
  });
  for (const auto& r : inputs) inv.totals.merge(r.counters);
  inv.inputs = std::move(inputs);
  inv.table_bytes = table.memory_bytes();
  inv.seconds = seconds;
  return inv;
}

entry_ips ips_of(const inventory& inv, core::mac_address mac, std::size_t listed) {
  entry_ips out;
  if (!inv.ips || inv.ips->empty()) return out;
  const std::span<const identity::ip_entry> all = inv.ips->of(mac);
  out.count = all.size();
  out.not_kept = inv.ips->overflow(mac);
  std::size_t from_frames = 0;
  for (const identity::ip_entry& e : all) {
    const auto has = [&](capture::ip_source s) {
      return (e.sources & (1U << static_cast<unsigned>(s))) != 0;
    };
    if (has(capture::ip_source::frame)) ++from_frames;
    if (has(capture::ip_source::ndp_ra)) out.router_like = true;
    if (has(capture::ip_source::dhcp_server)) out.dhcp_server = true;
  }
  if (from_frames > ips_listed || out.not_kept > 0) out.router_like = true;
  out.listed = all.first(std::min(all.size(), listed));
  return out;
}

identity_totals identity_totals_of(const inventory& inv) {
  identity_totals out;
  if (!inv.ips || inv.ips->empty()) return out;
  for (const entry& e : inv.entries) {
    const entry_ips ips = ips_of(inv, e.mac());
    out.with_ips += ips.count > 0 ? 1 : 0;
    out.dhcp_servers += ips.dhcp_server ? 1 : 0;
  }
  return out;
}

std::vector<std::string_view> anomalies_of(const inventory& inv, const entry& e) {
  std::vector<std::string_view> out;
  const std::uint16_t flags = e.stats->flags();
  if ((flags & capture::flag_arp_mismatch) != 0) out.emplace_back("arp_mismatch");
  if ((flags & capture::flag_gratuitous_arp) != 0) out.emplace_back("gratuitous_arp");
  if (identity::ip_anomalies::has(inv.anomalies.in_conflict, e.mac())) {
    out.emplace_back("ip_conflict");
  }
  if (identity::ip_anomalies::has(inv.anomalies.changed, e.mac())) out.emplace_back("ip_changed");
  return out;
}

std::span<const identity::name_entry> names_of(const inventory& inv, core::mac_address mac) {
  if (!inv.names || inv.names->empty()) return {};
  return inv.names->of(mac);
}

std::optional<sort_key> parse_sort_key(std::string_view name) noexcept {
  if (name == "frames") return sort_key::frames;
  if (name == "bytes") return sort_key::bytes;
  if (name == "address") return sort_key::address;
  if (name == "vendor") return sort_key::vendor;
  if (name == "first_seen" || name == "first-seen") return sort_key::first_seen;
  return std::nullopt;
}

void sort_entries(inventory& inv, sort_key key) {
  switch (key) {
    case sort_key::frames:
      break;  // make_inventory's order
    case sort_key::bytes:
      sort_by_key(inv.entries,
                  [](const entry& e) { return ~(e.stats->src_bytes() + e.stats->dst_bytes()); });
      break;
    case sort_key::address:
      sort_by_key(inv.entries, [](const entry& e) { return e.mac(); });
      break;
    case sort_key::vendor: {
      // Entries sharing a description are adjacent in neither order: name each once.
      std::map<const vendor_info*, std::string> names;
      for (const entry& e : inv.entries) names.try_emplace(e.vendor, display_name(*e.vendor));
      sort_by_key(inv.entries, [&](const entry& e) {
        return std::pair<std::string_view, core::mac_address>(names.at(e.vendor), e.mac());
      });
      break;
    }
    case sort_key::first_seen:
      sort_by_key(inv.entries, [](const entry& e) { return e.stats->first_ns(); });
      break;
  }
}

bool write(std::FILE* out, const inventory& inv, format f) {
  switch (f) {
    case format::table:
      return write_table(out, inv);
    case format::json:
      return write_json(out, inv, false);
    case format::jsonl:
      return write_json(out, inv, true);
    case format::csv:
      return write_csv(out, inv);
    case format::ethers:
      return write_ethers(out, inv);
    case format::html:
      return write_html(out, inv);
  }
  return false;
}

}  // namespace ouiscan::report
