#include "ouiscan/diff/diff.h"

#include <fmt/format.h>
#include <simdjson.h>

#include <algorithm>
#include <iterator>

#include "ouiscan/merge/result_text.h"
#include "ouiscan/scan/scan.h"
#include "ouiscan/text/json.h"

namespace ouiscan::diff {
namespace {

using simdjson::dom::element;

std::string name_key(std::string_view kind, std::string_view name) {
  std::string out(kind);
  out += '=';
  out += name;
  return out;
}

// One address record of an ouiscan JSON result.
core::result<std::pair<std::uint64_t, device>, core::failure> read_record(element r) {
  std::string_view address;
  if (r["address"].get(address) != simdjson::SUCCESS) {
    return core::failure{"an address record has no \"address\""};
  }
  const auto mac = core::mac_address::parse(address);
  if (!mac) return core::failure{fmt::format("\"{}\" is not a MAC address", address)};
  device d;
  std::string_view vendor;
  if (r["vendor"].get(vendor) == simdjson::SUCCESS) d.vendor = std::string(vendor);
  simdjson::dom::array list;
  if (r["ips"].get(list) == simdjson::SUCCESS) {
    for (element ip : list) {
      std::string_view text;
      if (ip["ip"].get(text) == simdjson::SUCCESS) d.ips.emplace(text);
    }
  }
  if (r["names"].get(list) == simdjson::SUCCESS) {
    for (element n : list) {
      std::string_view kind, name;
      if (n["kind"].get(kind) == simdjson::SUCCESS && n["name"].get(name) == simdjson::SUCCESS) {
        d.names.insert(name_key(kind, name));
      }
    }
  }
  return std::pair(mac->value(), std::move(d));
}

std::vector<std::string> minus(const std::set<std::string>& a, const std::set<std::string>& b) {
  std::vector<std::string> out;
  std::set_difference(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out));
  return out;
}

void json_strings(fmt::memory_buffer& b, const std::vector<std::string>& v) {
  b.push_back('[');
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (i > 0) b.push_back(',');
    text::append_json_string(b, v[i]);
  }
  b.push_back(']');
}
void json_strings(fmt::memory_buffer& b, const std::set<std::string>& s) {
  json_strings(b, std::vector<std::string>(s.begin(), s.end()));
}

void json_device(fmt::memory_buffer& b, std::string_view change, core::mac_address mac,
                 const device& d) {
  fmt::format_to(std::back_inserter(b),
                 "{{\"change\":\"{}\",\"address\":\"{}\",\"vendor\":", change, mac.to_string());
  if (d.vendor.empty()) {
    text::append_raw(b, "null");
  } else {
    text::append_json_string(b, d.vendor);
  }
  text::append_raw(b, ",\"ips\":");
  json_strings(b, d.ips);
  text::append_raw(b, ",\"names\":");
  json_strings(b, d.names);
  b.push_back('}');
}

void json_change(fmt::memory_buffer& b, const change& c) {
  fmt::format_to(std::back_inserter(b), "{{\"change\":\"changed\",\"address\":\"{}\"",
                 c.mac.to_string());
  if (c.old_vendor != c.new_vendor) {
    for (const auto& [key, v] :
         {std::pair("old_vendor", &c.old_vendor), std::pair("new_vendor", &c.new_vendor)}) {
      fmt::format_to(std::back_inserter(b), ",\"{}\":", key);
      if (v->empty()) {
        text::append_raw(b, "null");
      } else {
        text::append_json_string(b, *v);
      }
    }
  }
  for (const auto& [key, v] :
       {std::pair("ips_added", &c.ips_added), std::pair("ips_removed", &c.ips_removed),
        std::pair("names_added", &c.names_added), std::pair("names_removed", &c.names_removed)}) {
    fmt::format_to(std::back_inserter(b), ",\"{}\":", key);
    json_strings(b, *v);
  }
  b.push_back('}');
}

