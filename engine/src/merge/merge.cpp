#include "ouiscan/merge/merge.h"

#include <arpa/inet.h>
#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <functional>
#include <map>
#include <unordered_map>

#include "ouiscan/capture/link_type.h"
#include "ouiscan/merge/result_text.h"
#include "ouiscan/report/inventory.h"
#include "ouiscan/text/json.h"
#include "ouiscan/text/time.h"

namespace ouiscan::merge {
namespace {

using simdjson::SUCCESS;
using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::object;

constexpr std::int64_t untimed_first = std::numeric_limits<std::int64_t>::max();
constexpr std::int64_t untimed_last = std::numeric_limits<std::int64_t>::min();

std::optional<core::failure> fail(std::string why) { return core::failure{std::move(why)}; }

std::uint64_t u64(element e, std::string_view key) {
  std::uint64_t v = 0;
  return e[key].get(v) == SUCCESS ? v : 0;
}
std::string_view str(element e, std::string_view key) {
  std::string_view v;
  return e[key].get(v) == SUCCESS ? v : std::string_view{};
}
// A time field: the nanoseconds, or `none` for null (untimed) or a missing field.
std::int64_t time_of(element e, std::string_view key, std::int64_t none) {
  std::string_view text;
  if (e[key].get(text) != SUCCESS) return none;
  return text::parse_time(text).value_or(none);
}

// Names as the JSON writes them, back to their codes.
template <typename Enum, typename Name>
std::optional<Enum> enum_named(std::string_view name, unsigned count, Name&& name_of) {
  for (unsigned k = 0; k < count; ++k) {
    if (name == name_of(static_cast<Enum>(k))) return static_cast<Enum>(k);
  }
  return std::nullopt;
}
std::optional<std::uint16_t> link_type_named(std::string_view name) {
  static const std::unordered_map<std::string, std::uint16_t> named = [] {
    std::unordered_map<std::string, std::uint16_t> m;
    for (unsigned lt = 0; lt <= 0xFFFF; ++lt) {
      const auto info = capture::link_info_of(static_cast<std::uint16_t>(lt));
      if (!info.name.empty()) m.emplace(std::string(info.name), static_cast<std::uint16_t>(lt));
    }
    return m;
  }();
  if (const auto it = named.find(std::string(name)); it != named.end()) return it->second;
  std::uint16_t lt = 0;
  if (name.starts_with("LINKTYPE_")) {
    const auto digits = name.substr(9);
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), lt);
    if (ec == std::errc{} && end == digits.data() + digits.size()) return lt;
  }
  return std::nullopt;
}
std::optional<core::errc> errc_named(std::string_view name) {
  return enum_named<core::errc>(name, static_cast<unsigned>(core::errc::needs_index) + 1,
                                [](core::errc c) { return std::string_view(core::name(c)); });
}

