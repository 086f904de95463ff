#include "ouiscan/identity/name_table.h"

#include <fmt/format.h>

#include <algorithm>
#include <string_view>

#include "ouiscan/text/json.h"

namespace ouiscan::identity {

std::string name_text(capture::name_kind kind, core::bytes value) {
  const std::string_view raw(reinterpret_cast<const char*>(value.data()), value.size());
  if (kind == capture::name_kind::dhcp_parameter_list) {
    std::string out;
    for (const std::byte b : value) {
      if (!out.empty()) out += ',';
      out += std::to_string(std::to_integer<unsigned>(b));
    }
    return out;
  }
  if (kind == capture::name_kind::dhcp_fqdn_wire) {
    // Length-prefixed labels (RFC 1035 3.1), the root label last; a label running past the
    // option ends the name.
    std::string out;
    for (std::size_t i = 0; i < raw.size();) {
      const std::size_t len = static_cast<unsigned char>(raw[i]);
      if (len == 0 || len > 63 || i + 1 + len > raw.size()) break;
      if (!out.empty()) out += '.';
      out += text::clean_name(raw.substr(i + 1, len));
      i += 1 + len;
    }
    return out;
  }
  return text::clean_name(raw);
}

void name_table::add(per_mac& m, name_entry e) {
  for (name_entry& x : m.names) {
    if (x.kind == e.kind && x.text == e.text) {
      x.sightings += e.sightings;
      x.first_ns = std::min(x.first_ns, e.first_ns);
      x.last_ns = std::max(x.last_ns, e.last_ns);
      return;
    }
  }
  if (m.names.size() >= max_per_mac) {
    m.not_kept += e.sightings;
    return;
  }
  m.names.push_back(std::move(e));
}

void name_table::record(const capture::name_hit& hit, std::int64_t ts_ns) {
  name_entry e;
  // The two spellings of an FQDN are one kind of name.
  e.kind =
      hit.kind == capture::name_kind::dhcp_fqdn_wire ? capture::name_kind::dhcp_fqdn : hit.kind;
  e.text = name_text(hit.kind, hit.value);
  if (e.text.empty()) return;
  e.sightings = 1;
  if (ts_ns != std::numeric_limits<std::int64_t>::min()) e.first_ns = e.last_ns = ts_ns;
  add(by_mac_[hit.mac.value()], std::move(e));
}

void name_table::merge(const name_table& o) {
  for (const auto& [mac, theirs] : o.by_mac_) {
    per_mac& mine = by_mac_[mac];
    mine.not_kept += theirs.not_kept;
    for (const name_entry& e : theirs.names) add(mine, e);
  }
}

std::vector<name_entry> name_table::of(core::mac_address mac) const {
  const auto it = by_mac_.find(mac.value());
  if (it == by_mac_.end()) return {};
  std::vector<name_entry> out = it->second.names;
  std::sort(out.begin(), out.end(), [](const name_entry& a, const name_entry& b) {
    if (a.kind != b.kind) return a.kind < b.kind;
    if (a.first_ns != b.first_ns) return a.first_ns < b.first_ns;
    return a.text < b.text;
  });
  return out;
}

}  // namespace ouiscan::identity