// Text from a file may hold anything: shown on a terminal, controls are escaped.
std::string shown(std::string_view s) { return text::clean_name(s); }
std::string shown_list(const std::vector<std::string>& v, char sign) {
  std::string out;
  for (const std::string& s : v) {
    if (!out.empty()) out += ' ';
    out += sign;
    out += shown(s);
  }
  return out;
}

void table_device(fmt::memory_buffer& b, std::string_view what, core::mac_address mac,
                  const device& d) {
  fmt::format_to(std::back_inserter(b), "{:<8} {}  {}", what, mac.to_string(),
                 d.vendor.empty() ? "(unknown vendor)" : shown(d.vendor));
  for (const std::string& ip : d.ips) fmt::format_to(std::back_inserter(b), "  {}", shown(ip));
  for (const std::string& n : d.names) fmt::format_to(std::back_inserter(b), "  {}", shown(n));
  b.push_back('\n');
}

std::string csv_field(std::string_view s) {
  if (s.find_first_of(",\"\n\r") == std::string_view::npos) return shown(s);
  std::string out = "\"";
  for (const char c : shown(s)) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

}  // namespace

core::result<snapshot, core::failure> read_inventory(std::string_view json) {
  snapshot out;
  const auto add = [&](element record) -> std::optional<core::failure> {
    auto r = read_record(record);
    if (!r) return r.error();
    out.insert_or_assign(r->first, std::move(r->second));
    return std::nullopt;
  };
  const auto ignore = [](element) -> std::optional<core::failure> { return std::nullopt; };
  if (auto e = merge::walk_result(json, add, ignore)) return *e;
  return out;
}

core::result<snapshot, core::failure> read_inventory_file(const std::string& path) {
  scan::result_texts texts(s3::overrides{});
  auto text = texts.read(path);
  if (!text) return text.error();
  auto s = read_inventory(*text);
  if (!s) return core::failure{fmt::format("{}: {}", path, s.error().message)};
  return s;
}

snapshot of(const report::inventory& inv) {
  snapshot out;
  for (const report::entry& e : inv.entries) {
    device d;
    d.vendor = e.vendor->organization;
    for (const identity::ip_entry& ip : report::ips_of(inv, e.mac()).listed)
      d.ips.insert(ip.text());
    for (const identity::name_entry& n : report::names_of(inv, e.mac())) {
      if (!capture::is_tunnel(n.kind)) d.names.insert(name_key(capture::to_string(n.kind), n.text));
    }
    out.emplace(e.mac().value(), std::move(d));
  }
  return out;
}

changes compare(const snapshot& before, const snapshot& after) {
  changes c;
  for (const auto& [mac, d] : before) {
    const auto it = after.find(mac);
    if (it == after.end()) {
      c.removed.emplace_back(core::mac_address(mac), d);
      continue;
    }
    const device& now = it->second;
    change x{core::mac_address(mac),
             d.vendor,
             now.vendor,
             minus(now.ips, d.ips),
             minus(d.ips, now.ips),
             minus(now.names, d.names),
             minus(d.names, now.names)};
    if (x.old_vendor == x.new_vendor && x.ips_added.empty() && x.ips_removed.empty() &&
        x.names_added.empty() && x.names_removed.empty()) {
      ++c.unchanged;
    } else {
      c.changed.push_back(std::move(x));
    }
  }
  for (const auto& [mac, d] : after) {
    if (!before.contains(mac)) c.added.emplace_back(core::mac_address(mac), d);
  }
  return c;
}

