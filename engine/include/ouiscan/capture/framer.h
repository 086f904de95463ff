// File: framer.h
// Walks pcap and pcapng files record by record without copying: the framer validates the
// framing of every record (lengths, trailers, interface numbers) and cuts the input into
// chunks of whole packet records; for_each_frame() then re-reads a chunk's records as frame
// views, in parallel and without further checks.
//
//   capture::framer f;
//   for (;;) {
//     auto cut = f.next(data.subspan(pos), /*at_eof=*/true, 1 << 20);
//     if (!cut) { report(cut.error()); break; }
//     ...process chunk data.subspan(pos + cut->skip, cut->length) with f.section()...
//     pos += cut->skip + cut->length;
//     if (cut->done) break;
//   }
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <vector>

#include "ouiscan/core/bytes.h"
#include "ouiscan/core/error.h"

namespace ouiscan::capture {

enum class container : std::uint8_t { pcap, pcapng };

// Records larger than this are treated as corruption rather than buffered (libpcap uses a
// similar cap): it bounds the memory a hostile length field can demand.
inline constexpr std::uint32_t max_record_bytes = 64U << 20;

// Whether a file's first four bytes (read little-endian) are a pcap magic number in either byte
// order and time unit, or a pcapng Section Header Block.
[[nodiscard]] bool is_capture_magic(std::uint32_t first_word) noexcept;

// A timestamp without a value (pcapng Simple Packet Blocks carry none).
inline constexpr std::int64_t no_timestamp = std::numeric_limits<std::int64_t>::min();

// Everything needed to read one interface's packets, decided once per interface.
struct interface_desc {
  std::uint16_t link_type = 0;
  std::int8_t fcs_bytes = -1;  // FCS length at the end of each frame, -1 when not stated
  std::uint32_t snaplen = 0;
  // Timestamp units: ns = ts * ts_mul / ts_div when ts_shift == 0, else (ts * 1e9) >> ts_shift.
  std::uint64_t ts_mul = 1000;
  std::uint64_t ts_div = 1;
  std::uint8_t ts_shift = 0;
  // pcapng if_tsoffset in ns, clamped to a quarter of the int64 range so that adding it to a
  // clamped timestamp cannot overflow.
  std::int64_t ts_offset_ns = 0;

  [[nodiscard]] std::int64_t to_ns(std::uint64_t ts) const noexcept {
    // The usual units (microseconds, nanoseconds) take one multiply, on every packet.
    std::uint64_t ns = 0;
    if (ts_shift == 0 && ts_div == 1 && !__builtin_mul_overflow(ts, ts_mul, &ns) &&
        ns <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max() / 2)) {
      return static_cast<std::int64_t>(ns) + ts_offset_ns;
    }
    return to_ns_exact(ts);
  }
  // Any units, in 128-bit arithmetic; clamped to half the int64 range.
  [[nodiscard]] std::int64_t to_ns_exact(std::uint64_t ts) const noexcept;
};

// Where a pcap record header keeps its two lengths. Files older than version 2.3 swapped them
// ("swapped"); 2.3 files may have either order, the captured length being the smaller
// ("maybe_swapped"). libpcap reads all three.
enum class pcap_lengths : std::uint8_t { normal, swapped, maybe_swapped };

// The state of one pcap file or one pcapng section: immutable once a chunk refers to it.
struct section_state {
  container kind = container::pcap;
  bool big_endian = false;
  // pcap variants: a record header of 24 bytes (Alexey Kuznetzov's "modified" format, magic
  // 0xa1b2cd34, which adds the interface index, protocol and packet type) and the length order.
  // Only the common format (16 bytes, normal) takes the fast walks.
  std::uint8_t pcap_record_bytes = 16;
  pcap_lengths lengths = pcap_lengths::normal;
  [[nodiscard]] bool common_pcap() const noexcept {
    return pcap_record_bytes == 16 && lengths == pcap_lengths::normal;
  }
  std::uint32_t index = 0;  // 0-based section number within the input
  std::vector<interface_desc> interfaces;
};

// One packet record, pointing into the input.
struct frame {
  const std::byte* data = nullptr;
  std::uint32_t caplen = 0;
  std::uint32_t origlen = 0;
  std::int64_t ts_ns = no_timestamp;
  std::uint32_t interface = 0;
  const interface_desc* iface = nullptr;
};

class framer {
 public:
  struct cut {
    std::size_t skip = 0;       // bytes of headers and metadata before the chunk
    std::size_t length = 0;     // bytes of whole records forming the chunk (may be 0)
    std::uint64_t records = 0;  // records in the chunk
    std::size_t need = 0;       // when length == 0 and !done: bytes wanted from `avail` start
    bool done = false;          // the input ended cleanly after this cut
  };

  // Cuts the next chunk of about target_bytes from avail, which starts at the current position.
  // A fault after some good records returns those first; the error comes on the next call, with
  // the byte offset and 1-based record number where it lies.
  [[nodiscard]] core::result<cut> next(core::bytes avail, bool at_eof, std::size_t target_bytes);
  // As next(), and calls visit(const frame&) for every packet record of the chunk. A run of
  // packet records is visited in the same pass that checks it, so a walk over a mapped file
  // reads each record header once instead of twice (cut, then for_each_frame).
  template <typename Fn>
  [[nodiscard]] core::result<cut> next_visiting(core::bytes avail, bool at_eof,
                                                std::size_t target_bytes, Fn&& visit);

