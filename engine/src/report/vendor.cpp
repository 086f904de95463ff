#include "ouiscan/report/vendor.h"

#include <iterator>

#include "ouiscan/report/inventory.h"

namespace ouiscan::report {

vendor_info describe(const ouidb::database* db, core::mac_address mac, unsigned max_bits) {
  vendor_info v;
  bool has_cid = false;
  if (db != nullptr) {
    v.match = db->lookup(mac, max_bits);
    ouidb::name_buffer buf;
    if (v.match.status == ouidb::match_status::assigned) {
      for (std::uint32_t i = 0; i < v.match.holders; ++i) {
        v.holders.emplace_back(db->organization(v.match, i, buf));
        if (i > 0) v.organization += " / ";
        v.organization += v.holders.back();
      }
      has_cid = v.match.reg == ouidb::registry::cid;
    }
    if (v.match.status != ouidb::match_status::not_found) {
      const unsigned digits = v.match.bits / 4;
      for (unsigned d = 0; d < digits; ++d) {
        if (d > 0 && d % 2 == 0) v.prefix_text += ':';
        v.prefix_text += "0123456789abcdef"[(v.match.prefix >> (4 * (digits - 1 - d))) & 0xF];
      }
    }
  }
  v.cls = ouidb::classify(mac, has_cid);
  return v;
}

std::string_view short_class(const vendor_info& v, core::mac_address mac) {
  if (v.cls.cast != core::address_class::unicast) return core::to_string(v.cls.cast);
  if (v.cls.likely_random) return "random";
  return mac.is_local() ? "local" : "unicast";
}

std::string display_name(const vendor_info& v) {
  if (!v.cls.group.empty()) {
    std::string s(v.cls.group);
    if (!v.cls.detail_view().empty()) s = fmt::format("{} {}", s, v.cls.detail_view());
    if (!v.organization.empty()) s = fmt::format("{} ({})", s, v.organization);
    return s;
  }
  if (!v.organization.empty()) {
    if (v.cls.platform.empty()) return v.organization;
    return fmt::format("{} [{}]", v.organization, v.cls.platform);
  }
  if (!v.cls.platform.empty()) return std::string(v.cls.platform);
  if (v.match.status == ouidb::match_status::unassigned_subblock) {
    return fmt::format("(unassigned sub-block of {})", v.prefix_text);
  }
  if (v.cls.likely_random) return "(randomised)";
  return "(unknown)";
}

void append_json_string(fmt::memory_buffer& b, std::string_view s) {
  b.push_back('"');
  for (const char c : s) {
    switch (c) {
      case '"':
        fmt::format_to(std::back_inserter(b), "\\\"");
        break;
      case '\\':
        fmt::format_to(std::back_inserter(b), "\\\\");
        break;
      case '\n':
        fmt::format_to(std::back_inserter(b), "\\n");
        break;
      case '\t':
        fmt::format_to(std::back_inserter(b), "\\t");
        break;
      case '\r':
        fmt::format_to(std::back_inserter(b), "\\r");
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          fmt::format_to(std::back_inserter(b), "\\u{:04x}", static_cast<unsigned>(c));
        } else {
          b.push_back(c);
        }
    }
  }
  b.push_back('"');
}

void append_json_fields(fmt::memory_buffer& b, const vendor_info& v, core::mac_address mac) {
  auto out = std::back_inserter(b);
  const auto str_or_null = [&](std::string_view s) {
    if (s.empty()) {
      fmt::format_to(out, "null");
    } else {
      append_json_string(b, s);
    }
  };
  fmt::format_to(out, "\"class\":\"{}\",\"admin\":\"{}\",\"vendor\":", core::to_string(v.cls.cast),
                 mac.is_local() ? "local" : "universal");
  str_or_null(v.organization);
  if (!v.organization.empty()) {
    if (v.source.empty()) {
      fmt::format_to(out, ",\"vendor_source\":\"ieee-registry\"");
    } else {
      fmt::format_to(out, ",\"vendor_source\":");
      append_json_string(b, v.source);
      fmt::format_to(out, ",\"vendor_fetched\":\"{}\"", format_time(v.source_time * 1'000'000'000));
    }
  }
  fmt::format_to(out, ",\"vendors\":[");
  for (std::size_t i = 0; i < v.holders.size(); ++i) {
    if (i > 0) b.push_back(',');
    append_json_string(b, v.holders[i]);
  }
  b.push_back(']');
  const char* status = "not_found";
  if (v.match.status == ouidb::match_status::assigned) status = "assigned";
  if (v.match.status == ouidb::match_status::unassigned_subblock) status = "unassigned_subblock";
  fmt::format_to(out, ",\"vendor_status\":\"{}\",\"registry\":", status);
  str_or_null(v.match.status == ouidb::match_status::not_found ? std::string_view{}
                                                               : ouidb::to_string(v.match.reg));
  fmt::format_to(out, ",\"prefix\":");
  str_or_null(v.prefix_text);
  fmt::format_to(out,
                 ",\"prefix_bits\":{},\"holders\":{},\"private\":{},\"quadrant\":", v.match.bits,
                 v.match.holders, v.match.is_private);
  str_or_null(ouidb::to_string(v.cls.quadrant));
  fmt::format_to(out, ",\"group\":");
  str_or_null(v.cls.group);
  fmt::format_to(out, ",\"group_detail\":");
  str_or_null(v.cls.detail_view());
  fmt::format_to(out, ",\"platform\":");
  str_or_null(v.cls.platform);
  fmt::format_to(out, ",\"likely_random\":{}", v.cls.likely_random);
}

}  // namespace ouiscan::report

namespace ouiscan::report {

std::string csv_quote(std::string_view s) {
  if (s.find_first_of(",\"\n\r") == std::string_view::npos) return std::string(s);
  std::string q = "\"";
  for (const char c : s) {
    if (c == '"') q += '"';
    q += c;
  }
  return q + "\"";
}

}  // namespace ouiscan::report
