// File: scan.h
// The scan engine: a oneTBB pipeline that cuts an input into chunks of whole records (serial),
// decodes every frame's addresses into a chunk-local table (parallel), and merges the chunk
// tables into one inventory (serial, any order). Inputs are scanned one after another into the
// same inventory.
//
//   pipeline::scanner s({.threads = 2});
//   auto in = io::open_input("a.pcapng");
//   pipeline::input_report r = s.scan(*in);
//   s.addresses().for_each(...);
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ouiscan/capture/decode.h"
#include "ouiscan/capture/framer.h"
#include "ouiscan/core/error.h"
#include "ouiscan/identity/ip_table.h"
#include "ouiscan/identity/name_table.h"
#include "ouiscan/io/input.h"
#include "ouiscan/pipeline/address_table.h"

namespace ouiscan::pipeline {

// Decides which frames count (a capture filter); called from worker threads concurrently.
class frame_filter {
 public:
  virtual ~frame_filter() = default;
  [[nodiscard]] virtual bool keep(const capture::frame& f) const noexcept = 0;
};

// --range START-END (docs/scale-out.md): the records whose header starts in [start, end), found
// as --resync finds a record (pcap), or by the pcapng state in force at start: the Section
// Header and Interface Description Blocks listed in `headers` (offset and length of each, in
// file order, as `ouiscan plan` indexes them), or, without them, by walking the blocks before
// start.
struct byte_range {
  std::uint64_t start = 0;
  std::uint64_t end = std::numeric_limits<std::uint64_t>::max();
  std::vector<std::pair<std::uint64_t, std::uint32_t>> headers;
  bool indexed = false;  // headers were given (an empty list: none besides the first section's)
  // start is a record boundary already known (where the previous range's walk ended, for a
  // merge that repairs a misjudged start), in the section and interfaces given.
  bool exact = false;
  std::uint32_t section = 0, interfaces = 0;
};

// --headers' text, OFFSET+LENGTH,... in file order ("none": no blocks); nullopt when malformed.
[[nodiscard]] std::optional<std::vector<std::pair<std::uint64_t, std::uint32_t>>> parse_headers(
    std::string_view text);

struct scan_options {
  unsigned threads = 0;                // 0: all cores
  std::size_t chunk_bytes = 1U << 20;  // target size of the pieces handed to workers
  // Mapped files of at least two segments are walked in parallel segments of at least this size,
  // `segments_per_thread` per thread (one keeps a cold file read as few streams, which disks
  // prefer); smaller files and streams go through the chunk pipeline.
  std::size_t segment_bytes = 32U << 20;
  unsigned segments_per_thread = 1;
  // At most this many distinct addresses are kept (0: no limit); later new addresses are
  // counted in frame_counters::addresses_over_cap. Which ones are kept then depends on timing.
  std::size_t max_addresses = 0;
  const frame_filter* filter = nullptr;  // frames it rejects are counted, not decoded
  // --resync: after corrupt framing in the middle of an input, look for the next plausible
  // record (a chain of consistent record headers or pcapng blocks) and go on from there.
  bool resync = false;
  // -c: account only the first max_frames frames the filter keeps, over all inputs in order, as
  // `tcpdump -r F -c N` does (0: no limit). Such a scan reads its inputs in one thread.
  std::uint64_t max_frames = 0;
  std::atomic<std::uint64_t>* progress = nullptr;  // bytes of input consumed, if wanted
  std::optional<byte_range> range{};               // --range: one part of each input
};

struct link_count {
  std::uint16_t link_type = 0;
  std::uint64_t frames = 0;
  std::uint64_t bytes = 0;
};

// Counters summed over frames; merged like address_stats.
struct frame_counters {
  std::uint64_t frames = 0;
  std::uint64_t wire_bytes = 0;      // original lengths
  std::uint64_t captured_bytes = 0;  // captured lengths
  std::uint64_t frames_with_vlan = 0;
  std::uint64_t frames_with_tunnel = 0;   // carrying an Ethernet frame in a tunnel
  std::uint64_t identity_dropped = 0;     // addresses, bindings, names past a frame's limits
  std::uint64_t arp_mismatch_frames = 0;  // ARP whose sender is not the frame's source
  std::uint64_t gratuitous_arp_frames = 0;
  std::uint64_t caplen_over_origlen = 0;  // records claiming more captured than sent bytes
  std::uint64_t untimed_frames = 0;       // pcapng Simple Packet Blocks
  std::uint64_t addresses_over_cap = 0;   // address sightings not kept: --max-addresses reached
  std::uint64_t filtered_out = 0;         // frames the capture filter rejected
  std::int64_t first_ns = address_stats::never;
  std::int64_t last_ns = std::numeric_limits<std::int64_t>::min();
  std::array<std::uint64_t, static_cast<std::size_t>(capture::decode_status::count_)> status{};
  std::vector<link_count> links;  // per link type, in order of first sight

  // Inline for the one link type nearly every capture has; the others go the slow way.
  void add_link(std::uint16_t link_type, std::uint64_t bytes) {
    if (!links.empty() && links.front().link_type == link_type) [[likely]] {
      ++links.front().frames;
      links.front().bytes += bytes;
      return;
    }
    add_link_slow(link_type, bytes);
  }
  void merge(const frame_counters& o);