bool write(std::FILE* out, const changes& c, report::format f) {
  fmt::memory_buffer b;
  auto o = std::back_inserter(b);
  switch (f) {
    case report::format::json:
    case report::format::jsonl: {
      const bool lines = f == report::format::jsonl;
      if (!lines) text::append_raw(b, "{\"changes\":[");
      bool first = true;
      const auto next = [&] {
        if (!lines && !first) b.push_back(',');
        first = false;
      };
      const auto end = [&] {
        if (lines) b.push_back('\n');
      };
      for (const auto& [mac, d] : c.added) {
        next();
        json_device(b, "new", mac, d);
        end();
      }
      for (const auto& [mac, d] : c.removed) {
        next();
        json_device(b, "gone", mac, d);
        end();
      }
      for (const change& x : c.changed) {
        next();
        json_change(b, x);
        end();
      }
      // Both forms close the summary and the object around it.
      fmt::format_to(o, "{}{{\"new\":{},\"gone\":{},\"changed\":{},\"unchanged\":{}}}}}\n",
                     lines ? "{\"type\":\"summary\",\"data\":" : "],\"summary\":", c.added.size(),
                     c.removed.size(), c.changed.size(), c.unchanged);
      break;
    }
    case report::format::csv:
      fmt::format_to(o, "change,address,what,value\n");
      for (const auto& [list, what] : {std::pair(&c.added, "new"), std::pair(&c.removed, "gone")}) {
        for (const auto& [mac, d] : *list) {
          fmt::format_to(o, "{},{},vendor,{}\n", what, mac.to_string(), csv_field(d.vendor));
          for (const std::string& ip : d.ips) {
            fmt::format_to(o, "{},{},ip,{}\n", what, mac.to_string(), csv_field(ip));
          }
          for (const std::string& n : d.names) {
            fmt::format_to(o, "{},{},name,{}\n", what, mac.to_string(), csv_field(n));
          }
        }
      }
      for (const change& x : c.changed) {
        const std::string mac = x.mac.to_string();
        if (x.old_vendor != x.new_vendor) {
          fmt::format_to(o, "changed,{},old_vendor,{}\n", mac, csv_field(x.old_vendor));
          fmt::format_to(o, "changed,{},new_vendor,{}\n", mac, csv_field(x.new_vendor));
        }
        for (const auto& [v, what] :
             {std::pair(&x.ips_added, "ip_added"), std::pair(&x.ips_removed, "ip_removed"),
              std::pair(&x.names_added, "name_added"),
              std::pair(&x.names_removed, "name_removed")}) {
          for (const std::string& s : *v)
            fmt::format_to(o, "changed,{},{},{}\n", mac, what, csv_field(s));
        }
      }
      break;
    case report::format::ethers:  // not offered for a diff (check_run_options): the table
    case report::format::html:
    case report::format::table:
      for (const auto& [mac, d] : c.added) table_device(b, "new", mac, d);
      for (const auto& [mac, d] : c.removed) table_device(b, "gone", mac, d);
      for (const change& x : c.changed) {
        fmt::format_to(o, "{:<8} {}", "changed", x.mac.to_string());
        if (x.old_vendor != x.new_vendor) {
          fmt::format_to(o, "  vendor {} -> {}",
                         x.old_vendor.empty() ? "(unknown)" : shown(x.old_vendor),
                         x.new_vendor.empty() ? "(unknown)" : shown(x.new_vendor));
        }
        if (!x.ips_added.empty() || !x.ips_removed.empty()) {
          fmt::format_to(o, "  ip {}{}{}", shown_list(x.ips_added, '+'),
                         x.ips_added.empty() || x.ips_removed.empty() ? "" : " ",
                         shown_list(x.ips_removed, '-'));
        }
        if (!x.names_added.empty() || !x.names_removed.empty()) {
          fmt::format_to(o, "  name {}{}{}", shown_list(x.names_added, '+'),
                         x.names_added.empty() || x.names_removed.empty() ? "" : " ",
                         shown_list(x.names_removed, '-'));
        }
        b.push_back('\n');
      }
      fmt::format_to(o, "{} new, {} gone, {} changed, {} unchanged\n", c.added.size(),
                     c.removed.size(), c.changed.size(), c.unchanged);
      break;
  }
  return std::fwrite(b.data(), 1, b.size(), out) == b.size() && std::fflush(out) == 0;
}

}  // namespace ouiscan::diff
