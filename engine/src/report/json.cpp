#include <fmt/format.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <array>
#include <iterator>
#include <span>
#include <string>
#include <unordered_map>

#include "ouiscan/capture/link_type.h"
#include "ouiscan/report/inventory.h"
#include "render.h"

namespace ouiscan::report {

using capture::decode_status;
using pipeline::address_stats;
using text::append_json_string;
using text::append_json_time;
using text::append_raw;
using text::append_uint;
using vendors::class_name;
using vendors::vendor_info;
using vendors::vendor_status;
using namespace detail;  // NOLINT(google-build-using-namespace): the renderers' shared helpers

namespace {

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

// The vendor fields of an entry depend on its description and whether its address is local
// only; millions of addresses share a few descriptions, so each is rendered once.
class vendor_fields {
 public:
  std::string_view of(const entry& e) {
    const bool local = e.mac().is_local();
    if (e.vendor == last_ && local == last_local_) return *last_text_;
    std::string& text = rendered_[e.vendor][local ? 1 : 0];
    if (text.empty()) {
      fmt::memory_buffer b;
      append_json_fields(b, *e.vendor, e.mac());
      text.assign(b.data(), b.size());
    }
    last_ = e.vendor;
    last_local_ = local;
    last_text_ = &text;
    return text;
  }

