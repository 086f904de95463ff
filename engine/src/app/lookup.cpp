#include <fmt/format.h>

#include <array>
#include <cstdio>
#include <iostream>
#include <iterator>
#include <string_view>

#include "ouiscan/app/run.h"
#include "vendor_db.h"

namespace ouiscan::app {
namespace {

void append_covered_json(fmt::memory_buffer& b, const vendors::vendor_info& v) {
  text::append_raw(b, ",\"covers\":");
  if (v.covered.empty()) {
    text::append_raw(b, "null");
    return;
  }
  text::append_raw(b, "{\"assignments\":");
  text::append_uint(b, v.covered.size());
  text::append_raw(b, ",\"registries\":{");
  const auto per = vendors::covered_per_registry(v);
  bool first = true;
  for (std::size_t r = 0; r < per.size(); ++r) {
    if (per[r] == 0) continue;
    if (!first) b.push_back(',');
    first = false;
    text::append_json_string(b, ouidb::to_string(static_cast<ouidb::registry>(r)));
    b.push_back(':');
    text::append_uint(b, per[r]);
  }
  text::append_raw(b, "},\"list\":[");
  for (std::size_t i = 0; i < v.covered.size(); ++i) {
    const auto& a = v.covered[i];
    if (i > 0) b.push_back(',');
    text::append_raw(b, "{\"registry\":");
    text::append_json_string(b, ouidb::to_string(a.match.reg));
    text::append_raw(b, ",\"prefix\":");
    text::append_json_string(b, a.prefix_text);
    text::append_raw(b, ",\"prefix_bits\":");
    text::append_uint(b, a.match.bits);
    text::append_raw(b, ",\"vendor\":");
    text::append_json_string(b, a.organization);
    b.push_back('}');
  }
  text::append_raw(b, "]}");
}

std::string prefix_column(const vendors::vendor_info& v) {
  return v.prefix_text.empty() ? "-" : fmt::format("{}/{}", v.prefix_text, v.match.bits);
}

}  // namespace

int run_lookup(const lookup_options& options) {
  auto db = vendor_db::open_for_command(options.db_path, false);
  if (!db) return exit_io_error;
  const bool from_stdin =
      options.queries.empty() || (options.queries.size() == 1 && options.queries[0] == "-");
  int code = exit_ok;
  bool first = true;
  fmt::memory_buffer b;
  auto out = std::back_inserter(b);
  constexpr std::string_view table_row = "{:<17}  {:<17}  {:<9}  {:<8}  {:<16}  {}\n";
  const auto answer = [&](std::string_view text) {
    std::string why;
    const auto q = core::parse_mac_prefix(text, &why);
    if (!q) {
      fmt::print(stderr, "ouiscan: lookup '{}': not an address or prefix: it {}\n", text, why);
      code = exit_input_damaged;
      return;
    }
    const vendors::vendor_info v = vendors::describe(&db->get(), q->mac, q->bits);
    const auto registry = vendors::registry_name(v);
    switch (options.output_format) {
      case report::format::json:
      case report::format::jsonl:
        if (options.output_format == report::format::json) b.push_back(first ? '[' : ',');
        fmt::format_to(out, "{{\"query\":");
        text::append_json_string(b, text);
        fmt::format_to(out, ",\"address\":\"{}\",\"query_bits\":{},", q->mac.to_string(), q->bits);
        report::append_json_fields(b, v, q->mac);
        append_covered_json(b, v);
        b.push_back('}');
        if (options.output_format == report::format::jsonl) b.push_back('\n');
        break;
      case report::format::csv:
        if (first) {
          fmt::format_to(out,
                         "query,address,query_bits,class,vendor,vendor_status,registry,prefix,"
                         "prefix_bits,group,covered\n");
        }
        fmt::format_to(out, "{},{},{},{},{},{},{},{},{},{},{}\n", text::csv_quote(text),
                       q->mac.to_string(), q->bits, vendors::class_name(v, q->mac),
                       text::csv_quote(v.organization), vendors::vendor_status(v), registry,
                       v.prefix_text, v.prefix_text.empty() ? 0U : unsigned{v.match.bits},
                       text::csv_quote(v.cls.group), v.covered.size());
        break;
      case report::format::ethers:  // not offered for lookups: the table
      case report::format::html:
      case report::format::table:
        if (first) {
          fmt::format_to(out, table_row, "QUERY", "ADDRESS", "CLASS", "REGISTRY", "PREFIX",
                         "VENDOR");
        }
        fmt::format_to(out, table_row, text, q->mac.to_string(), vendors::class_name(v, q->mac),
                       registry.empty() ? "-" : registry, prefix_column(v),
                       text::escape_terminal(vendors::display_name(v)));
        if (options.all) {
          for (const auto& a : v.covered) {
            fmt::format_to(out, table_row, "", "", "", ouidb::to_string(a.match.reg),
                           fmt::format("{}/{}", a.prefix_text, a.match.bits),
                           text::escape_terminal(a.organization));
          }
        }
        break;
    }
    first = false;
    if (b.size() > (1U << 16)) {
      std::fwrite(b.data(), 1, b.size(), stdout);
      b.clear();
    }
  };
  if (from_stdin) {
    // One query per line; blank lines and # comments are skipped, each query trimmed.
    std::string line;
    while (std::getline(std::cin, line)) {
      std::string_view q = line;
      if (const auto hash = q.find('#'); hash != std::string_view::npos) q = q.substr(0, hash);
      const auto begin = q.find_first_not_of(" \t\r");
      if (begin == std::string_view::npos) continue;
      q = q.substr(begin, q.find_last_not_of(" \t\r") + 1 - begin);
      answer(q);
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