  // The section the last chunk belongs to (null before the first header).
  [[nodiscard]] const std::shared_ptr<const section_state>& section() const noexcept {
    return section_;
  }
  [[nodiscard]] std::uint64_t offset() const noexcept { return offset_; }
  [[nodiscard]] std::uint64_t records() const noexcept { return records_; }
  [[nodiscard]] std::uint32_t sections() const noexcept { return sections_; }
  [[nodiscard]] bool started() const noexcept { return section_ != nullptr; }

  // --resync: pcap records must also look like what a capture tool writes (a non-zero captured
  // length, the fraction of a second in range), so that bytes lost inside a frame, which shift
  // the next headers into frame data, are noticed instead of read as records.
  void set_strict(bool strict) noexcept { strict_ = strict; }

  // After a fault inside a section: goes on at `offset`, a likely record boundary found by
  // find_record_start, keeping the section state and the record count (--resync).
  void resync(std::uint64_t offset) noexcept {
    offset_ = offset;
    pending_ = {};
  }

  // --range: records (of any kind) whose header starts at or after `end` are not taken; the
  // walk then ends as if the input ended there (cut::done). The record that crosses `end` is
  // taken whole.
  void set_limit(std::uint64_t end) noexcept { limit_ = end; }
  [[nodiscard]] std::uint64_t limit() const noexcept { return limit_; }

  // Continues a walk at `offset` (a record boundary) under a known section state, as parallel
  // walkers of one mapped file do; record numbers then count from that point.
  void resume(std::shared_ptr<const section_state> section, std::uint64_t offset) noexcept {
    pcapng_ = section->kind == container::pcapng;
    sections_ = section->index + 1;
    section_ = std::move(section);
    offset_ = offset;
    records_ = 0;
    pending_ = {};
  }

 private:
  enum class step : std::uint8_t { record, metadata, need_more, end };
  struct step_result {
    step kind;
    std::size_t size;  // bytes of this record, or bytes needed
  };
  [[nodiscard]] core::result<step_result> look(core::bytes at, bool at_eof);
  [[nodiscard]] core::result<step_result> look_pcap_header(core::bytes at, bool at_eof);
  [[nodiscard]] core::result<step_result> look_pcap_record(core::bytes at, bool at_eof);
  [[nodiscard]] core::result<step_result> look_pcapng_block(core::bytes at, bool at_eof);
  [[nodiscard]] core::error fault(core::errc code, std::size_t at) const noexcept;
  // The common case, whole packet records one after another, in a tight loop from avail[pos]:
  // adds them to c until target, the end of avail or anything else (left to look()); returns
  // the position reached. visit(const frame&) sees each record (detail::no_visit: nothing).
  // Adds the record of `bytes` at pos to the chunk.
  void take_record(std::size_t bytes, std::size_t& pos, cut& c) noexcept {
    pos += bytes;
    c.length += bytes;
    ++c.records;
    ++records_;
  }
  template <typename Visit>
  std::size_t walk_pcap_records(core::bytes avail, std::size_t pos, std::size_t target, cut& c,
                                Visit&& visit) noexcept;
  template <typename Visit>
  std::size_t walk_pcapng_packets(core::bytes avail, std::size_t pos, std::size_t target, cut& c,
                                  Visit&& visit) noexcept;

  // The bytes of records a chunk may still take from avail[pos] on (records started before
  // the limit), given the target and what the chunk holds; 0 at or past the limit.
  [[nodiscard]] std::size_t room(std::size_t target, const cut& c, std::size_t pos) const noexcept {
    const std::uint64_t at = offset_ + pos;
    if (at >= limit_) return 0;
    return static_cast<std::size_t>(
        std::min<std::uint64_t>(target, std::uint64_t{c.length} + (limit_ - at)));
  }

  std::shared_ptr<const section_state> section_;
  std::uint64_t limit_ = std::numeric_limits<std::uint64_t>::max();
  std::uint64_t offset_ = 0;       // absolute offset of the next unread byte
  std::uint64_t look_offset_ = 0;  // absolute offset of the record being looked at
  std::uint64_t records_ = 0;      // records (pcap packets or pcapng blocks) consumed so far
  std::uint32_t sections_ = 0;
  bool pcapng_ = false;
  bool strict_ = false;
  core::error pending_{};
  [[nodiscard]] bool implausible_pcap_record(const std::byte* at) const noexcept;
};

// The first position in [from, to) where `chain` consecutive records (or the records up to the
// end of data) look well-formed under `section`: a likely record boundary. It is a guess, to be
// verified by a walk from a known boundary; npos when none is found.
[[nodiscard]] std::size_t find_record_start(core::bytes data, std::size_t from, std::size_t to,
                                            const section_state& section, unsigned chain = 8);

// Whether two states describe the same section and interface table (state only grows by
// interfaces within a section, and each section has its own index).
[[nodiscard]] inline bool same_state(const section_state& a, const section_state& b) noexcept {
  return a.kind == b.kind && a.index == b.index && a.big_endian == b.big_endian &&
         a.interfaces.size() == b.interfaces.size();
}

// Calls fn(const frame&) for every packet record in a chunk cut by framer::next.
template <typename Fn>
void for_each_frame(core::bytes chunk, const section_state& section, Fn&& fn);

}  // namespace ouiscan::capture

#include "ouiscan/capture/framer_inl.h"
