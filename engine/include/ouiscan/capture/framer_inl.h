// File: framer_inl.h
// The per-record loop of for_each_frame(), inlined into its callers because it is the hot path.
// The framer has already validated every length read here.
#pragma once

#include <tuple>
#include <type_traits>
#include <utility>

#include "ouiscan/capture/format.h"
#include "ouiscan/capture/framer.h"

namespace ouiscan::capture {
namespace detail {

// The visitor of a walk that only cuts.
struct no_visit {
  void operator()(const frame&) const noexcept {}
};
// How far ahead of the current record the next records' lines are requested: the walk is bound
// by memory latency, and a prefetch hides it.
inline constexpr std::size_t prefetch_distance = 2048;

// Prefetch never faults, so the address may lie past the chunk; integer arithmetic keeps the
// pointer itself in bounds.
inline void prefetch_ahead(const std::byte* p) noexcept {
  const std::uintptr_t ahead = reinterpret_cast<std::uintptr_t>(p) + prefetch_distance;
  // NOLINTNEXTLINE(performance-no-int-to-ptr): the address may lie past the data, on purpose
  __builtin_prefetch(reinterpret_cast<const void*>(ahead));
}

// The record walks' prefetch: every cache line up to `window` bytes past the end of the record
// just read, each requested once. The walk reads only each record's header and first bytes, too
// sparse for the hardware prefetcher to run far enough ahead; the next header's line is then a
// miss that the walk waits for. `ahead` is the offset from `base` of the next line to request.
inline constexpr std::size_t prefetch_window = 4096;
inline void prefetch_through(const std::byte* base, std::size_t& ahead, std::size_t end) noexcept {
  const auto origin = reinterpret_cast<std::uintptr_t>(base);
  for (; ahead < end + prefetch_window; ahead += 64) {
    // NOLINTNEXTLINE(performance-no-int-to-ptr): the address may lie past the data, on purpose
    __builtin_prefetch(reinterpret_cast<const void*>(origin + ahead));
  }
}

// The frame view of the pcap record at p.
inline void pcap_packet(const std::byte* p, bool big_endian, const interface_desc& iface,
                        frame& f) {
  const auto sec = core::load<std::uint32_t>(p, big_endian);
  const auto frac = core::load<std::uint32_t>(p + 4, big_endian);
  f.caplen = core::load<std::uint32_t>(p + 8, big_endian);
  f.origlen = core::load<std::uint32_t>(p + 12, big_endian);
  f.data = p + format::pcap_record_header;
  f.ts_ns = static_cast<std::int64_t>(sec) * 1'000'000'000 +
            static_cast<std::int64_t>(frac * iface.ts_mul);
  f.iface = &iface;
}

// The (captured, original) lengths of the pcap record at p, in any variant's order.
inline std::pair<std::uint32_t, std::uint32_t> pcap_lengths_at(const std::byte* p,
                                                               const section_state& s) noexcept {
  const auto a = core::load<std::uint32_t>(p + 8, s.big_endian);
  const auto b = core::load<std::uint32_t>(p + 12, s.big_endian);
  const bool swap =
      s.lengths == pcap_lengths::swapped || (s.lengths == pcap_lengths::maybe_swapped && a > b);
  return swap ? std::pair{b, a} : std::pair{a, b};
}

// The variants' records (rare): lengths in either order, longer headers.
template <typename Fn>
void for_each_pcap_variant_frame(core::bytes chunk, const section_state& s, Fn&& fn) {
  const std::byte* p = chunk.data();
  const std::byte* const end = p + chunk.size();
  while (p < end) {
    frame f;
    pcap_packet(p, s.big_endian, s.interfaces.front(), f);
    std::tie(f.caplen, f.origlen) = pcap_lengths_at(p, s);
    f.data = p + s.pcap_record_bytes;
    fn(static_cast<const frame&>(f));
    p += s.pcap_record_bytes + f.caplen;
  }
}

template <bool BigEndian, typename Fn>
void for_each_pcap_frame(core::bytes chunk, const section_state& s, Fn&& fn) {
  const interface_desc& iface = s.interfaces.front();
  const std::byte* p = chunk.data();
  const std::byte* const end = p + chunk.size();
  while (p < end) {
    prefetch_ahead(p);
    frame f;
    pcap_packet(p, BigEndian, iface, f);
    fn(static_cast<const frame&>(f));
    p += format::pcap_record_header + f.caplen;
  }
}

inline void pcapng_packet(const std::byte* p, std::uint32_t type, std::uint32_t block_len,
                          const section_state& s, frame& f) {
  const bool be = s.big_endian;
  if (type == format::block_simple_packet) {
    f.interface = 0;
    f.iface = &s.interfaces.front();
    f.origlen = core::load<std::uint32_t>(p + 8, be);
    const std::uint32_t room = block_len - 16;
    f.caplen = f.origlen < room ? f.origlen : room;
    if (f.iface->snaplen != 0 && f.caplen > f.iface->snaplen) f.caplen = f.iface->snaplen;
    f.data = p + 12;
    f.ts_ns = no_timestamp;
    return;
  }
  f.interface = type == format::block_packet ? core::load<std::uint16_t>(p + 8, be)
                                             : core::load<std::uint32_t>(p + 8, be);
  f.iface = &s.interfaces[f.interface];
  const std::uint64_t ts = (std::uint64_t{core::load<std::uint32_t>(p + 12, be)} << 32) |
                           core::load<std::uint32_t>(p + 16, be);
  f.ts_ns = f.iface->to_ns(ts);
  f.caplen = core::load<std::uint32_t>(p + 20, be);
  f.origlen = core::load<std::uint32_t>(p + 24, be);
  f.data = p + 28;
}

template <typename Fn>
void for_each_pcapng_frame(core::bytes chunk, const section_state& s, Fn&& fn) {
  const std::byte* p = chunk.data();
  const std::byte* const end = p + chunk.size();
  while (p < end) {
    prefetch_ahead(p);
    const auto type = core::load<std::uint32_t>(p, s.big_endian);
    const auto len = core::load<std::uint32_t>(p + 4, s.big_endian);
    if (type == format::block_enhanced_packet || type == format::block_simple_packet ||
        type == format::block_packet) {
      frame f;
      pcapng_packet(p, type, len, s, f);
      fn(static_cast<const frame&>(f));
    }
    p += len;
  }
}

}  // namespace detail

template <typename Visit>
std::size_t framer::walk_pcap_records(core::bytes avail, std::size_t pos, std::size_t target,
                                      cut& c, Visit&& visit) noexcept {
  constexpr std::size_t header = format::pcap_record_header;
  if (!section_->common_pcap()) return pos;  // look() reads the variants' records
  const bool be = section_->big_endian;
  const interface_desc& iface = section_->interfaces.front();
  const std::byte* const base = avail.data();
  const std::size_t size = avail.size();
  std::size_t ahead = pos;
  while (c.length < target && size - pos >= header) {
    const std::byte* p = base + pos;
    const auto caplen = core::load<std::uint32_t>(p + 8, be);
    if (caplen > max_record_bytes || size - pos - header < caplen || implausible_pcap_record(p)) {
      break;
    }
    detail::prefetch_through(base, ahead, pos + header + caplen);
    if constexpr (!std::is_same_v<std::decay_t<Visit>, detail::no_visit>) {
      frame f;
      detail::pcap_packet(p, be, iface, f);
      visit(static_cast<const frame&>(f));
    }
    take_record(header + caplen, pos, c);
  }
  return pos;
}

template <typename Visit>
std::size_t framer::walk_pcapng_packets(core::bytes avail, std::size_t pos, std::size_t target,
                                        cut& c, Visit&& visit) noexcept {
  const bool be = section_->big_endian;
  const std::size_t interfaces = section_->interfaces.size();
  const std::byte* const base = avail.data();
  const std::size_t size = avail.size();
  std::size_t ahead = pos;
  while (c.length < target && size - pos >= format::min_enhanced_packet) {
    const std::byte* p = base + pos;
    if (core::load<std::uint32_t>(p, be) != format::block_enhanced_packet) break;
    const auto len = core::load<std::uint32_t>(p + 4, be);
    if (len < format::min_enhanced_packet || len % 4 != 0 || len > max_record_bytes ||
        size - pos < len || core::load<std::uint32_t>(p + len - 4, be) != len ||
        core::load<std::uint32_t>(p + 8, be) >= interfaces ||
        core::load<std::uint32_t>(p + 20, be) > len - format::min_enhanced_packet) {
      break;  // look() reports the fault, or handles the block
    }
    detail::prefetch_through(base, ahead, pos + len);
    if constexpr (!std::is_same_v<std::decay_t<Visit>, detail::no_visit>) {
      frame f;
      detail::pcapng_packet(p, format::block_enhanced_packet, len, *section_, f);
      visit(static_cast<const frame&>(f));
    }
    take_record(len, pos, c);
  }
  return pos;
}

template <typename Fn>
core::result<framer::cut> framer::next_visiting(core::bytes avail, bool at_eof,
                                                std::size_t target_bytes, Fn&& visit) {
  if (pending_.code == core::errc::ok && section_) {
    cut c;
    const std::size_t target = room(target_bytes, c, 0);
    const std::size_t pos = pcapng_ ? walk_pcapng_packets(avail, 0, target, c, visit)
                                    : walk_pcap_records(avail, 0, target, c, visit);
    if (c.length > 0) {
      offset_ += pos;
      return c;
    }
  }
  // Headers, other blocks, faults, the end: the general path, then the chunk's frames.
  auto c = next(avail, at_eof, target_bytes);
  if (c && c->length > 0) {
    for_each_frame(avail.subspan(c->skip, c->length), *section_, visit);
  }
  return c;
}

template <typename Fn>
void for_each_frame(core::bytes chunk, const section_state& section, Fn&& fn) {
  if (section.kind == container::pcapng) {
    detail::for_each_pcapng_frame(chunk, section, fn);
  } else if (!section.common_pcap()) {
    detail::for_each_pcap_variant_frame(chunk, section, fn);
  } else if (section.big_endian) {
    detail::for_each_pcap_frame<true>(chunk, section, fn);
  } else {
    detail::for_each_pcap_frame<false>(chunk, section, fn);
  }
}

}  // namespace ouiscan::capture
