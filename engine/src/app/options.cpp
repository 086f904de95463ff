// The checks and conversions between a command line and run_options that are policy, not
// parsing: what a filter file holds, and which flags apply to which inputs.
#include <fmt/format.h>

#include <algorithm>

#include "ouiscan/app/run.h"
#include "ouiscan/live/live_capture.h"
#include "ouiscan/s3/config.h"

namespace ouiscan::app {

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
                                                : nullptr;
    if (flag != nullptr) return fmt::format("{} applies to s3:// inputs only", flag);
    if (!s.ca_file.empty() && !o.online) {
      return "--ca-file applies to s3:// inputs and --online only";
    }
  }
  if (o.since_ns > o.until_ns) return "--since is later than --until";
  return {};
}

int list_interfaces_command() {
  auto listed = live::list_interfaces();
  if (auto* why = std::get_if<std::string>(&listed)) {
    fmt::print(stderr, "ouiscan: cannot list interfaces: {}\n", *why);
    return exit_io_error;
  }
  std::size_t n = 0;
  for (const auto& i : std::get<std::vector<live::interface_info>>(listed)) {
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

}  // namespace ouiscan::app
