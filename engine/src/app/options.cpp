// The checks and conversions between a command line and run_options that are policy, not
// parsing: what a filter file holds, and which flags apply to which inputs.
#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string_view>

#include "ouiscan/app/run.h"
#include "ouiscan/live/live_capture.h"
#include "ouiscan/s3/config.h"
#include "ouiscan/text/time.h"

namespace ouiscan::app {
namespace {

// A small file the user named on the command line, whole.
core::result<std::string, core::failure> read_named_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return core::failure{fmt::format("cannot read {}: {}", path, std::strerror(errno))};
  return std::string(std::istreambuf_iterator<char>(in), {});
}

}  // namespace

std::string trim_filter(std::string_view text) {
  const auto blank = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  std::string out;
  bool gap = false;
  for (const char c : text) {
    if (blank(c)) {
      gap = !out.empty();
      continue;
    }
    if (gap) out += ' ';
    gap = false;
    out += c;
  }
  return out;
}

std::string filter_file_text(std::string_view text) {
  // As tcpdump -F: a '#' starts a comment that runs to the end of its line; line breaks are
  // blanks between the words of one expression.
  std::string kept;
  bool comment = false;
  for (const char c : text) {
    if (c == '\n') comment = false;
    if (c == '#') comment = true;
    kept += comment ? ' ' : c;
  }
  return trim_filter(kept);
}

std::string check_run_options(const run_options& o) {
  const bool live = !o.live_interface.empty();
  const bool any_s3 = std::any_of(o.inputs.begin(), o.inputs.end(),
                                  [](const std::string& i) { return s3::is_s3_uri(i); });
  for (const std::string& i : o.inputs) {
    if (s3::is_s3_uri(i) && !s3::parse_uri(i)) {
      return fmt::format("'{}' is not an s3://bucket/key or s3://bucket/prefix/ address", i);
    }
  }
  if (!o.diff_path.empty() &&
      (o.output_format == report::format::ethers || o.output_format == report::format::html)) {
    return "--diff writes table, json, jsonl or csv";
  }
  if (!live && o.duration_s > 0) return "--duration applies to live captures (-i) only";
  if (!live && !o.write_path.empty()) {
    return "-w writes live captures (-i) only; to cut a capture file use tcpdump -r IN -w OUT "
           "[-c N] [filter]";
  }
  if (live && !o.write_path.empty() && o.write_path == "-" &&
      (o.output_path.empty() || o.output_path == "-")) {
    return "-w - and the inventory cannot both go to standard output: add -o FILE";
  }
  if (!any_s3) {
    const auto& s = o.s3;
    const char* flag = !s.endpoint.empty()      ? "--s3-endpoint"
                       : !s.region.empty()      ? "--s3-region"
                       : s.max_bytes != 0       ? "--max-bytes"
                       : s.part_bytes != 0      ? "--s3-part-size"
                       : s.parts_in_flight != 0 ? "--s3-parts"
                       : s.no_sign_request      ? "--no-sign-request"
                                                : nullptr;
    if (flag != nullptr) return fmt::format("{} applies to s3:// inputs only", flag);
    if (!s.ca_file.empty() && !o.online) {
      return "--ca-file applies to s3:// inputs and --online only";
    }
  }
  if (o.since_ns > o.until_ns) return "--since is later than --until";
  if (o.range) {
    if (live || o.inputs.size() != 1) return "--range applies to one input file or object";
    if (const auto loc = s3::parse_uri(o.inputs[0]); loc && loc->is_prefix()) {
      return "--range applies to one object, not a prefix (ouiscan plan cuts a prefix's objects)";
    }
    if (o.count != 0) return "--range and -c cannot be combined";
    if (o.resync) return "--range and --resync cannot be combined";
    if (o.range->start > o.range->end) return "--range: START is past END";
  }
  return {};
}

int list_interfaces_command() {
  auto listed = live::list_interfaces();
  if (const std::string* why = listed ? nullptr : &listed.error().message) {
    fmt::print(stderr, "ouiscan: cannot list interfaces: {}\n", *why);
    return exit_io_error;
  }
  std::size_t n = 0;
  for (const auto& i : *listed) {
    // tcpdump -D's layout: number, name, description, flags.
    std::string flags;
    if (i.up) flags += "Up";
    if (i.running) flags += flags.empty() ? "Running" : ", Running";
    if (i.loopback) flags += flags.empty() ? "Loopback" : ", Loopback";
    fmt::print("{}.{}{}{}\n", ++n, i.name, i.description.empty() ? "" : " (" + i.description + ")",
               flags.empty() ? "" : " [" + flags + "]");
  }
  return std::fflush(stdout) == 0 ? exit_ok : exit_io_error;
}