std::optional<core::failure> read_address(element r, scan::found& into) {
  const auto mac = core::mac_address::parse(str(r, "address"));
  if (!mac) return fail(fmt::format("\"{}\" is not a MAC address", str(r, "address")));
  pipeline::address_stats::saved s;
  s.frames = u64(r, "frames");
  s.src_frames = u64(r, "src_frames");
  s.src_bytes = u64(r, "src_bytes");
  s.dst_frames = u64(r, "dst_frames");
  s.dst_bytes = u64(r, "dst_bytes");
  s.arp_frames = u64(r, "arp_frames");
  s.tunnelled_frames = u64(r, "tunnelled_frames");
  s.first_ns = time_of(r, "first_seen", untimed_first);
  s.last_ns = time_of(r, "last_seen", untimed_last);
  array list;
  if (r["roles"].get(list) == SUCCESS) {
    for (element role : list) {
      std::string_view name;
      if (role.get(name) != SUCCESS) continue;
      for (unsigned bit = 0; bit < capture::role_count; ++bit) {
        const auto names = report::role_names(static_cast<std::uint16_t>(1U << bit));
        if (!names.empty() && names.front() == name)
          s.roles |= static_cast<std::uint16_t>(1U << bit);
      }
    }
  }
  if (r["anomalies"].get(list) == SUCCESS) {
    for (element a : list) {
      std::string_view name;
      if (a.get(name) != SUCCESS) continue;
      if (name == "arp_mismatch") s.roles |= capture::flag_arp_mismatch;
      if (name == "gratuitous_arp") s.roles |= capture::flag_gratuitous_arp;
    }
  }
  if (r["vlans"].get(list) == SUCCESS) {
    for (element v : list) {
      std::uint64_t id = 0;
      if (v.get(id) == SUCCESS && id < pipeline::vlan_id_count) {
        s.vlans.push_back(static_cast<std::uint16_t>(id));
      }
    }
  }
  if (r["link_types"].get(list) == SUCCESS) {
    for (element l : list) {
      std::string_view name;
      if (l.get(name) != SUCCESS) continue;
      const auto lt = link_type_named(name);
      if (!lt) return fail(fmt::format("\"{}\" is not a link type", name));
      s.link_types.push_back(*lt);
    }
  }
  into.addresses.upsert(*mac).restore(s);

  if (r["ips"].get(list) == SUCCESS) {
    for (element ip : list) {
      identity::ip_entry e;
      const std::string text(str(ip, "ip"));
      e.v6 = text.find(':') != std::string::npos;
      if (::inet_pton(e.v6 ? AF_INET6 : AF_INET, text.c_str(), e.ip.data()) != 1) {
        return fail(fmt::format("\"{}\" is not an IP address", text));
      }
      array from;
      if (ip["learned_from"].get(from) == SUCCESS) {
        for (element f : from) {
          std::string_view name;
          if (f.get(name) != SUCCESS) continue;
          const auto source = enum_named<capture::ip_source>(
              name, static_cast<unsigned>(capture::ip_source::count_),
              [](capture::ip_source k) { return std::string_view(capture::to_string(k)); });
          if (source) e.sources |= static_cast<std::uint16_t>(1U << static_cast<unsigned>(*source));
        }
      }
      e.sightings = u64(ip, "sightings");
      e.first_ns = time_of(ip, "first_seen", untimed_first);
      e.last_ns = time_of(ip, "last_seen", untimed_last);
      into.ips.restore(*mac, e);
    }
  }
  into.ips.restore_overflow(*mac, u64(r, "ip_sightings_not_kept"));
  for (const auto& [field, kind_key, text_key] :
       {std::tuple{"names", "kind", "name"}, std::tuple{"tunnels", "tunnel", "via"}}) {
    if (r[field].get(list) != SUCCESS) continue;
    for (element n : list) {
      const auto kind = enum_named<capture::name_kind>(
          str(n, kind_key), static_cast<unsigned>(capture::name_kind::count_),
          [](capture::name_kind k) { return std::string_view(capture::to_string(k)); });
      if (!kind) return fail(fmt::format("\"{}\" is not a kind of name", str(n, kind_key)));
      identity::name_entry e;
      e.kind = *kind;
      // Results can come from anywhere: their names are made safe again (a no-op on a name
      // ouiscan wrote, which was cleaned when it was taken from the packet).
      e.text = text::clean_name(str(n, text_key));
      e.sightings = u64(n, "sightings");
      e.first_ns = time_of(n, "first_seen", untimed_first);
      e.last_ns = time_of(n, "last_seen", untimed_last);
      into.names.restore(*mac, std::move(e));
    }
  }
  return std::nullopt;
}

