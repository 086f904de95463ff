#include "ouiscan/report/inventory.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <iterator>
#include <map>
#include <span>

#include "ouiscan/capture/link_type.h"

namespace ouiscan::report {

using vendors::class_name;
using vendors::display_name;
using vendors::vendor_info;
using vendors::vendor_status;

using text::append_json_string;
using text::append_json_time;
using text::append_raw;
using text::append_uint;
using text::csv_quote;
using text::escape_terminal;
using text::format_time;
namespace {

using capture::decode_status;
using pipeline::address_stats;

constexpr std::string_view kRoleNames[] = {"src", "dst",        "bssid",     "ra",
                                           "ta",  "arp_sender", "arp_target"};

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

void json_time(fmt::memory_buffer& b, std::int64_t ns, bool valid) {
  if (!valid) {
    append_raw(b, "null");
    return;
  }
  append_json_time(b, ns);
}

template <typename Range, typename Fn>
void json_array(fmt::memory_buffer& b, const Range& r, Fn&& each) {
  b.push_back('[');
  bool first = true;
  for (const auto& x : r) {
    if (!first) b.push_back(',');
    first = false;
    each(x);
  }
  b.push_back(']');
}

struct stage_times {
  double cut = 0, extract = 0, merge = 0, scan = 0, bytes_per_s = 0, frames_per_s = 0;
};

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

void json_address(fmt::memory_buffer& b, const entry& e) {
  const address_stats& s = *e.stats;
  append_raw(b, "{\"address\":\"");
  std::array<char, 17> mac;
  e.mac.format(mac.data());
  b.append(mac.data(), mac.data() + mac.size());
  append_raw(b, "\",");
  append_json_fields(b, *e.vendor, e.mac);
  const auto field = [&](std::string_view name_and_colon, std::uint64_t v) {
    append_raw(b, name_and_colon);
    append_uint(b, v);
  };
  field(",\"frames\":", s.frames);
  field(",\"src_frames\":", s.src_frames);
  field(",\"src_bytes\":", s.src_bytes);
  field(",\"dst_frames\":", s.dst_frames);
  field(",\"dst_bytes\":", s.dst_bytes);
  field(",\"arp_frames\":", s.arp_frames);
  append_raw(b, ",\"first_seen\":");
  json_time(b, s.first_ns, s.has_time());
  append_raw(b, ",\"last_seen\":");
  json_time(b, s.last_ns, s.has_time());
  append_raw(b, ",\"roles\":[");
  bool first = true;
  for (std::size_t i = 0; i < std::size(kRoleNames); ++i) {
    if ((s.roles & (1U << i)) == 0) continue;
    append_raw(b, first ? "\"" : ",\"");
    append_raw(b, kRoleNames[i]);
    b.push_back('"');
    first = false;
  }
  append_raw(b, "],\"vlans\":");
  json_array(b, s.vlans.sorted(), [&](std::uint16_t v) { append_uint(b, v); });
  append_raw(b, ",\"link_types\":");
  json_array(b, s.link_types.sorted(),
             [&](std::uint16_t lt) { append_json_string(b, link_name(lt)); });
  b.push_back('}');
}

}  // namespace

std::string_view input_status(const pipeline::input_report& r) {
  if (!r.error) return r.skipped.empty() ? "ok" : "damaged";  // --resync stepped over damage
  if (core::is_read_failure(r.error->code)) return "io_error";
  if (r.error->code == core::errc::stopped) return "stopped";  // on purpose: a deadline
  return r.error->code == core::errc::truncated_file ? "truncated" : "damaged";
}

namespace {

void json_summary(fmt::memory_buffer& b, const inventory& inv) {
  auto out = std::back_inserter(b);
  const auto& t = inv.totals;
  fmt::format_to(out, "{{\"inputs\":");
  json_array(b, inv.inputs, [&](const pipeline::input_report& r) {
    fmt::format_to(out, "{{\"name\":");
    append_json_string(b, r.name);
    fmt::format_to(out,
                   ",\"format\":\"{}\",\"compression\":\"{}\",\"size\":{},\"bytes_read\":{},"
                   "\"records\":{},\"sections\":{},\"frames\":{},\"status\":\"{}\"",
                   r.format, r.compression, r.size, r.bytes_read, r.records, r.sections,
                   r.counters.frames, input_status(r));
    if (r.error) {
      fmt::format_to(out, ",\"error\":{{\"code\":\"{}\",\"offset\":{},\"record\":{},\"message\":",
                     core::name(r.error->code), r.error->offset, r.error->record);
      append_json_string(b, core::to_string(*r.error));
      b.push_back('}');
    }
    if (!r.skipped.empty()) {
      fmt::format_to(out, ",\"skipped\":");
      json_array(b, r.skipped, [&](const pipeline::skipped_range& s) {
        fmt::format_to(out, "{{\"offset\":{},\"bytes\":{},\"code\":\"{}\",\"record\":{}}}",
                       s.offset, s.bytes, core::name(s.cause.code), s.cause.record);
      });
    }
    b.push_back('}');
  });
  fmt::format_to(out,
                 ",\"frames\":{},\"wire_bytes\":{},\"captured_bytes\":{},\"first_seen\":", t.frames,
                 t.wire_bytes, t.captured_bytes);
  const bool timed = t.first_ns != address_stats::never;
  json_time(b, t.first_ns, timed);
  fmt::format_to(out, ",\"last_seen\":");
  json_time(b, t.last_ns, timed);
  std::uint64_t unicast = 0, multicast = 0, broadcast = 0, null = 0, local = 0, arp_only = 0,
                random = 0, unknown_vendor = 0;
  for (const entry& e : inv.entries) {
    switch (core::class_of(e.mac)) {
      case core::address_class::unicast:
        ++unicast;
        break;
      case core::address_class::multicast:
        ++multicast;
        break;
      case core::address_class::broadcast:
        ++broadcast;
        break;
      case core::address_class::null:
        ++null;
        break;
    }
    if (e.mac.is_local()) ++local;
    if (e.vendor->cls.likely_random) ++random;
    if (e.vendor->organization.empty() && e.vendor->cls.cast == core::address_class::unicast) {
      ++unknown_vendor;
    }
    if ((e.stats->roles & capture::frame_roles) == 0) ++arp_only;
  }
  fmt::format_to(out,
                 ",\"distinct_addresses\":{},\"classes\":{{\"unicast\":{},\"multicast\":{},"
                 "\"broadcast\":{},\"null\":{},\"local\":{},\"likely_random\":{},"
                 "\"arp_only\":{},\"unicast_without_vendor\":{}}},\"database\":",
                 inv.entries.size(), unicast, multicast, broadcast, null, local, random, arp_only,
                 unknown_vendor);
  if (inv.database.empty()) {
    fmt::format_to(out, "null");
  } else {
    fmt::format_to(out, "{{\"source\":");
    append_json_string(b, inv.database);
    fmt::format_to(out, ",\"snapshot\":\"{:04}-{:02}-{:02}\"}}", inv.database_date / 10000,
                   inv.database_date / 100 % 100, inv.database_date % 100);
  }
  fmt::format_to(out, ",\"filter\":");
  if (inv.filter.empty() && !has_window(inv)) {
    fmt::format_to(out, "null");
  } else {
    fmt::format_to(out, "{{\"expression\":");
    if (inv.filter.empty()) {
      append_raw(b, "null");
    } else {
      append_json_string(b, inv.filter);
    }
    append_raw(b, ",\"since\":");
    json_time(b, inv.since_ns, inv.since_ns != std::numeric_limits<std::int64_t>::min());
    append_raw(b, ",\"until\":");
    json_time(b, inv.until_ns, inv.until_ns != std::numeric_limits<std::int64_t>::max());
    fmt::format_to(out, ",\"kept\":{},\"dropped\":{}}}", t.frames - t.filtered_out, t.filtered_out);
  }
  fmt::format_to(out, ",\"online\":");
  if (!inv.online.used) {
    fmt::format_to(out, "null");
  } else {
    const auto& o = inv.online;
    fmt::format_to(out, "{{\"service\":");
    append_json_string(b, o.service);
    fmt::format_to(out,
                   ",\"prefixes\":{},\"from_cache\":{},\"requests\":{},\"found\":{},"
                   "\"not_found\":{},\"unresolved\":{{",
                   o.prefixes, o.from_cache, o.requests, o.found, o.not_found);
    for (std::size_t i = 0; i < o.unresolved.size(); ++i) {
      if (i > 0) b.push_back(',');
      append_json_string(b, o.unresolved[i].first);
      b.push_back(':');
      append_json_string(b, o.unresolved[i].second);
    }
    fmt::format_to(out, "}}}}");
  }
  fmt::format_to(out, ",\"vendors\":");
  json_array(b, inv.vendors, [&](const vendor_count& v) {
    fmt::format_to(out, "{{\"name\":");
    append_json_string(b, v.name);
    fmt::format_to(out, ",\"addresses\":{}}}", v.addresses);
  });
  fmt::format_to(out, ",\"link_types\":");
  json_array(b, t.links, [&](const pipeline::link_count& l) {
    const auto info = capture::link_info_of(l.link_type);
    fmt::format_to(out, "{{\"link_type\":{},\"name\":", l.link_type);
    append_json_string(b, link_name(l.link_type));
    fmt::format_to(out, ",\"known\":{},\"frames\":{},\"bytes\":{}}}",
                   info.family != capture::link_family::unknown, l.frames, l.bytes);
  });
  fmt::format_to(out,
                 ",\"anomalies\":{{\"short_frame\":{},\"short_payload\":{},"
                 "\"wlan_unknown_version\":{},\"no_mac_link_frames\":{},\"unknown_link_frames\":{},"
                 "\"caplen_over_origlen\":{},\"untimed_frames\":{},\"addresses_over_cap\":{}}}",
                 t.status[static_cast<std::size_t>(decode_status::short_frame)],
                 t.status[static_cast<std::size_t>(decode_status::short_payload)],
                 t.status[static_cast<std::size_t>(decode_status::wlan_version)],
                 t.status[static_cast<std::size_t>(decode_status::no_mac_link)],
                 t.status[static_cast<std::size_t>(decode_status::unknown_link)],
                 t.caplen_over_origlen, t.untimed_frames, t.addresses_over_cap);
  const stage_times st = stages(inv);
  fmt::format_to(out,
                 ",\"frames_with_vlan\":{},\"seconds\":{:.3f},\"stages\":{{\"cut_s\":{:.3f},"
                 "\"extract_cpu_s\":{:.3f},\"merge_s\":{:.3f},\"lookup_s\":{:.3f}}},"
                 "\"throughput\":{{\"bytes_per_s\":{:.0f},\"frames_per_s\":{:.0f}}},"
                 "\"memory\":{{\"table_bytes\":{},\"rss_anon_bytes\":{}}}}}",
                 t.frames_with_vlan, inv.seconds, st.cut, st.extract, st.merge, inv.lookup_seconds,
                 st.bytes_per_s, st.frames_per_s, inv.table_bytes, inv.rss_anon_bytes);
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

constexpr std::size_t flush_threshold = 1U << 16;

// The entries a writer shows: all, or the first --top.
std::span<const entry> shown(const inventory& inv) {
  const std::size_t n = inv.top == 0 ? inv.entries.size() : std::min(inv.top, inv.entries.size());
  return {inv.entries.data(), n};
}

// The table's columns, in print order. Each is as wide as its widest cell (nothing overflows).
// To fit a terminal, the vendor column narrows to its minimum first, then columns are dropped,
// lowest priority (highest number) first.
struct column {
  std::string_view header;
  bool right;         // numbers are right-aligned
  unsigned priority;  // 0: never dropped
  std::size_t min_width;
};
constexpr std::array<column, 9> kColumns = {{
    {"ADDRESS", false, 0, 0},
    {"CLASS", false, 3, 0},
    {"VENDOR", false, 0, 12},
    {"FRAMES", true, 1, 0},
    {"SENT", true, 2, 0},
    {"RECEIVED", true, 4, 0},
    {"ARP", true, 5, 0},
    {"ROLES", false, 6, 0},
    {"VLANS", false, 7, 0},
}};
constexpr std::size_t vendor_column = 2;
constexpr std::size_t max_vendor_width = 40;

std::array<std::string, kColumns.size()> table_cells(const entry& e) {
  const address_stats& s = *e.stats;
  std::string vlans = fmt::format("{}", fmt::join(s.vlans.sorted(), ","));
  return {e.mac.to_string(),
          std::string(class_name(*e.vendor, e.mac)),
          escape_terminal(display_name(*e.vendor)),
          std::to_string(s.frames),
          std::to_string(s.src_frames),
          std::to_string(s.dst_frames),
          std::to_string(s.arp_frames),
          fmt::format("{}", fmt::join(role_names(s.roles), ",")),
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

bool write_table(std::FILE* out, const inventory& inv) {
  const auto rows = shown(inv);
  std::array<std::size_t, kColumns.size()> width{};
  for (std::size_t c = 0; c < kColumns.size(); ++c) width[c] = kColumns[c].header.size();
  for (const entry& e : rows) {
    const auto cells = table_cells(e);
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
    row(table_cells(e));
    if (b.size() > flush_threshold && !flush(out, b)) return false;
  }
  return flush(out, b) && std::ferror(out) == 0;
}

bool write_json(std::FILE* out, const inventory& inv, bool lines) {
  fmt::memory_buffer b;
  if (!lines) fmt::format_to(std::back_inserter(b), "{{\"addresses\":[");
  bool first = true;
  for (const entry& e : shown(inv)) {
    if (lines) {
      fmt::format_to(std::back_inserter(b), "{{\"type\":\"address\",\"data\":");
    } else if (!first) {
      b.push_back(',');
    }
    first = false;
    if (!lines) b.push_back('\n');
    json_address(b, e);
    if (lines) fmt::format_to(std::back_inserter(b), "}}\n");
    if (b.size() > flush_threshold && !flush(out, b)) return false;
  }
  if (lines) {
    fmt::format_to(std::back_inserter(b), "{{\"type\":\"summary\",\"data\":");
    json_summary(b, inv);
    fmt::format_to(std::back_inserter(b), "}}\n");
  } else {
    fmt::format_to(std::back_inserter(b), "\n],\n\"summary\":");
    json_summary(b, inv);
    fmt::format_to(std::back_inserter(b), "}}\n");
  }
  return flush(out, b);
}

bool write_csv(std::FILE* out, const inventory& inv) {
  fmt::memory_buffer b;
  auto o = std::back_inserter(b);
  fmt::format_to(o,
                 "address,class,admin,vendor,vendor_source,vendor_status,registry,prefix,"
                 "prefix_bits,quadrant,group,group_detail,platform,likely_random,frames,"
                 "src_frames,src_bytes,dst_frames,dst_bytes,arp_frames,first_seen,last_seen,roles,"
                 "vlans,link_types\n");
  for (const entry& e : shown(inv)) {
    const address_stats& s = *e.stats;
    std::vector<std::string> links;
    for (std::uint16_t lt : s.link_types.sorted()) links.push_back(link_name(lt));
    // Lists use ';' inside a field so that no field needs quoting.
    const auto& v = *e.vendor;
    fmt::format_to(o, "{},{},{},{},{},{},", e.mac.to_string(), class_name(v, e.mac),
                   admin_of(e.mac), csv_quote(v.organization), csv_quote(vendor_source(v)),
                   vendor_status(v));
    fmt::format_to(o, "{},{},{},{},{},{},{},{},", registry_name(v), v.prefix_text,
                   v.prefix_text.empty() ? std::string() : std::to_string(v.match.bits),
                   ouidb::to_string(v.cls.quadrant), csv_quote(v.cls.group),
                   csv_quote(v.cls.detail_view()), csv_quote(v.cls.platform),
                   v.cls.likely_random ? "true" : "false");
    fmt::format_to(o, "{},{},{},{},{},{},{},{},{},{},{}\n", s.frames, s.src_frames, s.src_bytes,
                   s.dst_frames, s.dst_bytes, s.arp_frames,
                   s.has_time() ? format_time(s.first_ns) : "",
                   s.has_time() ? format_time(s.last_ns) : "", fmt::join(role_names(s.roles), ";"),
                   fmt::join(s.vlans.sorted(), ";"), fmt::join(links, ";"));
    if (b.size() > flush_threshold && !flush(out, b)) return false;
  }
  return flush(out, b);
}

}  // namespace

std::optional<format> parse_format(std::string_view name) noexcept {
  if (name == "table") return format::table;
  if (name == "json") return format::json;
  if (name == "jsonl") return format::jsonl;
  if (name == "csv") return format::csv;
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
  std::sort(inv.entries.begin(), inv.entries.end(), [](const entry& a, const entry& b) {
    if (a.frames != b.frames) return a.frames > b.frames;
    if (a.arp_frames != b.arp_frames) return a.arp_frames > b.arp_frames;
    return a.mac < b.mac;
  });
  for (const auto& r : inputs) inv.totals.merge(r.counters);
  inv.inputs = std::move(inputs);
  inv.table_bytes = table.memory_bytes();
  inv.seconds = seconds;
  return inv;
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
  const auto by = [&](auto less) {
    std::stable_sort(inv.entries.begin(), inv.entries.end(), less);
  };
  switch (key) {
    case sort_key::frames:
      break;  // make_inventory's order
    case sort_key::bytes:
      by([](const entry& a, const entry& b) {
        return a.stats->src_bytes + a.stats->dst_bytes > b.stats->src_bytes + b.stats->dst_bytes;
      });
      break;
    case sort_key::address:
      by([](const entry& a, const entry& b) { return a.mac < b.mac; });
      break;
    case sort_key::vendor: {
      // Entries sharing a description are adjacent in neither order: name each once.
      std::map<const vendor_info*, std::string> names;
      for (const entry& e : inv.entries) names.try_emplace(e.vendor, display_name(*e.vendor));
      by([&](const entry& a, const entry& b) {
        const std::string& x = names[a.vendor];
        const std::string& y = names[b.vendor];
        return x != y ? x < y : a.mac < b.mac;
      });
      break;
    }
    case sort_key::first_seen:
      by([](const entry& a, const entry& b) { return a.stats->first_ns < b.stats->first_ns; });
      break;
  }
}

std::string summary_json(const inventory& inv) {
  fmt::memory_buffer b;
  json_summary(b, inv);
  return fmt::to_string(b);
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
  }
  return false;
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

void append_json_fields(fmt::memory_buffer& b, const vendor_info& v, core::mac_address mac) {
  const auto str_or_null = [&](std::string_view s) {
    if (s.empty()) {
      append_raw(b, "null");
    } else {
      append_json_string(b, s);
    }
  };
  append_raw(b, "\"class\":\"");
  append_raw(b, class_name(v, mac));
  append_raw(b, mac.is_local() ? "\",\"admin\":\"local\",\"vendor\":"
                               : "\",\"admin\":\"universal\",\"vendor\":");
  str_or_null(v.organization);
  if (v.organization.empty()) {
    append_raw(b, ",\"vendor_source\":null");
  } else {
    if (v.source.empty()) {
      append_raw(b, ",\"vendor_source\":\"ieee-registry\"");
    } else {
      append_raw(b, ",\"vendor_source\":");
      append_json_string(b, v.source);
      append_raw(b, ",\"vendor_fetched\":");
      append_json_time(b, v.source_time * 1'000'000'000);
    }
  }
  append_raw(b, ",\"vendors\":[");
  for (std::size_t i = 0; i < v.holders.size(); ++i) {
    if (i > 0) b.push_back(',');
    append_json_string(b, v.holders[i]);
  }
  append_raw(b, "],\"vendor_status\":\"");
  append_raw(b, vendor_status(v));
  append_raw(b, "\",\"registry\":");
  str_or_null(v.match.status == ouidb::match_status::not_found ? std::string_view{}
                                                               : ouidb::to_string(v.match.reg));
  append_raw(b, ",\"prefix\":");
  str_or_null(v.prefix_text);
  append_raw(b, ",\"prefix_bits\":");
  append_uint(b, v.match.bits);
  append_raw(b, ",\"holders\":");
  append_uint(b, v.match.holders);
  append_raw(b, v.match.is_private ? ",\"private\":true" : ",\"private\":false");
  append_raw(b, ",\"quadrant\":");
  str_or_null(ouidb::to_string(v.cls.quadrant));
  append_raw(b, ",\"group\":");
  str_or_null(v.cls.group);
  append_raw(b, ",\"group_detail\":");
  str_or_null(v.cls.detail_view());
  append_raw(b, ",\"platform\":");
  str_or_null(v.cls.platform);
  append_raw(b, v.cls.likely_random ? ",\"likely_random\":true" : ",\"likely_random\":false");
}

}  // namespace ouiscan::report
