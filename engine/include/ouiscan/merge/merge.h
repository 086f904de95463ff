// File: merge.h
// `ouiscan merge`: ouiscan JSON results (-f json or jsonl, schema report::schema_version) read
// back into what the pipeline had found, and combined as the pipeline combines its per-thread
// tables. Ranges of one capture (--range) join into that capture's input when they tile it;
// results of different captures become one multi-input inventory. What cannot merge exactly is
// said: problems() lists it, and a capture whose ranges leave bytes out is reported damaged
// (errc::range_gap). docs/scale-out.md describes the rules.
//
//   merge::merger m;
//   for (const auto& path : paths) m.add(read_text(path), path);   // or an error to report
//   scan::found f = m.take();   // then scan::finish(std::move(f), request, observer, start)
#pragma once

#include <cstdint>
#include <functional>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "ouiscan/core/error.h"
#include "ouiscan/scan/scan.h"

namespace ouiscan::merge {

class merger {
 public:
  // Adds one result; a text that is not an ouiscan result of this schema is refused (its
  // message says why) and nothing of it is added.
  [[nodiscard]] core::result<std::monostate, core::failure> add(std::string_view json,
                                                                const std::string& name);
  // Walks a capture's bytes [from, end) again from the record boundary `from` (a range whose
  // start was misjudged: its first plausible record was not where the previous range ended).
  using rescanner = std::function<core::result<scan::found, core::failure>(
      const pipeline::input_report& input, std::uint64_t from, std::uint64_t end)>;
  // The combined findings: inputs in the order first added, ranges of one capture joined, a
  // misjudged range walked again with `rescan` when one is given (otherwise a range_gap).
  [[nodiscard]] scan::found take(const rescanner& rescan = {});
  // Ranges walked again by take().
  [[nodiscard]] std::size_t rewalked() const noexcept { return rewalked_; }
  // What did not merge exactly (different database snapshots, filters or time windows, ranges
  // that overlap or leave gaps), one line each.
  [[nodiscard]] const std::vector<std::string>& problems() const noexcept { return problems_; }
  // The filter and time window the results share (of the first result).
  [[nodiscard]] const std::string& filter() const noexcept { return filter_; }
  [[nodiscard]] std::int64_t since_ns() const noexcept { return since_ns_; }
  [[nodiscard]] std::int64_t until_ns() const noexcept { return until_ns_; }
  // The database snapshots the results were named with, YYYYMMDD, in order first seen.
  [[nodiscard]] const std::vector<std::uint32_t>& snapshots() const noexcept { return snapshots_; }
  [[nodiscard]] std::size_t results() const noexcept { return results_; }

 private:
  void repair(const rescanner& rescan);
  std::vector<scan::found> parts_;  // one per result, merged by take()
  std::vector<std::string> problems_;
  std::vector<std::uint32_t> snapshots_;
  std::string filter_;
  std::int64_t since_ns_ = std::numeric_limits<std::int64_t>::min();
  std::int64_t until_ns_ = std::numeric_limits<std::int64_t>::max();
  std::size_t results_ = 0;
  std::size_t rewalked_ = 0;
};

// The rescanner a merge uses to walk a range again: a scan (scan::collect) of the capture the
// range came from, from the exact record boundary, with the settings `base` gives (database,
// threads, S3 client or overrides).
[[nodiscard]] merger::rescanner rescan_with(std::function<scan::request()> base);

}  // namespace ouiscan::merge