pipeline::input_report read_input(element i) {
  pipeline::input_report r;
  r.name = text::clean_name(str(i, "name"));
  r.format = std::string(str(i, "format"));
  r.compression = std::string(str(i, "compression"));
  r.size = u64(i, "size");
  r.bytes_read = u64(i, "bytes_read");
  r.records = u64(i, "records");
  r.sections = static_cast<std::uint32_t>(u64(i, "sections"));
  r.counters.frames = u64(i, "frames");
  element e;
  if (i["error"].get(e) == SUCCESS) {
    r.error = core::error{errc_named(str(e, "code")).value_or(core::errc::bad_header),
                          u64(e, "offset"), u64(e, "record"), 0};
  }
  array skipped;
  if (i["skipped"].get(skipped) == SUCCESS) {
    for (element k : skipped) {
      r.skipped.push_back({u64(k, "offset"), u64(k, "bytes"),
                           core::error{errc_named(str(k, "code")).value_or(core::errc::bad_header),
                                       u64(k, "offset"), u64(k, "record"), 0}});
    }
  }
  element range;
  if (i["range"].get(range) == SUCCESS) {
    pipeline::range_walk w;
    w.start = u64(range, "start");
    std::uint64_t end = 0;
    w.end = range["end"].get(end) == SUCCESS ? end : std::numeric_limits<std::uint64_t>::max();
    w.from = u64(range, "from");
    w.to = u64(range, "to");
    w.from_section = static_cast<std::uint32_t>(u64(range, "from_section"));
    w.from_interfaces = static_cast<std::uint32_t>(u64(range, "from_interfaces"));
    w.to_section = static_cast<std::uint32_t>(u64(range, "to_section"));
    w.to_interfaces = static_cast<std::uint32_t>(u64(range, "to_interfaces"));
    w.data_size = u64(range, "data_size");
    r.range = w;
  }
  return r;
}

pipeline::frame_counters read_totals(element s) {
  pipeline::frame_counters t;
  t.frames = u64(s, "frames");
  t.wire_bytes = u64(s, "wire_bytes");
  t.captured_bytes = u64(s, "captured_bytes");
  t.first_ns = time_of(s, "first_seen", pipeline::address_stats::never);
  t.last_ns = time_of(s, "last_seen", untimed_last);
  t.frames_with_vlan = u64(s, "frames_with_vlan");
  t.frames_with_tunnel = u64(s, "frames_with_tunnel");
  element e;
  if (s["filter"].get(e) == SUCCESS && !e.is_null()) t.filtered_out = u64(e, "dropped");
  if (s["anomalies"].get(e) == SUCCESS) {
    using capture::decode_status;
    const auto status = [&](decode_status d) -> std::uint64_t& {
      return t.status[static_cast<std::size_t>(d)];
    };
    status(decode_status::short_frame) = u64(e, "short_frame");
    status(decode_status::short_payload) = u64(e, "short_payload");
    status(decode_status::wlan_version) = u64(e, "wlan_unknown_version");
    status(decode_status::no_mac_link) = u64(e, "no_mac_link_frames");
    status(decode_status::unknown_link) = u64(e, "unknown_link_frames");
    t.caplen_over_origlen = u64(e, "caplen_over_origlen");
    t.untimed_frames = u64(e, "untimed_frames");
    t.addresses_over_cap = u64(e, "addresses_over_cap");
    t.identity_dropped = u64(e, "identity_dropped");
  }
  if (s["identity"].get(e) == SUCCESS) {
    t.arp_mismatch_frames = u64(e, "arp_mismatch_frames");
    t.gratuitous_arp_frames = u64(e, "gratuitous_arp_frames");
  }
  array links;
  if (s["link_types"].get(links) == SUCCESS) {
    for (element l : links) {
      t.links.push_back(
          {static_cast<std::uint16_t>(u64(l, "link_type")), u64(l, "frames"), u64(l, "bytes")});
    }
  }
  return t;
}

std::uint32_t snapshot_of(element s) {
  element db;
  if (s["database"].get(db) != SUCCESS || db.is_null()) return 0;
  const std::string_view date = str(db, "snapshot");  // YYYY-MM-DD
  std::uint32_t v = 0;
  for (const char c : date) {
    if (c >= '0' && c <= '9') v = v * 10 + static_cast<std::uint32_t>(c - '0');
  }
  return v;
}

std::string snapshot_text(std::uint32_t d) {
  return fmt::format("{:04}-{:02}-{:02}", d / 10000, d / 100 % 100, d % 100);
}

