// File: plan.h
// `ouiscan plan`: the work items that cut captures into byte ranges for `--range` scans run
// elsewhere (processes, machines, a Step Functions Distributed Map), one JSON object each:
// where the capture is (a path, or an s3:// object's bucket, key and ETag), the range, and for
// pcapng the index `--headers` takes (the Section Header and Interface Description Blocks
// before the range). docs/scale-out.md describes the items.
//
//   scan::plan_request req;
//   req.inputs = {"s3://captures/2026/"};
//   req.part_bytes = 1 << 30;
//   auto items = scan::plan(req);   // then scan::plan_json(*items)
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "ouiscan/core/error.h"
#include "ouiscan/s3/client.h"
#include "ouiscan/s3/config.h"

namespace ouiscan::scan {

struct plan_request {
  std::vector<std::string> inputs;  // paths, s3://bucket/key, s3://bucket/prefix/
  unsigned parts = 0;               // each capture in this many ranges (at most), or
  std::uint64_t part_bytes = 0;     // ranges of this many bytes; a smaller capture is one item
  s3::overrides s3;
  std::shared_ptr<s3::client> client;  // or a client the caller made
};

struct work_item {
  std::string input;              // the path or s3:// address --range takes
  std::string bucket, key, etag;  // s3:// objects only
  std::uint64_t start = 0, end = 0, size = 0;
  std::string headers;  // pcapng ranges past the start: --headers' value; "" otherwise
};

// Ranges of at least this many bytes, whatever --parts asks (smaller captures are one item).
inline constexpr std::uint64_t min_part_bytes = 1U << 20;

// The items of every capture, in input order (a prefix's objects in key order); the failure
// names the input that could not be listed, opened or read.
[[nodiscard]] core::result<std::vector<work_item>, core::failure> plan(const plan_request& req);
// The items as the JSON array a Distributed Map's ItemReader reads, one item per line.
[[nodiscard]] std::string plan_json(const std::vector<work_item>& items);

}  // namespace ouiscan::scan
