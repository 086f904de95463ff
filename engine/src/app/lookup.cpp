#include <fmt/format.h>

#include <cstdio>
#include <iostream>
#include <iterator>
#include <optional>

#include "ouiscan/app/run.h"
#include "ouiscan/app/vendor_db.h"

namespace ouiscan::app {
namespace {

struct query {
  core::mac_address mac;
  unsigned bits = 48;
};

// Any common notation of an address or a prefix: aa:bb:cc:dd:ee:ff, aa-bb-..., aabb.ccdd.eeff,
// bare hex; 6 to 12 hex digits (a prefix is padded with zeros and limits the match length).
std::optional<query> parse_query(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r')) {
    text.remove_suffix(1);
  }
  if (auto mac = core::mac_address::parse(text)) return query{*mac, 48};
  std::uint64_t v = 0;
  unsigned digits = 0;
  char separator = 0;
  for (const char c : text) {
    if (c == ':' || c == '-' || c == '.') {
      if (separator != 0 && c != separator) return std::nullopt;
      separator = c;
      continue;
    }
    const int h = core::hex_digit(c);
    if (h < 0) return std::nullopt;
    if (++digits > 12) return std::nullopt;
    v = (v << 4) | static_cast<std::uint64_t>(h);
  }
  if (digits < 6) return std::nullopt;
  return query{core::mac_address(v << (4 * (12 - digits))), digits * 4};
}

}  // namespace

int run_lookup(const lookup_options& options) {
  auto db = vendor_db::open(options.db_path);
  if (!db) {
    fmt::print(stderr, "ouiscan: cannot use the OUI database: {}\n", core::to_string(db.error()));
    return exit_io_error;
  }
  if (!db->notice().empty()) fmt::print(stderr, "{}\n", db->notice());
  const bool from_stdin =
      options.queries.empty() || (options.queries.size() == 1 && options.queries[0] == "-");
  int code = exit_ok;
  bool first = true;
  fmt::memory_buffer b;
  auto out = std::back_inserter(b);
  const auto answer = [&](std::string_view text) {
    const auto q = parse_query(text);
    if (!q) {
      fmt::print(stderr, "ouiscan: not an address or prefix: '{}'\n", text);
      code = exit_input_damaged;
      return;
    }
    const report::vendor_info v = report::describe(&db->get(), q->mac, q->bits);
    switch (options.output_format) {
      case report::format::json:
      case report::format::jsonl:
        if (options.output_format == report::format::json) b.push_back(first ? '[' : ',');
        fmt::format_to(out, "{{\"query\":");
        report::append_json_string(b, text);
        fmt::format_to(out, ",\"address\":\"{}\",\"query_bits\":{},", q->mac.to_string(), q->bits);
        report::append_json_fields(b, v, q->mac);
        b.push_back('}');
        if (options.output_format == report::format::jsonl) b.push_back('\n');
        break;
      case report::format::csv:
        if (first) fmt::format_to(out, "query,address,class,vendor,registry,prefix,group\n");
        fmt::format_to(
            out, "{},{},{},{},{},{},{}\n", report::csv_quote(text), q->mac.to_string(),
            report::short_class(v, q->mac), report::csv_quote(v.organization),
            v.match.status == ouidb::match_status::not_found ? "" : ouidb::to_string(v.match.reg),
            v.prefix_text, report::csv_quote(v.cls.group));
        break;
      case report::format::table:
        fmt::format_to(
            out, "{:<17}  {:<9}  {:<5}  {:<14}  {}\n", q->mac.to_string(),
            report::short_class(v, q->mac),
            v.match.status == ouidb::match_status::not_found ? "-" : ouidb::to_string(v.match.reg),
            v.prefix_text.empty() ? "-" : v.prefix_text + "/" + std::to_string(v.match.bits),
            report::display_name(v));
        break;
    }
    first = false;
    if (b.size() > (1U << 16)) {
      std::fwrite(b.data(), 1, b.size(), stdout);
      b.clear();
    }
  };
  if (from_stdin) {
    std::string line;
    while (std::getline(std::cin, line)) {
      if (!line.empty() && line.find_first_not_of(" \t\r") != std::string::npos) answer(line);
    }
  } else {
    for (const auto& q : options.queries) answer(q);
  }
  if (options.output_format == report::format::json)
    fmt::format_to(out, "{}\n", first ? "[]" : "]");
  std::fwrite(b.data(), 1, b.size(), stdout);
  return std::fflush(stdout) == 0 ? code : exit_io_error;
}

}  // namespace ouiscan::app