// Ranges of one capture, in order of their starts, joined into one input's report.
pipeline::input_report join_ranges(std::vector<pipeline::input_report> parts,
                                   std::vector<std::string>& problems) {
  std::stable_sort(parts.begin(), parts.end(),
                   [](const auto& a, const auto& b) { return a.range->start < b.range->start; });
  pipeline::input_report out;
  out.name = parts.front().name;
  out.compression = parts.front().compression;
  out.size = parts.front().size;
  std::uint64_t expected = 0;  // where the next range's walk must begin
  std::uint32_t section = 0, interfaces = 0;
  const auto gap = [&](std::uint64_t at, std::string why) {
    problems.push_back(fmt::format("{}: {}", out.name, why));
    if (!out.error) out.error = core::error{core::errc::range_gap, at, out.records + 1, 0};
  };
  for (pipeline::input_report& r : parts) {
    const pipeline::range_walk& w = *r.range;
    if (out.format.empty()) out.format = r.format;
    // A range in which no record starts (a record of the previous one crosses it whole) says
    // nothing of the chain; a range that missed its first record shows in the next one's start.
    const bool empty = w.from == w.to;
    if (!empty && w.from != expected) {
      gap(std::min(expected, w.from),
          w.from > expected ? fmt::format("bytes {} to {} are in no range", expected, w.from)
                            : fmt::format("the range starting at byte {} overlaps bytes {} to "
                                          "{} of an earlier one",
                                          w.start, w.from, expected));
    } else if (!empty && (w.from_section != section || w.from_interfaces != interfaces)) {
      gap(w.from, fmt::format("the range starting at byte {} began in section {} with {} "
                              "interfaces, the previous one ended in section {} with {}",
                              w.start, w.from_section, w.from_interfaces, section, interfaces));
    }
    if (r.error && !out.error) {
      out.error = r.error;
      out.error->record += out.records;
    }
    for (pipeline::skipped_range k : r.skipped) {
      k.cause.record += out.records;
      out.skipped.push_back(k);
    }
    out.records += r.records;
    out.bytes_read += r.bytes_read;
    out.sections = std::max(out.sections, r.sections);
    out.counters.frames += r.counters.frames;
    if (!empty) {
      expected = std::max(expected, w.to);
      section = w.to_section;
      interfaces = w.to_interfaces;
    }
  }
  const pipeline::range_walk& last = *parts.back().range;
  const std::uint64_t data_end = last.data_size != 0 ? last.data_size : out.size;
  if (expected < data_end && !out.error) {
    // No range found a record from `expected` to the end, and every range after it was empty:
    // the bytes there are less than a record, as a whole scan reads a capture cut short.
    if (last.end >= data_end && last.from == last.to && last.start <= data_end) {
      out.error = core::error{core::errc::truncated_file, expected, out.records + 1, 0};
    } else {
      gap(expected, fmt::format("bytes {} to {} are in no range", expected, data_end));
    }
  }
  if (parts.front().range->start != 0 || last.end < data_end) {
    pipeline::range_walk w = last;
    w.start = parts.front().range->start;
    w.from = parts.front().range->from;
    out.range = w;  // still a part of the capture
  }
  return out;
}

}  // namespace

