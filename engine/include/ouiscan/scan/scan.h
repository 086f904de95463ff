// File: scan.h
// One whole scan as one library call: open the inputs (files, standard input, s3:// objects
// and prefixes, a live interface, or streams the caller opened), run the pipeline with the
// capture filter and time window, resolve vendors (offline, then --online for what the
// registry cannot name) and return the inventory with every field filled. The CLI, the Lambda
// handler and the benchmarks all scan through it. Nothing is printed: progress, warnings and
// live events reach the caller through an observer.
//
//   scan::request req;
//   req.inputs = {"capture.pcapng"};
//   req.database = &db;
//   scan::observer quiet;
//   auto done = scan::run(req, quiet);   // *done.inventory
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ouiscan/core/error.h"
#include "ouiscan/io/input.h"
#include "ouiscan/live/live_capture.h"
#include "ouiscan/online/resolver.h"
#include "ouiscan/ouidb/database.h"
#include "ouiscan/pipeline/address_table.h"
#include "ouiscan/pipeline/scan.h"
#include "ouiscan/report/inventory.h"
#include "ouiscan/s3/client.h"
#include "ouiscan/s3/config.h"
#include "ouiscan/vendors/wireshark_files.h"

namespace ouiscan::scan {

struct request {
  std::vector<std::string> inputs;  // paths, "-" (standard input), s3://bucket/key or prefix/
  std::vector<io::input> opened;    // inputs the caller opened itself, scanned after `inputs`
  const ouidb::database* database = nullptr;  // required
  std::string database_name = "embedded";     // what the summary names: "embedded" or a path

  unsigned threads = 0;  // 0: all cores
  std::size_t chunk_bytes = 1U << 20;
  std::size_t max_addresses = 0;  // 0: no limit
  bool resync = false;
  std::optional<pipeline::byte_range> range;  // --range: one part of the (one) input
  bool strict = false;                        // a final record cut short is damage, not a warning
  std::uint64_t count = 0;  // the first this many frames the filter keeps (0: all)
  std::string filter;       // a tcpdump expression ("": none)
  std::int64_t since_ns = std::numeric_limits<std::int64_t>::min();
  std::int64_t until_ns = std::numeric_limits<std::int64_t>::max();

  s3::overrides s3;                    // for s3:// inputs
  std::shared_ptr<s3::client> client;  // or a client the caller made (its settings win)
  // --manuf: private assignments that name addresses before the registry does; --names: the
  // user's names, put on the addresses found (as name kind user_name).
  std::shared_ptr<const vendors::manuf_table> manuf;
  std::vector<vendors::ethers_entry> user_names;
  bool online = false;  // ask a vendor API about prefixes unknown offline
  online::options api;
  live::live_options live;  // live.interface non-empty: capture from it instead of inputs
};

// The worst that happened to any input (exit codes 0, 1 and 3 of docs/output.md).
enum class outcome : std::uint8_t { ok, damaged, unreadable };

struct result {
  report::inventory inventory;  // sorted busiest first; every summary field filled
  outcome worst = outcome::ok;
  std::shared_ptr<const pipeline::address_table> addresses;  // what the inventory points into
};

// What the caller hears while a scan runs. Every hook has a default that does nothing.
class observer {
 public:
  virtual ~observer() = default;
  // An input is about to be read: the counter the scan advances by the bytes it consumes (for
  // a progress bar), or nullptr.
  virtual std::atomic<std::uint64_t>* input_started(const std::string& /*name*/,
                                                    std::uint64_t /*size*/) {
    return nullptr;
  }
  virtual void input_finished() {}
  // One line for the user, without "ouiscan: " and without a newline. Errors (an input that
  // cannot be opened or listed) always matter; warnings and notices ("warning: ...", a live
  // capture starting, its closing counts) are for a user who did not ask for quiet.
  enum class severity : std::uint8_t { error, warning };
  virtual void message(severity /*level*/, std::string_view /*line*/) {}
  // Live captures: each address the moment it is first seen, and a status about ten times a
  // second (called on the capture's reading thread).
  virtual void new_address(core::mac_address /*mac*/, std::int64_t /*ts_ns*/) {}
  virtual void live_status(const live::live_status& /*status*/) {}
};

// Why a scan could not start: the filter does not compile, the interface cannot be opened.
struct refusal {
  enum class kind : std::uint8_t { usage, unreadable } why;
  std::string message;  // one line, without "ouiscan: "
};

[[nodiscard]] core::result<result, refusal> run(request req, observer& watch);

// What a scan (or `ouiscan merge`) found, before vendors are named.
struct found {
  pipeline::address_table addresses;
  identity::ip_table ips;
  identity::name_table names;
  std::vector<pipeline::input_report> inputs;
  // A merge's totals, read from its results (its inputs' counters then hold frames only); a
  // scan's totals are its inputs' counters summed.
  std::optional<pipeline::frame_counters> totals;
};
// JSON results to merge, from files or s3:// objects (one S3 client for them all, made when
// the first s3:// address comes).
class result_texts {
 public:
  explicit result_texts(const s3::overrides& o);
  ~result_texts();
  result_texts(const result_texts&) = delete;
  result_texts& operator=(const result_texts&) = delete;
  [[nodiscard]] core::result<std::string, core::failure> read(const std::string& path_or_uri);
  // Reads s3:// objects with this client (the Lambda function's) instead of making one.
  void use(std::shared_ptr<s3::client> client);

 private:
  class impl;
  std::unique_ptr<impl> impl_;
};

// run() without its finish: what the inputs hold, and the worst outcome. req.opened is taken.
[[nodiscard]] core::result<found, refusal> collect(request& req, observer& watch,
                                                   outcome* worst = nullptr);
using clock = std::chrono::steady_clock;
// The inventory of what was found, as run() makes it: vendors named (offline, then --online),
// IP anomalies, database, filter and time window as the request says; `start` is when the
// work began. result::worst is left for the caller.
[[nodiscard]] result finish(found f, const request& req, observer& watch, clock::time_point start);

}  // namespace ouiscan::scan
