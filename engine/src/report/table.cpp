#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <iterator>

#include "ouiscan/capture/link_type.h"
#include "ouiscan/report/inventory.h"
#include "render.h"

namespace ouiscan::report {

using capture::decode_status;
using pipeline::address_stats;
using text::append_raw;
using text::csv_quote;
using text::escape_terminal;
using text::format_time;
using vendors::class_name;
using vendors::short_display_name;
using vendors::vendor_status;
using namespace detail;  // NOLINT(google-build-using-namespace): the renderers' shared helpers

namespace {

// The table's columns, in print order. Each is as wide as its widest cell (nothing overflows).
// To fit a terminal, the vendor column narrows to its minimum first, then columns are dropped,
// lowest priority (highest number) first.
struct column {
  std::string_view header;
  bool right;         // numbers are right-aligned
  unsigned priority;  // 0: never dropped
  std::size_t min_width;
};
constexpr std::array<column, 10> kColumns = {{
    {"ADDRESS", false, 0, 0},
    {"CLASS", false, 3, 0},
    {"VENDOR", false, 0, 12},
    {"IP", false, 4, 0},
    {"FRAMES", true, 1, 0},
    {"SENT", true, 2, 0},
    {"RECEIVED", true, 4, 0},
    {"ARP", true, 5, 0},
    {"ROLES", false, 6, 0},
    {"VLANS", false, 7, 0},
}};
constexpr std::size_t vendor_column = 2;
constexpr std::size_t max_vendor_width = 40;

// The first IP address learned, and how many more there are.
std::string ip_cell(const entry_ips& ips) {
  if (ips.listed.empty()) return "-";
  const std::string first = ips.listed.front().text();
  return ips.count > 1 ? fmt::format("{} +{}", first, ips.count - 1) : first;
}

std::array<std::string, kColumns.size()> table_cells(const inventory& inv, const entry& e) {
  const address_stats& s = *e.stats;
  std::string vlans = fmt::format("{}", fmt::join(s.vlans(), ","));
  return {e.mac().to_string(),
          std::string(class_name(*e.vendor, e.mac())),
          escape_terminal(short_display_name(*e.vendor)),
          ip_cell(ips_of(inv, e.mac())),
          std::to_string(s.frames()),
          std::to_string(s.src_frames()),
          std::to_string(s.dst_frames()),
          std::to_string(s.arp_frames()),
          fmt::format("{}", fmt::join(role_names(s.roles()), ",")),
          vlans.empty() ? "-" : vlans};
}

// Text cut to at most `width` characters (UTF-8 code points), ending in '~' when cut.
std::string fit(std::string_view text, std::size_t width) {
  std::size_t count = 0;
  std::size_t keep = 0;  // bytes of the first width - 1 characters
  for (std::size_t at = 0; at < text.size(); ++at) {
    if ((static_cast<unsigned char>(text[at]) & 0xC0) == 0x80) continue;
    if (++count == width) keep = at;
    if (count > width) return std::string(text.substr(0, keep)) + "~";
  }
  return std::string(text);
}

std::size_t display_width(std::string_view text) {
  std::size_t n = 0;
  for (const char c : text) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80 ? 1 : 0;
  return n;
}

}  // namespace

bool detail::write_table(std::FILE* out, const inventory& inv) {
  const auto rows = shown(inv);
  std::array<std::size_t, kColumns.size()> width{};
  for (std::size_t c = 0; c < kColumns.size(); ++c) width[c] = kColumns[c].header.size();
  for (const entry& e : rows) {
    const auto cells = table_cells(inv, e);
    for (std::size_t c = 0; c < cells.size(); ++c) {
      width[c] = std::max(width[c], display_width(cells[c]));
    }
  }
  width[vendor_column] = std::min(width[vendor_column], max_vendor_width);
  std::array<bool, kColumns.size()> on{};
  on.fill(true);
  const auto total = [&] {
    std::size_t t = 0;
    for (std::size_t c = 0; c < kColumns.size(); ++c) {
      if (on[c]) t += width[c] + (t == 0 ? 0 : 2);
    }
    return t;
  };
  if (inv.width != 0) {
    const std::size_t natural_vendor = width[vendor_column];
    const auto narrow_vendor = [&] {
      width[vendor_column] = natural_vendor;
      const std::size_t over = total() > inv.width ? total() - inv.width : 0;
      const std::size_t room =
          natural_vendor - std::min(natural_vendor, kColumns[vendor_column].min_width);
      width[vendor_column] -= std::min(over, room);
    };
    narrow_vendor();
    for (unsigned p = 7; p >= 1 && total() > inv.width; --p) {
      for (std::size_t c = 0; c < kColumns.size(); ++c) {
        if (kColumns[c].priority == p) on[c] = false;
      }
      narrow_vendor();  // a dropped column's room goes back to the vendor names
    }
  }
  fmt::memory_buffer b;
  const auto row = [&](const std::array<std::string, kColumns.size()>& cells) {
    std::size_t last = 0;
    for (std::size_t c = 0; c < kColumns.size(); ++c) {
      if (on[c]) last = c;
    }
    bool first = true;
    for (std::size_t c = 0; c < kColumns.size(); ++c) {
      if (!on[c]) continue;
      if (!first) append_raw(b, "  ");
      first = false;
      const std::string text = c == vendor_column ? fit(cells[c], width[c]) : cells[c];
      const std::size_t pad = width[c] - std::min(width[c], display_width(text));
      if (kColumns[c].right) b.append(std::string(pad, ' '));
      append_raw(b, text);
      if (!kColumns[c].right && c != last) b.append(std::string(pad, ' '));
    }
    b.push_back('\n');
  };
  std::array<std::string, kColumns.size()> header;
  for (std::size_t c = 0; c < kColumns.size(); ++c) header[c] = kColumns[c].header;
  row(header);
  for (const entry& e : rows) {
    row(table_cells(inv, e));
    if (b.size() > flush_threshold && !flush(out, b)) return false;
  }
  return flush(out, b) && std::ferror(out) == 0;
}

bool detail::write_csv(std::FILE* out, const inventory& inv) {
  fmt::memory_buffer b;
  auto o = std::back_inserter(b);
  fmt::format_to(
      o,
      "address,class,admin,vendor,vendor_short,vendor_source,vendor_status,registry,prefix,"
      "prefix_bits,quadrant,group,group_detail,platform,likely_random,frames,"
      "src_frames,src_bytes,dst_frames,dst_bytes,arp_frames,first_seen,last_seen,roles,"
      "vlans,link_types,ips,ip_count,router_like,dhcp_server,names,tunnelled_frames,"
      "tunnels\n");
  for (const entry& e : shown(inv)) {
    const address_stats& s = *e.stats;
    std::vector<std::string> links;
    for (std::uint16_t lt : s.link_types()) links.push_back(link_name(lt));
    // Lists use ';' inside a field so that no field needs quoting.
    const auto& v = *e.vendor;
    fmt::format_to(o, "{},{},{},{},{},{},{},", e.mac().to_string(), class_name(v, e.mac()),
                   admin_of(e.mac()), csv_quote(v.organization),
                   csv_quote(vendors::short_organization(v)), csv_quote(vendor_source(v)),
                   vendor_status(v));
    fmt::format_to(o, "{},{},{},{},{},{},{},{},", registry_name(v), v.prefix_text,
                   v.prefix_text.empty() ? std::string() : std::to_string(v.match.bits),
                   ouidb::to_string(v.cls.quadrant), csv_quote(v.cls.group),
                   csv_quote(v.cls.detail_view()), csv_quote(v.cls.platform),
                   v.cls.likely_random ? "true" : "false");
    fmt::format_to(
        o, "{},{},{},{},{},{},{},{},{},{},{},", s.frames(), s.src_frames(), s.src_bytes(),
        s.dst_frames(), s.dst_bytes(), s.arp_frames(),
        s.has_time() ? format_time(s.first_ns()) : "", s.has_time() ? format_time(s.last_ns()) : "",
        fmt::join(role_names(s.roles()), ";"), fmt::join(s.vlans(), ";"), fmt::join(links, ";"));
    const entry_ips ips = ips_of(inv, e.mac());
    std::vector<std::string> listed;
    for (const identity::ip_entry& x : ips.listed) listed.push_back(x.text());
    std::vector<std::string> names;
    std::vector<std::string> tunnels;
    for (const identity::name_entry& n : names_of(inv, e.mac())) {
      (capture::is_tunnel(n.kind) ? tunnels : names)
          .push_back(fmt::format("{}={}", capture::to_string(n.kind), n.text));
    }
    fmt::format_to(o, "{},{},{},{},{},{},{}\n", fmt::join(listed, ";"), ips.count,
                   ips.router_like ? "true" : "false", ips.dhcp_server ? "true" : "false",
                   csv_quote(fmt::format("{}", fmt::join(names, ";"))), s.tunnelled_frames(),
                   csv_quote(fmt::format("{}", fmt::join(tunnels, ";"))));
    if (b.size() > flush_threshold && !flush(out, b)) return false;
  }
  return flush(out, b);
}

void write_summary_text(std::FILE* out, const inventory& inv) {
  const auto& t = inv.totals;
  fmt::memory_buffer b;
  auto o = std::back_inserter(b);
  for (const auto& r : inv.inputs) {
    fmt::format_to(o, "input    {}: {} {}{}, {} frames, {}", r.name,
                   r.format.empty() ? "unrecognised" : r.format,
                   r.compression == "none" ? "" : "(" + r.compression + ") ",
                   human_bytes(static_cast<double>(r.bytes_read)), r.counters.frames,
                   input_status(r));
    if (r.error) fmt::format_to(o, " at {}", core::to_string(*r.error));
    if (!r.skipped.empty()) {
      std::uint64_t bytes = 0;
      for (const auto& s : r.skipped) bytes += s.bytes;
      fmt::format_to(o, ", {} bytes skipped in {} corrupt {} (--resync)", bytes, r.skipped.size(),
                     r.skipped.size() == 1 ? "stretch" : "stretches");
    }
    b.push_back('\n');
  }
  fmt::format_to(o, "frames   {} ({} on the wire)\n", t.frames,
                 human_bytes(static_cast<double>(t.wire_bytes)));
  if (!inv.filter.empty() || has_window(inv)) {
    std::string what = inv.filter.empty() ? std::string() : fmt::format("'{}'", inv.filter);
    if (inv.since_ns != std::numeric_limits<std::int64_t>::min()) {
      what += fmt::format("{}since {}", what.empty() ? "" : ", ", format_time(inv.since_ns));
    }
    if (inv.until_ns != std::numeric_limits<std::int64_t>::max()) {
      what += fmt::format("{}until {}", what.empty() ? "" : ", ", format_time(inv.until_ns));
    }
    fmt::format_to(o, "filter   {}: {} frames kept, {} dropped\n", escape_terminal(what),
                   t.frames - t.filtered_out, t.filtered_out);
  }
  if (t.first_ns != address_stats::never) {
    fmt::format_to(o, "time     {} .. {}\n", format_time(t.first_ns), format_time(t.last_ns));
  }
  const stage_times st = stages(inv);
  fmt::format_to(o,
                 "speed    {:.2f} s, {}/s, {:.2f} M frames/s (cut {:.2f} s, extract {:.2f} s CPU, "
                 "merge {:.3f} s, lookup {:.3f} s)\n",
                 st.scan, human_bytes(st.bytes_per_s), st.frames_per_s / 1e6, st.cut, st.extract,
                 st.merge, inv.lookup_seconds);
  std::size_t segments = 0, rewalked = 0;
  for (const auto& r : inv.inputs) {
    segments += r.segments;
    rewalked += r.resumed_segments;
  }
  if (segments > 0) {
    fmt::format_to(o, "walk     {} parallel segments, {} walked again from the true boundary\n",
                   segments, rewalked);
  }
  fmt::format_to(o, "memory   {} in the address table, {} anonymous memory in use\n",
                 human_bytes(static_cast<double>(inv.table_bytes)),
                 human_bytes(static_cast<double>(inv.rss_anon_bytes)));
  fmt::format_to(o, "addresses {} distinct\n", inv.entries.size());
  {
    const identity_totals id = identity_totals_of(inv);
    if (id.with_ips > 0 || t.arp_mismatch_frames > 0) {
      fmt::format_to(o,
                     "identity {} addresses with IP addresses, {} DHCP servers, {} IPv4 addresses "
                     "claimed by several, {} addresses changed address, {} gratuitous and {} "
                     "mismatched ARP frames\n",
                     id.with_ips, id.dhcp_servers, inv.anomalies.conflicts.size(),
                     inv.anomalies.changed.size(), t.gratuitous_arp_frames, t.arp_mismatch_frames);
    }
    constexpr std::size_t shown_conflicts = 10;  // the rest are in -f json's summary
    for (std::size_t i = 0; i < inv.anomalies.conflicts.size() && i < shown_conflicts; ++i) {
      const identity::ip_conflict& c = inv.anomalies.conflicts[i];
      constexpr std::size_t shown_claims = 8;
      std::vector<std::string> macs;
      for (const identity::ip_claim& k : c.claims) {
        if (macs.size() == shown_claims) break;
        macs.push_back(k.mac.to_string());
      }
      fmt::format_to(o, "conflict {} claimed by {}{}\n", identity::ip_text(c.ip.data(), false),
                     fmt::join(macs, ", "),
                     c.claims.size() > shown_claims
                         ? fmt::format(" and {} more", c.claims.size() - shown_claims)
                         : std::string());
    }
  }
  if (t.frames_with_tunnel > 0) {
    std::size_t inner_only = 0;
    for (const entry& e : inv.entries) {
      const std::uint16_t r = e.stats->roles();
      if ((r & capture::frame_roles) == 0 && (r & capture::tunnel_roles) != 0) ++inner_only;
    }
    fmt::format_to(o, "tunnels  {} frames carried Ethernet frames; {} addresses seen only inside\n",
                   t.frames_with_tunnel, inner_only);
  }
  constexpr std::size_t top_vendors = 10;
  for (std::size_t i = 0; i < inv.vendors.size() && i < top_vendors; ++i) {
    fmt::format_to(o, "vendor   {}: {}\n", inv.vendors[i].name, inv.vendors[i].addresses);
  }
  if (inv.vendors.size() > top_vendors) {
    fmt::format_to(o, "vendor   ... {} more (see -f json)\n", inv.vendors.size() - top_vendors);
  }
  if (!inv.database.empty()) {
    fmt::format_to(o, "database {} (IEEE snapshot {:04}-{:02}-{:02})\n", inv.database,
                   inv.database_date / 10000, inv.database_date / 100 % 100,
                   inv.database_date % 100);
  }
  if (inv.online.used) {
    const auto& on = inv.online;
    fmt::format_to(o,
                   "online   {}: {} prefixes unknown offline; {} from the cache, {} requests: {} "
                   "found, {} not found, {} unresolved\n",
                   on.service, on.prefixes, on.from_cache, on.requests, on.found, on.not_found,
                   on.unresolved.size());
    for (std::size_t i = 0; i < on.unresolved.size() && i < 10; ++i) {
      fmt::format_to(o, "online   unresolved {}: {}\n", on.unresolved[i].first,
                     on.unresolved[i].second);
    }
  }
  for (const auto& l : t.links) {
    const auto info = capture::link_info_of(l.link_type);
    fmt::format_to(o, "link     {} ({}): {} frames{}\n", link_name(l.link_type), l.link_type,
                   l.frames,
                   info.family == capture::link_family::unknown  ? ", unknown link type"
                   : info.family == capture::link_family::no_mac ? ", no MAC addresses"
                                                                 : "");
  }
  const auto anomaly = [&](std::string_view name, std::uint64_t n) {
    if (n != 0) fmt::format_to(o, "anomaly  {}: {}\n", name, n);
  };
  anomaly("short_frame", t.status[static_cast<std::size_t>(decode_status::short_frame)]);
  anomaly("short_payload", t.status[static_cast<std::size_t>(decode_status::short_payload)]);
  anomaly("wlan_unknown_version", t.status[static_cast<std::size_t>(decode_status::wlan_version)]);
  anomaly("caplen_over_origlen", t.caplen_over_origlen);
  anomaly("addresses_over_cap", t.addresses_over_cap);
  std::fwrite(b.data(), 1, b.size(), out);
}

}  // namespace ouiscan::report