std::optional<core::failure> walk_result(std::string_view json, const element_visitor& on_address,
                                         const element_visitor& on_summary) {
  simdjson::dom::parser parser;
  const simdjson::padded_string padded(json);
  element doc;
  if (parser.parse(padded).get(doc) == SUCCESS) {
    array addresses;
    if (doc["addresses"].get(addresses) != SUCCESS) {
      return fail("not an ouiscan JSON result: no \"addresses\" array");
    }
    element summary;
    if (doc["summary"].get(summary) == SUCCESS) {
      if (auto e = on_summary(summary)) return e;
    }
    for (element r : addresses) {
      if (auto e = on_address(r)) return e;
    }
    return std::nullopt;
  }
  // JSON lines (-f jsonl): {"type":"address","data":{...}} per line, then the summary. The
  // summary comes first to the visitors, so the lines are walked twice.
  for (const bool addresses : {false, true}) {
    simdjson::dom::document_stream lines;
    if (parser.parse_many(padded).get(lines) != SUCCESS) return fail("not JSON");
    for (auto line : lines) {
      element e;
      if (line.get(e) != SUCCESS) return fail("not JSON or JSON lines");
      std::string_view type;
      element data;
      if (e["type"].get(type) != SUCCESS || e["data"].get(data) != SUCCESS) {
        return fail("not an ouiscan JSON lines result: a line has no \"type\" and \"data\"");
      }
      if (type == (addresses ? "address" : "summary")) {
        if (auto err = (addresses ? on_address : on_summary)(data)) return err;
      }
    }
  }
  return std::nullopt;
}

core::result<std::monostate, core::failure> merger::add(std::string_view json,
                                                        const std::string& name) {
  scan::found part;
  bool summary_seen = false;
  std::uint32_t snapshot = 0;
  std::string filter;
  std::int64_t since = std::numeric_limits<std::int64_t>::min();
  std::int64_t until = std::numeric_limits<std::int64_t>::max();
  const auto on_summary = [&](element s) -> std::optional<core::failure> {
    std::uint64_t schema = 0;
    if (s["schema"].get(schema) != SUCCESS) {
      return fail("a result without a schema version (written before ouiscan merge existed)");
    }
    if (schema != report::schema_version) {
      return fail(fmt::format("a result of schema {}, not {} (another ouiscan version)", schema,
                              report::schema_version));
    }
    summary_seen = true;
    array inputs;
    if (s["inputs"].get(inputs) == SUCCESS) {
      for (element i : inputs) part.inputs.push_back(read_input(i));
    }
    part.totals = read_totals(s);
    snapshot = snapshot_of(s);
    element f;
    if (s["filter"].get(f) == SUCCESS && !f.is_null()) {
      filter = std::string(str(f, "expression"));
      since = time_of(f, "since", since);
      until = time_of(f, "until", until);
    }
    return std::nullopt;
  };
  const auto on_address = [&](element r) -> std::optional<core::failure> {
    if (!summary_seen) return fail("a result without its summary");
    return read_address(r, part);
  };
  if (auto e = walk_result(json, on_address, on_summary)) {
    return core::failure{fmt::format("{}: {}", name, e->message)};
  }
  if (!summary_seen) return core::failure{fmt::format("{}: a result without its summary", name)};

  if (results_ == 0) {
    filter_ = filter;
    since_ns_ = since;
    until_ns_ = until;
  } else if (filter != filter_ || since != since_ns_ || until != until_ns_) {
    problems_.push_back(
        fmt::format("{}: scanned with another filter or time window than the first result (\"{}\")",
                    name, filter_));
  }
  if (snapshot != 0 &&
      std::find(snapshots_.begin(), snapshots_.end(), snapshot) == snapshots_.end()) {
    snapshots_.push_back(snapshot);
    if (snapshots_.size() == 2) {
      problems_.push_back(fmt::format("{}: named with database snapshot {}, another result with {}",
                                      name, snapshot_text(snapshot), snapshot_text(snapshots_[0])));
    }
  }
  ++results_;
  parts_.push_back(std::move(part));
  return std::monostate{};
}