 private:
  void add_link_slow(std::uint16_t link_type, std::uint64_t bytes);
};

// Bytes skipped by --resync: [offset, offset + bytes) of the (decompressed) capture.
struct skipped_range {
  std::uint64_t offset = 0;
  std::uint64_t bytes = 0;
  core::error cause;  // the fault that started the skip
};

// Where a --range scan walked, for `ouiscan merge`: the walk of one range must start where the
// previous range's stopped, under the same section state (section number, interfaces known).
struct range_walk {
  std::uint64_t start = 0, end = 0;  // as asked
  std::uint64_t from = 0, to = 0;    // the records walked: [from, to); from is 0 for the first
  std::uint32_t from_section = 0, from_interfaces = 0;
  std::uint32_t to_section = 0, to_interfaces = 0;
  std::uint64_t data_size = 0;  // bytes of capture data (decompressed, for a compressed file)
};

struct input_report {
  std::string name;
  std::string format;            // "pcap", "pcapng" or "" when not recognised
  std::string compression;       // "none", "gzip"
  std::uint64_t size = 0;        // bytes on disk, 0 when unknown
  std::uint64_t bytes_read = 0;  // bytes of (decompressed) capture data walked
  std::uint64_t records = 0;     // records consumed (pcapng: blocks of every kind)
  std::uint32_t sections = 0;
  frame_counters counters;
  std::optional<core::error> error;    // the fault that ended this input early, if any
  std::string error_detail;            // the input's own account of it (a server's answer), or ""
  std::vector<skipped_range> skipped;  // --resync: corrupt stretches stepped over
  double seconds = 0;                  // wall time of the whole scan of this input
  double cut_seconds = 0;      // serial stage: reading (streams) and cutting records into chunks
  double extract_seconds = 0;  // parallel stage, summed over the worker threads
  double merge_seconds = 0;    // merging the per-thread tables at the end
  std::size_t segments = 0;    // mapped files: segments walked in parallel (0: pipeline)
  std::size_t resumed_segments = 0;  // segments walked again because their start was misjudged
  std::optional<range_walk> range;   // --range
};

// The bytes a --range scan of a capture held in part reads (an s3:// object): its start (the
// header blocks), the range itself from `base` on, and other bytes on demand.
struct range_bytes {
  core::bytes head;  // from byte 0: at least the header blocks, or all of it
  core::bytes body;  // from byte `base`: the range, and some bytes past its end
  std::uint64_t base = 0;
  std::uint64_t data_size = 0;  // the capture's size
  // Reads bytes [offset, offset + length) (pcapng blocks before the range); unset when body is
  // the whole capture.
  std::function<std::vector<std::byte>(std::uint64_t offset, std::uint64_t length)> read;
};

class scanner {
 public:
  explicit scanner(scan_options options);

  // Scans one input into the inventory. Never throws on bad data: a framing fault ends the
  // input with report.error set, and every address found before it is kept.
  input_report scan(io::input& in);

  // --range (scan_options::range) over bytes the caller holds in part. Returns 0 when scanned,
  // or, before counting anything, how many more bytes past the body's end the record that
  // crosses the range's end needs (call again with a longer body).
  [[nodiscard]] std::uint64_t scan_range(const range_bytes& src, input_report& report);

  [[nodiscard]] const scan_options& options() const noexcept { return options_; }
  // Where scan() reports the bytes it has consumed (null: nowhere).
  void set_progress(std::atomic<std::uint64_t>* counter) noexcept { options_.progress = counter; }

  [[nodiscard]] const address_table& addresses() const noexcept { return table_; }
  // Hands the addresses over (to outlive the scanner), leaving it empty.
  [[nodiscard]] address_table take_addresses() noexcept { return std::move(table_); }
  // The IP addresses bound to the addresses (the identity stage's input).
  [[nodiscard]] const identity::ip_table& ips() const noexcept { return ips_; }
  [[nodiscard]] identity::ip_table take_ips() noexcept { return std::move(ips_); }
  [[nodiscard]] identity::name_table take_names() noexcept { return std::move(names_); }

 private:
  // The parallel walk of a mapped file; false when the file's start cannot be read (the chunk
  // pipeline then reports the fault).
  bool scan_segments(core::bytes all, unsigned threads, input_report& report);
  // The parallel walk of all[data_start, end) from a known record boundary under `initial`;
  // returns the section state where the walk ended. `records` are those before data_start.
  std::shared_ptr<const capture::section_state> walk_segments(
      core::bytes all, std::uint64_t base, std::size_t data_start, std::size_t end,
      std::shared_ptr<const capture::section_state> initial, std::uint64_t records,
      unsigned threads, input_report& report);
  // The threads a scan uses: the option, at most the cores.
  [[nodiscard]] unsigned worker_threads() const;
  // --range on a mapped file (or bytes held whole): the walk above over one part.
  void scan_range(core::bytes all, input_report& report);
  // -c: frames in order, one thread, until the count is reached.
  void scan_counted(io::input& in, input_report& report);
  [[nodiscard]] std::size_t cap() const noexcept {
    return options_.max_addresses != 0 ? options_.max_addresses
                                       : std::numeric_limits<std::size_t>::max();
  }

  scan_options options_;
  address_table table_;
  identity::ip_table ips_;
  identity::name_table names_;
  std::uint64_t frames_left_ = 0;  // -c: frames still to account
};

}  // namespace ouiscan::pipeline
