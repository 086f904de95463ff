#include "ouiscan/capture/framer.h"

#include <algorithm>

#include "ouiscan/capture/format.h"

namespace ouiscan::capture {
namespace {

using core::errc;
using core::load;
using core::load_le;
using namespace format;  // NOLINT(google-build-using-namespace): the formats' numbers

// Interleaving interface descriptions with packets copies the table each time; the cap keeps a
// hostile file from making that quadratic cost unbounded.
constexpr std::size_t max_interfaces = 4096;

constexpr std::uint64_t pow10(unsigned n) noexcept {
  std::uint64_t v = 1;
  while (n-- > 0) v *= 10;
  return v;
}

// Sets the timestamp scale from if_tsresol: 10^-n seconds, or 2^-n when the top bit is set.
void set_resolution(interface_desc& d, std::uint8_t tsresol) noexcept {
  const unsigned n = tsresol & 0x7Fu;
  d.ts_mul = 1;
  d.ts_div = 1;
  d.ts_shift = 0;
  if ((tsresol & 0x80u) != 0) {
    if (n == 0) {
      d.ts_mul = 1'000'000'000;
    } else {
      d.ts_shift = static_cast<std::uint8_t>(std::min(n, 127u));
    }
  } else if (n <= 9) {
    d.ts_mul = pow10(9 - n);
  } else {
    d.ts_div = n - 9 >= 19 ? pow10(19) : pow10(n - 9);
  }
}

void parse_idb_options(core::bytes opts, bool be, interface_desc& d) noexcept {
  std::size_t i = 0;
  while (i + 4 <= opts.size()) {
    const auto code = load<std::uint16_t>(opts.data() + i, be);
    const auto len = load<std::uint16_t>(opts.data() + i + 2, be);
    if (code == opt_endofopt) break;
    const std::size_t value = i + 4;
    if (value + len > opts.size()) break;  // an overrunning option ends the list
    if (code == opt_if_tsresol && len >= 1) set_resolution(d, core::u8(opts.data() + value));
    if (code == opt_if_fcslen && len >= 1) {
      d.fcs_bytes = static_cast<std::int8_t>(std::min<int>(core::u8(opts.data() + value), 127));
    }
    if (code == opt_if_tsoffset && len >= 8) {
      constexpr std::int64_t limit_s = std::numeric_limits<std::int64_t>::max() / 4 / 1'000'000'000;
      const auto seconds = static_cast<std::int64_t>(load<std::uint64_t>(opts.data() + value, be));
      d.ts_offset_ns = std::clamp(seconds, -limit_s, limit_s) * 1'000'000'000;
    }
    i = value + ((len + 3u) & ~std::size_t{3});
  }
}

}  // namespace

bool is_capture_magic(std::uint32_t w) noexcept {
  return w == pcap_magic_us || w == pcap_magic_ns || w == pcap_magic_modified ||
         w == core::byteswap(pcap_magic_us) || w == core::byteswap(pcap_magic_ns) ||
         w == core::byteswap(pcap_magic_modified) || w == block_section_header;
}

std::int64_t interface_desc::to_ns_exact(std::uint64_t ts) const noexcept {
  __extension__ using u128 = unsigned __int128;
  u128 ns = 0;
  if (ts_shift != 0) {
    ns = (u128{ts} * 1'000'000'000u) >> ts_shift;
  } else {
    ns = u128{ts} * ts_mul / ts_div;
  }
  const auto clamped = static_cast<std::int64_t>(
      std::min<u128>(ns, static_cast<u128>(std::numeric_limits<std::int64_t>::max() / 2)));
  return clamped + ts_offset_ns;
}

core::error framer::fault(core::errc code, std::size_t at) const noexcept {
  return core::error{code, look_offset_ + at, records_ + 1, 0};
}

core::result<framer::step_result> framer::look_pcap_header(core::bytes at, bool at_eof) {
  if (at.size() < 4) {
    if (!at_eof) return step_result{step::need_more, 4};
    return fault(errc::no_header, 0);
  }
  const auto magic_le = load_le<std::uint32_t>(at.data());
  if (magic_le == block_section_header) {
    pcapng_ = true;
    return look_pcapng_block(at, at_eof);
  }
  const bool be = core::byteswap(magic_le) == pcap_magic_us ||
                  core::byteswap(magic_le) == pcap_magic_ns ||
                  core::byteswap(magic_le) == pcap_magic_modified;
  const std::uint32_t magic = be ? core::byteswap(magic_le) : magic_le;
  if (magic != pcap_magic_us && magic != pcap_magic_ns && magic != pcap_magic_modified) {
    return fault(errc::bad_magic, 0);
  }
  const bool ns = magic == pcap_magic_ns;
  if (at.size() < pcap_file_header) {
    if (!at_eof) return step_result{step::need_more, pcap_file_header};
    return fault(errc::no_header, 0);
  }
  const std::byte* p = at.data();
  if (load<std::uint16_t>(p + 4, be) != 2) return fault(errc::unsupported_version, 4);
  const auto lt = load<std::uint32_t>(p + 20, be);
  if ((lt & pcap_lt_reserved) != 0) return fault(errc::bad_header, 20);
  auto s = std::make_shared<section_state>();
  s->kind = container::pcap;
  s->big_endian = be;
  if (magic == pcap_magic_modified) s->pcap_record_bytes = pcap_modified_record;
  const auto minor = load<std::uint16_t>(p + 6, be);
  s->lengths = minor < 3    ? pcap_lengths::swapped
               : minor == 3 ? pcap_lengths::maybe_swapped
                            : pcap_lengths::normal;
  interface_desc d;
  d.link_type = static_cast<std::uint16_t>(lt & 0xFFFF);
  if ((lt & pcap_lt_fcs_present) != 0) d.fcs_bytes = static_cast<std::int8_t>((lt >> 28) * 2);
  d.snaplen = load<std::uint32_t>(p + 16, be);
  d.ts_mul = ns ? 1 : 1000;
  s->interfaces.push_back(d);
  section_ = std::move(s);
  sections_ = 1;
  return step_result{step::metadata, pcap_file_header};
}

core::result<framer::step_result> framer::look_pcap_record(core::bytes at, bool at_eof) {
  const std::size_t header = section_->pcap_record_bytes;
  if (at.size() < header) {
    if (at.empty() && at_eof) return step_result{step::end, 0};
    if (!at_eof) return step_result{step::need_more, header};
    return fault(errc::truncated_file, 0);
  }
  const std::uint32_t caplen = detail::pcap_lengths_at(at.data(), *section_).first;
  if (caplen > max_record_bytes || implausible_pcap_record(at.data())) {
    return fault(errc::bad_record_length, 8);
  }
  const std::size_t size = header + caplen;
  if (at.size() < size) {
    if (!at_eof) return step_result{step::need_more, size};
    return fault(errc::truncated_file, 0);
  }
  return step_result{step::record, size};
}

core::result<framer::step_result> framer::look_pcapng_block(core::bytes at, bool at_eof) {
  if (at.size() < block_header + 4) {
    if (at.empty() && at_eof && section_) return step_result{step::end, 0};
    if (!at_eof) return step_result{step::need_more, block_header + 4};
    return fault(section_ ? errc::truncated_file : errc::no_header, 0);
  }
  const std::byte* p = at.data();
  const auto type_le = load_le<std::uint32_t>(p);
  bool be = section_ ? section_->big_endian : false;
  if (type_le == block_section_header) {
    const auto bom = load_le<std::uint32_t>(p + 8);
    if (bom == byte_order_magic) {
      be = false;
    } else if (core::byteswap(bom) == byte_order_magic) {
      be = true;
    } else {
      return fault(errc::bad_header, 8);
    }
  } else if (!section_) {
    return fault(errc::bad_magic, 0);
  }
  const auto type = load<std::uint32_t>(p, be);
  const auto len = load<std::uint32_t>(p + 4, be);
  if (len < block_header + 4 || len % 4 != 0 || len > max_record_bytes) {
    return fault(errc::bad_block_length, 4);
  }
  if (at.size() < len) {
    if (!at_eof) return step_result{step::need_more, len};
    return fault(section_ ? errc::truncated_file : errc::no_header, 0);
  }
  if (load<std::uint32_t>(p + len - 4, be) != len) return fault(errc::bad_block_length, len - 4);

  if (type == block_section_header) {
    if (len < min_section_header) return fault(errc::bad_block_length, 4);
    const auto major = load<std::uint16_t>(p + 12, be);
    const auto minor = load<std::uint16_t>(p + 14, be);
    if (major != 1 || (minor != 0 && minor != 2)) return fault(errc::unsupported_version, 12);
    return step_result{step::metadata, len};
  }
  if (type == block_interface) {
    if (len < min_interface) return fault(errc::bad_block_length, 4);
    if (section_->interfaces.size() >= max_interfaces) return fault(errc::bad_interface, 8);
    return step_result{step::metadata, len};
  }
  const std::size_t interfaces = section_->interfaces.size();
  if (type == block_enhanced_packet || type == block_packet) {
    if (len < min_enhanced_packet) return fault(errc::bad_block_length, 4);
    const std::uint32_t id =
        type == block_packet ? load<std::uint16_t>(p + 8, be) : load<std::uint32_t>(p + 8, be);
    if (id >= interfaces) return fault(errc::bad_interface, 8);
    if (load<std::uint32_t>(p + 20, be) > len - min_enhanced_packet) {
      return fault(errc::bad_block_length, 20);
    }
  } else if (type == block_simple_packet) {
    if (len < min_simple_packet) return fault(errc::bad_block_length, 4);
    if (interfaces == 0) return fault(errc::bad_interface, 0);
  }
  return step_result{step::record, len};
}

bool framer::implausible_pcap_record(const std::byte* at) const noexcept {
  if (!strict_) return false;
  const bool be = section_->big_endian;
  const auto frac = load<std::uint32_t>(at + 4, be);
  const std::uint32_t caplen = detail::pcap_lengths_at(at, *section_).first;
  const std::uint32_t frac_limit =
      section_->interfaces.front().ts_mul == 1 ? 1'000'000'000 : 1'000'000;
  return caplen == 0 || frac >= frac_limit;
}

namespace {

constexpr std::uint32_t max_plausible_frame = 262144;  // libpcap's largest snapshot length

// The length of a plausible record at data[p], or 0.
std::size_t plausible_record(core::bytes data, std::size_t p, const section_state& s) noexcept {
  const std::size_t left = data.size() - p;
  const std::byte* at = data.data() + p;
  const bool be = s.big_endian;
  if (s.kind == container::pcap) {
    if (left < s.pcap_record_bytes) return 0;
    const auto frac = load<std::uint32_t>(at + 4, be);
    const auto [caplen, origlen] = detail::pcap_lengths_at(at, s);
    const std::uint32_t frac_limit = s.interfaces.front().ts_mul == 1 ? 1'000'000'000 : 1'000'000;
    // Empty records are legal but rare; refusing them keeps runs of zero bytes (padding,
    // zeroed payloads) from passing as a chain of records.
    if (frac >= frac_limit || caplen == 0 || caplen > origlen || origlen > max_plausible_frame) {
      return 0;
    }
    return s.pcap_record_bytes + std::size_t{caplen};
  }
  // Blocks are 4-byte aligned within a section, but bytes lost from a damaged file can shift
  // everything after them: the chain of matching lengths and trailers is the real test.
  if (left < block_header + 4) return 0;
  const auto type = load<std::uint32_t>(at, be);
  const auto len = load<std::uint32_t>(at + 4, be);
  const bool known =
      type <= 10 || type == 0x0BAD || type == 0x40000BAD || type == block_section_header;
  if (!known || len < block_header + 4 || len % 4 != 0 || len > max_record_bytes || len > left ||
      load<std::uint32_t>(at + len - 4, be) != len) {
    return 0;
  }
  if (type == block_enhanced_packet &&
      (len < min_enhanced_packet || load<std::uint32_t>(at + 8, be) >= s.interfaces.size() ||
       load<std::uint32_t>(at + 20, be) > len - min_enhanced_packet ||
       load<std::uint32_t>(at + 20, be) == 0)) {
    return 0;
  }
  return len;
}

}  // namespace

std::size_t find_record_start(core::bytes data, std::size_t from, std::size_t to,
                              const section_state& section, unsigned chain) {
  to = std::min(to, data.size());
  constexpr std::uint32_t max_gap_s = 86400;  // consecutive records lie within a day of each other
  const auto seconds = [&](std::size_t q) {
    return section.kind == container::pcap
               ? load<std::uint32_t>(data.data() + q, section.big_endian)
               : 0u;
  };
  for (std::size_t p = from; p < to; ++p) {
    std::size_t q = p;
    unsigned good = 0;
    unsigned jumps = 0;  // captures joined end to end jump in time once
    std::uint32_t last_s = 0;
    while (good < chain && q < data.size()) {
      const std::size_t n = plausible_record(data, q, section);
      if (n == 0) break;
      const std::uint32_t s_now = seconds(q);
      if (good > 0 && (s_now > last_s ? s_now - last_s : last_s - s_now) > max_gap_s &&
          ++jumps > 1) {
        break;
      }
      last_s = s_now;
      q += n;
      ++good;
    }
    if (good == chain || (good > 0 && q == data.size())) return p;
  }
  return static_cast<std::size_t>(-1);
}

core::result<framer::step_result> framer::look(core::bytes at, bool at_eof) {
  if (!section_) return look_pcap_header(at, at_eof);
  return pcapng_ ? look_pcapng_block(at, at_eof) : look_pcap_record(at, at_eof);
}

core::result<framer::cut> framer::next(core::bytes avail, bool at_eof, std::size_t target_bytes) {
  if (pending_.code != errc::ok) return pending_;
  cut c;
  std::size_t pos = 0;
  const auto finish = [&]() -> cut {
    offset_ += pos;
    return c;
  };
  for (;;) {
    // The common case, whole packet records one after another, runs in a tight loop; anything
    // else (headers, faults, the end of the data) falls through to look().
    const std::size_t target = room(target_bytes, c, pos);
    if (target == 0) {  // --range: the next record starts at or past the limit
      c.done = true;
      return finish();
    }
    if (section_) {
      pos = pcapng_ ? walk_pcapng_packets(avail, pos, target, c, detail::no_visit{})
                    : walk_pcap_records(avail, pos, target, c, detail::no_visit{});
      if (c.length >= target) {
        c.done = target < target_bytes && offset_ + pos >= limit_;
        return finish();
      }
    }
    look_offset_ = offset_ + pos;
    const auto looked = look(avail.subspan(pos), at_eof);
    if (!looked) {
      pending_ = looked.error();
      if (c.length > 0) return finish();
      return pending_;
    }
    const std::size_t size = looked->size;
    switch (looked->kind) {
      case step::record:
        take_record(size, pos, c);
        if (c.length >= target) {
          c.done = target < target_bytes && offset_ + pos >= limit_;
          return finish();
        }
        break;
      case step::metadata: {
        if (c.length > 0) return finish();  // the chunk keeps the state it started with
        const std::byte* p = avail.data() + pos;
        if (pcapng_) {
          const bool shb = load_le<std::uint32_t>(p) == block_section_header;
          if (shb) {
            auto s = std::make_shared<section_state>();
            s->kind = container::pcapng;
            s->big_endian = core::byteswap(load_le<std::uint32_t>(p + 8)) == byte_order_magic;
            s->index = sections_++;
            section_ = std::move(s);
          } else {
            auto s = std::make_shared<section_state>(*section_);
            interface_desc d;
            d.link_type = load<std::uint16_t>(p + 8, s->big_endian);
            d.snaplen = load<std::uint32_t>(p + 12, s->big_endian);
            d.ts_mul = 1000;  // the default resolution is microseconds
            parse_idb_options(core::bytes(p + 16, size - 20), s->big_endian, d);
            s->interfaces.push_back(d);
            section_ = std::move(s);
          }
        }
        pos += size;
        c.skip = pos;
        if (pcapng_) ++records_;  // a pcap file header is not a record; a pcapng block is
        break;
      }
      case step::need_more:
        if (c.length == 0) c.need = size;
        return finish();
      case step::end:
        c.done = true;
        return finish();
    }
  }
}

}  // namespace ouiscan::capture