void merger::repair(const rescanner& rescan) {
  // The results of one range each, by capture, in order of their starts.
  std::map<std::pair<std::string, std::uint64_t>, std::vector<std::size_t>> chains;
  for (std::size_t i = 0; i < parts_.size(); ++i) {
    const auto& in = parts_[i].inputs;
    if (in.size() == 1 && in[0].range) chains[{in[0].name, in[0].size}].push_back(i);
  }
  for (auto& [key, chain] : chains) {
    std::stable_sort(chain.begin(), chain.end(), [&](std::size_t a, std::size_t b) {
      return parts_[a].inputs[0].range->start < parts_[b].inputs[0].range->start;
    });
    std::uint64_t expected = 0;
    for (const std::size_t i : chain) {
      const pipeline::range_walk w = *parts_[i].inputs[0].range;
      // A record starts at `expected` inside this range, but the range began elsewhere (or
      // found none: records that break the plausibility rules).
      const std::uint64_t end = std::min(w.end, w.data_size != 0 ? w.data_size : w.end);
      if (w.from != expected && w.start <= expected && expected < end) {
        auto again = rescan(parts_[i].inputs[0], expected, w.end);
        if (again && again->inputs.size() == 1 && again->inputs[0].range &&
            again->inputs[0].range->from == expected) {
          again->inputs[0].range->start = w.start;  // the range as asked, walked from `expected`
          parts_[i] = std::move(*again);
          ++rewalked_;
        }
      }
      const pipeline::range_walk& now = *parts_[i].inputs[0].range;
      if (now.from != now.to) expected = std::max(expected, now.to);
    }
  }
}

scan::found merger::take(const rescanner& rescan) {
  if (rescan) repair(rescan);
  scan::found out;
  out.totals.emplace();
  // Ranges of one capture are joined; a range given twice (a retried work item) counts once.
  std::map<std::pair<std::string, std::uint64_t>, std::vector<pipeline::input_report>> ranges;
  std::vector<std::pair<std::string, std::uint64_t>> order;  // of the inputs, first seen first
  std::vector<pipeline::input_report> whole;
  std::vector<std::size_t> whole_at;  // where each whole input goes among the ranged ones
  std::map<std::tuple<std::string, std::uint64_t, std::uint64_t, std::uint64_t>, bool> seen;
  for (scan::found& part : parts_) {
    bool repeated = false;
    for (const pipeline::input_report& r : part.inputs) {
      if (!r.range) continue;
      const auto key = std::tuple(r.name, r.size, r.range->start, r.range->end);
      if (seen.contains(key)) repeated = true;
      seen[key] = true;
    }
    if (repeated && part.inputs.size() == 1) {
      problems_.push_back(fmt::format("{}: bytes {} to {} given twice; counted once",
                                      part.inputs[0].name, part.inputs[0].range->start,
                                      part.inputs[0].range->to));
      continue;
    }
    if (part.totals) {
      out.totals->merge(*part.totals);
    } else {  // walked again here: a scan's totals are its inputs' counters
      for (const pipeline::input_report& r : part.inputs) out.totals->merge(r.counters);
    }
    for (pipeline::input_report& r : part.inputs) {
      if (r.range) {
        const auto key = std::pair(r.name, r.size);
        if (!ranges.contains(key)) order.push_back(key);
        ranges[key].push_back(std::move(r));
      } else {
        whole_at.push_back(order.size());
        order.emplace_back();  // a placeholder, filled from `whole`
        whole.push_back(std::move(r));
      }
    }
    out.addresses.merge(std::move(part.addresses));
    out.ips.merge(part.ips);
    out.names.merge(part.names);
  }
  std::size_t next_whole = 0;
  for (std::size_t i = 0; i < order.size(); ++i) {
    if (next_whole < whole_at.size() && whole_at[next_whole] == i) {
      out.inputs.push_back(std::move(whole[next_whole++]));
    } else {
      out.inputs.push_back(join_ranges(std::move(ranges[order[i]]), problems_));
    }
  }
  parts_.clear();
  return out;
}

merger::rescanner rescan_with(std::function<scan::request()> base) {
  return [base = std::move(base)](const pipeline::input_report& input, std::uint64_t from,
                                  std::uint64_t end) -> core::result<scan::found, core::failure> {
    scan::request again = base();
    again.inputs = {input.name};
    again.range.emplace();
    again.range->start = from;
    again.range->end = end;
    again.range->exact = true;
    scan::observer unheard;
    auto f = scan::collect(again, unheard);
    if (!f) return core::failure{f.error().message};
    return std::move(*f);
  };
}

}  // namespace ouiscan::merge