 private:
  std::unordered_map<const vendor_info*, std::array<std::string, 2>> rendered_;
  const vendor_info* last_ = nullptr;
  bool last_local_ = false;
  const std::string* last_text_ = nullptr;
};

// The end of an identity fact: how often and when it was seen.
void json_sightings(fmt::memory_buffer& b, std::uint64_t sightings, std::int64_t first_ns,
                    std::int64_t last_ns, bool timed) {
  append_raw(b, ",\"sightings\":");
  append_uint(b, sightings);
  append_raw(b, ",\"first_seen\":");
  json_time(b, first_ns, timed);
  append_raw(b, ",\"last_seen\":");
  json_time(b, last_ns, timed);
  b.push_back('}');
}

void json_ips(fmt::memory_buffer& b, const entry_ips& ips) {
  append_raw(b, ",\"ips\":[");
  for (std::size_t i = 0; i < ips.listed.size(); ++i) {
    const identity::ip_entry& x = ips.listed[i];
    append_raw(b, i == 0 ? "{\"ip\":\"" : ",{\"ip\":\"");
    append_raw(b, x.text());
    append_raw(b, "\",\"learned_from\":[");
    bool first = true;
    for (unsigned k = 0; k < static_cast<unsigned>(capture::ip_source::count_); ++k) {
      if ((x.sources & (1U << k)) == 0) continue;
      append_raw(b, first ? "\"" : ",\"");
      append_raw(b, capture::to_string(static_cast<capture::ip_source>(k)));
      b.push_back('"');
      first = false;
    }
    b.push_back(']');
    json_sightings(b, x.sightings, x.first_ns, x.last_ns, x.has_time());
  }
  append_raw(b, "],\"ip_count\":");
  append_uint(b, ips.count);
  append_raw(b, ",\"ip_sightings_not_kept\":");
  append_uint(b, ips.not_kept);
  append_raw(b, ips.router_like ? ",\"router_like\":true" : ",\"router_like\":false");
  append_raw(b, ips.dhcp_server ? ",\"dhcp_server\":true" : ",\"dhcp_server\":false");
}

void json_address(fmt::memory_buffer& b, const entry& e, vendor_fields& vendor,
                  const inventory& inv) {
  const address_stats& s = *e.stats;
  append_raw(b, "{\"address\":\"");
  std::array<char, 17> mac;
  e.mac().format(mac.data());
  b.append(mac.data(), mac.data() + mac.size());
  append_raw(b, "\",");
  append_raw(b, vendor.of(e));
  const auto field = [&](std::string_view name_and_colon, std::uint64_t v) {
    append_raw(b, name_and_colon);
    append_uint(b, v);
  };
  field(",\"frames\":", s.frames());
  field(",\"src_frames\":", s.src_frames());
  field(",\"src_bytes\":", s.src_bytes());
  field(",\"dst_frames\":", s.dst_frames());
  field(",\"dst_bytes\":", s.dst_bytes());
  field(",\"arp_frames\":", s.arp_frames());
  field(",\"tunnelled_frames\":", s.tunnelled_frames());
  append_raw(b, ",\"first_seen\":");
  json_time(b, s.first_ns(), s.has_time());
  append_raw(b, ",\"last_seen\":");
  json_time(b, s.last_ns(), s.has_time());
  append_raw(b, ",\"roles\":[");
  bool first = true;
  for (std::size_t i = 0; i < std::size(kRoleNames); ++i) {
    if ((s.roles() & (1U << i)) == 0) continue;
    append_raw(b, first ? "\"" : ",\"");
    append_raw(b, kRoleNames[i]);
    b.push_back('"');
    first = false;
  }
  append_raw(b, "],\"vlans\":");
  json_array(b, s.vlans(), [&](std::uint16_t v) { append_uint(b, v); });
  append_raw(b, ",\"link_types\":");
  json_array(b, s.link_types(), [&](std::uint16_t lt) { append_json_string(b, link_name(lt)); });
  json_ips(b, ips_of(inv, e.mac(), identity::ip_table::max_per_mac));
  append_raw(b, ",\"anomalies\":");
  json_array(b, anomalies_of(inv, e), [&](std::string_view a) { append_json_string(b, a); });
  // Names, then the tunnels that carried the address: {"kind", "name"} and {"tunnel", "via"}.
  const std::span<const identity::name_entry> names = names_of(inv, e.mac());
  for (const bool tunnels : {false, true}) {
    append_raw(b, tunnels ? ",\"tunnels\":[" : ",\"names\":[");
    bool first_name = true;
    for (const identity::name_entry& n : names) {
      if (capture::is_tunnel(n.kind) != tunnels) continue;
      append_raw(b, first_name ? "{" : ",{");
      first_name = false;
      append_raw(b, tunnels ? "\"tunnel\":\"" : "\"kind\":\"");
      append_raw(b, capture::to_string(n.kind));
      append_raw(b, tunnels ? "\",\"via\":" : "\",\"name\":");
      append_json_string(b, n.text);
      json_sightings(b, n.sightings, n.first_ns, n.last_ns, n.has_time());
    }
    b.push_back(']');
  }
  b.push_back('}');
}

}  // namespace

void detail::json_summary(fmt::memory_buffer& b, const inventory& inv) {
  auto out = std::back_inserter(b);
  const auto& t = inv.totals;
  fmt::format_to(out, "{{\"schema\":{},\"inputs\":", schema_version);
  json_array(b, inv.inputs, [&](const pipeline::input_report& r) {
    fmt::format_to(out, "{{\"name\":");
    append_json_string(b, r.name);
    fmt::format_to(out,
                   ",\"format\":\"{}\",\"compression\":\"{}\",\"size\":{},\"bytes_read\":{},"
                   "\"records\":{},\"sections\":{},\"frames\":{},\"status\":\"{}\"",
                   r.format, r.compression, r.size, r.bytes_read, r.records, r.sections,
                   r.counters.frames, input_status(r));
    if (r.range) {
      const pipeline::range_walk& w = *r.range;
      fmt::format_to(out, ",\"range\":{{\"start\":{},\"end\":", w.start);
      if (w.end == std::numeric_limits<std::uint64_t>::max()) {
        append_raw(b, "null");  // to the end
      } else {
        append_uint(b, w.end);
      }
      fmt::format_to(out,
                     ",\"from\":{},\"to\":{},\"from_section\":{},\"from_interfaces\":{},"
                     "\"to_section\":{},\"to_interfaces\":{},\"data_size\":{}}}",
                     w.from, w.to, w.from_section, w.from_interfaces, w.to_section, w.to_interfaces,
                     w.data_size);
    }
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
                tunnelled_only = 0, random = 0, unknown_vendor = 0;
  for (const entry& e : inv.entries) {
    switch (core::class_of(e.mac())) {
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
    if (e.mac().is_local()) ++local;
    if (e.vendor->cls.likely_random) ++random;
    if (e.vendor->organization.empty() && e.vendor->cls.cast == core::address_class::unicast) {
      ++unknown_vendor;
    }
    if ((e.stats->roles() & capture::frame_roles) == 0) {
      ++((e.stats->roles() & capture::tunnel_roles) != 0 ? tunnelled_only : arp_only);
    }
  }
  fmt::format_to(out,
                 ",\"distinct_addresses\":{},\"classes\":{{\"unicast\":{},\"multicast\":{},"
                 "\"broadcast\":{},\"null\":{},\"local\":{},\"likely_random\":{},"
                 "\"arp_only\":{},\"tunnelled_only\":{},\"unicast_without_vendor\":{}}},"
                 "\"database\":",
                 inv.entries.size(), unicast, multicast, broadcast, null, local, random, arp_only,
                 tunnelled_only, unknown_vendor);
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
                 "\"caplen_over_origlen\":{},\"untimed_frames\":{},\"addresses_over_cap\":{},"
                 "\"identity_dropped\":{}}}",
                 t.status[static_cast<std::size_t>(decode_status::short_frame)],
                 t.status[static_cast<std::size_t>(decode_status::short_payload)],
                 t.status[static_cast<std::size_t>(decode_status::wlan_version)],
                 t.status[static_cast<std::size_t>(decode_status::no_mac_link)],
                 t.status[static_cast<std::size_t>(decode_status::unknown_link)],
                 t.caplen_over_origlen, t.untimed_frames, t.addresses_over_cap, t.identity_dropped);
  // The identity stage's anomalies (docs/addresses.md).
  const identity_totals id = identity_totals_of(inv);
  fmt::format_to(out,
                 ",\"identity\":{{\"addresses_with_ips\":{},\"dhcp_servers\":{},"
                 "\"arp_mismatch_frames\":{},\"gratuitous_arp_frames\":{},"
                 "\"addresses_with_ip_changes\":{},\"ip_conflicts\":",
                 id.with_ips, id.dhcp_servers, t.arp_mismatch_frames, t.gratuitous_arp_frames,
                 inv.anomalies.changed.size());
  json_array(b, inv.anomalies.conflicts, [&](const identity::ip_conflict& c) {
    append_raw(b, "{\"ip\":");
    append_json_string(b, identity::ip_text(c.ip.data(), false));
    append_raw(b, ",\"claimed_by\":");
    json_array(b, c.claims, [&](const identity::ip_claim& k) {
      append_raw(b, "{\"address\":");
      append_json_string(b, k.mac.to_string());
      const bool known = k.first_ns != std::numeric_limits<std::int64_t>::max();
      append_raw(b, ",\"first_seen\":");
      json_time(b, k.first_ns, known);
      append_raw(b, ",\"last_seen\":");
      json_time(b, k.last_ns, known);
      b.push_back('}');
    });
    b.push_back('}');
  });
  b.push_back('}');
  if (inv.merged_results == 0) {
    append_raw(b, ",\"merge\":null");
  } else {
    fmt::format_to(out, ",\"merge\":{{\"results\":{},\"problems\":", inv.merged_results);
    json_array(b, inv.merge_problems, [&](const std::string& p) { append_json_string(b, p); });
    fmt::format_to(out, ",\"ranges_walked_again\":{}}}", inv.merge_rewalked);
  }
  const stage_times st = stages(inv);
  fmt::format_to(out,
                 ",\"frames_with_vlan\":{},\"frames_with_tunnel\":{},\"seconds\":{:.3f},\"stages\":"
                 "{{\"cut_s\":{:.3f},"
                 "\"extract_cpu_s\":{:.3f},\"merge_s\":{:.3f},\"lookup_s\":{:.3f}}},"
                 "\"throughput\":{{\"bytes_per_s\":{:.0f},\"frames_per_s\":{:.0f}}},"
                 "\"memory\":{{\"table_bytes\":{},\"rss_anon_bytes\":{}}}}}",
                 t.frames_with_vlan, t.frames_with_tunnel, inv.seconds, st.cut, st.extract,
                 st.merge, inv.lookup_seconds, st.bytes_per_s, st.frames_per_s, inv.table_bytes,
                 inv.rss_anon_bytes);
}

// Renders entries [from, to) of the address list, each after its separator.
void json_addresses(fmt::memory_buffer& b, std::span<const entry> entries, std::size_t from,
                    std::size_t to, bool lines, const inventory& inv) {
  vendor_fields vendor;
  for (std::size_t i = from; i < to; ++i) {
    // Busiest first, the records lie all over the table: ask for a later one's line ahead.
    if (i + 8 < to) __builtin_prefetch(entries[i + 8].stats);
    if (lines) {
      append_raw(b, "{\"type\":\"address\",\"data\":");
    } else {
      append_raw(b, i == 0 ? "\n" : ",\n");
    }
    json_address(b, entries[i], vendor, inv);
    if (lines) append_raw(b, "}\n");
  }
}

bool detail::write_json(std::FILE* out, const inventory& inv, bool lines) {
  fmt::memory_buffer b;
  if (!lines) fmt::format_to(std::back_inserter(b), "{{\"addresses\":[");
  if (!flush(out, b)) return false;
  // Rendering is most of a report's time: blocks of addresses are rendered in parallel (on the
  // threads of the arena the caller runs in), a wave of blocks at a time, and written in order.
  const std::span<const entry> entries = shown(inv);
  constexpr std::size_t block = 256;
  constexpr std::size_t wave = 4;
  std::array<fmt::memory_buffer, wave> parts;
  for (std::size_t at = 0; at < entries.size(); at += block * wave) {
    const std::size_t blocks = std::min(wave, (entries.size() - at + block - 1) / block);
    tbb::parallel_for(std::size_t{0}, blocks, [&](std::size_t k) {
      const std::size_t from = at + k * block;
      json_addresses(parts[k], entries, from, std::min(from + block, entries.size()), lines, inv);
    });
    for (std::size_t k = 0; k < blocks; ++k) {
      if (!flush(out, parts[k])) return false;
    }
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

std::string summary_json(const inventory& inv) {
  fmt::memory_buffer b;
  json_summary(b, inv);
  return fmt::to_string(b);
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
  append_raw(b, ",\"vendor_short\":");
  str_or_null(vendors::short_organization(v));
  if (v.organization.empty()) {
    append_raw(b, ",\"vendor_source\":null");
  } else {
    if (v.source.empty()) {
      append_raw(b, ",\"vendor_source\":\"ieee-registry\"");
    } else {
      append_raw(b, ",\"vendor_source\":");
      append_json_string(b, v.source);
      if (v.source_time != 0) {
        append_raw(b, ",\"vendor_fetched\":");
        append_json_time(b, v.source_time * 1'000'000'000);
      }
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
  str_or_null(vendors::registry_name(v));
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