core::result<pipeline::byte_range, core::failure> parse_range(std::string_view range,
                                                              std::string_view headers) {
  const auto number = [](std::string_view t, std::uint64_t& v) {
    const auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
    return ec == std::errc{} && end == t.data() + t.size() && !t.empty();
  };
  pipeline::byte_range r;
  const auto dash = range.find('-');
  if (dash == std::string_view::npos || !number(range.substr(0, dash), r.start) ||
      (dash + 1 < range.size() && !number(range.substr(dash + 1), r.end))) {
    return core::failure{
        fmt::format("'{}' is not a byte range START-END (e.g. 0-1048576, or 1048576-)", range)};
  }
  if (headers.empty()) return r;
  auto blocks = pipeline::parse_headers(headers);
  if (!blocks) {
    return core::failure{fmt::format("'{}' is not a list of OFFSET+LENGTH blocks", headers)};
  }
  r.headers = std::move(*blocks);
  r.indexed = true;
  return r;
}

core::result<run_options, core::failure> resolve_scan_flags(scan_flags flags) {
  run_options scan = std::move(flags.options);
  scan.inputs.insert(scan.inputs.begin(), flags.read_files.begin(), flags.read_files.end());
  if (scan.inputs.empty() == scan.live_interface.empty()) {
    return core::failure{std::string("give capture files (or -r FILE) or -i INTERFACE, not both")};
  }
  const auto format = report::parse_format(flags.format);
  const auto sort = report::parse_sort_key(flags.sort);
  if (!format) return core::failure{fmt::format("'{}' is not an output format", flags.format)};
  if (!sort) return core::failure{fmt::format("'{}' is not a sort order", flags.sort)};
  scan.output_format = *format;
  scan.sort = *sort;
  for (const auto& [time, target] :
       {std::pair{&flags.since, &scan.since_ns}, std::pair{&flags.until, &scan.until_ns}}) {
    if (time->empty()) continue;
    const auto t = text::parse_time(*time);
    if (!t)
      return core::failure{
          fmt::format("'{}' is not an ISO 8601 time (e.g. 2026-11-26T06:54:26Z)", *time)};
    *target = *t;
  }
  if (!flags.filter_file.empty()) {
    if (!scan.filter.empty()) return core::failure{std::string("give --filter or -F, not both")};
    std::ifstream in(flags.filter_file);
    scan.filter = filter_file_text(std::string(std::istreambuf_iterator<char>(in), {}));
  }
  scan.filter = trim_filter(scan.filter);
  if (!flags.manuf_file.empty()) {
    const auto text = read_named_file(flags.manuf_file);
    if (!text) return core::failure{"--manuf: " + text.error().message};
    auto manuf = vendors::manuf_table::parse(*text, flags.manuf_file);
    if (!manuf) return core::failure{"--manuf: " + manuf.error().message};
    scan.manuf = std::make_shared<const vendors::manuf_table>(std::move(*manuf));
  }
  if (!flags.names_file.empty()) {
    const auto text = read_named_file(flags.names_file);
    if (!text) return core::failure{"--names: " + text.error().message};
    auto names = vendors::parse_ethers(*text, flags.names_file);
    if (!names) return core::failure{"--names: " + names.error().message};
    scan.user_names = std::move(*names);
  }
  for (const auto& [size, target] : {std::pair{&flags.max_bytes, &scan.s3.max_bytes},
                                     std::pair{&flags.part_size, &scan.s3.part_bytes}}) {
    if (size->empty()) continue;
    const auto bytes = s3::parse_size(*size);
    if (!bytes || *bytes == 0)
      return core::failure{fmt::format("'{}' is not a size (e.g. 20GiB, 512MB)", *size)};
    *target = *bytes;
  }
  if (!flags.range.empty()) {
    auto range = parse_range(flags.range, flags.headers);
    if (!range) return range.error();
    scan.range = std::move(*range);
  } else if (!flags.headers.empty()) {
    return core::failure{std::string("--headers applies with --range only")};
  }
  const char* online_env = std::getenv("OUISCAN_ONLINE");
  scan.online = !flags.offline &&
                (flags.online || (online_env != nullptr && std::string_view(online_env) == "1"));
  if (!scan.online && !flags.offline && !flags.api_flags_given.empty()) {
    return core::failure{
        fmt::format("{} applies with --online only", flags.api_flags_given.front())};
  }
  scan.api.service = online::provider_defaults(
      flags.api_name == "maclookup" ? online::provider::maclookup : online::provider::macvendors);
  std::string url = flags.api_url;
  if (!url.empty()) {
    while (url.ends_with('/')) url.pop_back();
    scan.api.service.base_url = url;
    const auto scheme = url.find("://");
    scan.api.service.name = scheme == std::string::npos ? url : url.substr(scheme + 3);
  }
  if (flags.api_rate > 0) scan.api.service.rate_per_s = flags.api_rate;
  scan.api.cache_path = flags.api_cache == "none" ? std::string()
                        : flags.api_cache.empty() ? online::default_cache_path()
                                                  : flags.api_cache;
  scan.api.ca_file = scan.s3.ca_file;
  if (flags.progress) scan.progress = progress_mode::always;
  if (flags.no_progress) scan.progress = progress_mode::never;
  if (std::string why = check_run_options(scan); !why.empty()) return core::failure{why};
  return scan;
}

}  // namespace ouiscan::app
