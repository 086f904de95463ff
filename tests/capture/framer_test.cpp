#include "ouiscan/capture/framer.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>
#include <tuple>
#include <vector>

#include "capture_builder.h"
#include "ouiscan/capture/link_type.h"
#include "ouiscan/capture/walk.h"

namespace ouiscan::capture {
namespace {

using testing::byte_vec;
using testing::ethernet;
using testing::hex;
using testing::pcap_builder;
using testing::pcapng_builder;

struct seen_frame {
  std::uint16_t link_type;
  std::uint32_t interface;
  std::uint32_t caplen;
  std::uint32_t origlen;
  std::int64_t ts_ns;
  std::string first_bytes;  // hex of the first 6 bytes
  bool operator==(const seen_frame&) const = default;
};

struct walk_result {
  std::vector<seen_frame> frames;
  std::optional<core::error> error;
  std::uint32_t sections = 0;
};

std::string hex_of(const std::byte* p, std::size_t n) {
  static const char* digits = "0123456789abcdef";
  std::string s;
  for (std::size_t i = 0; i < n; ++i) {
    const auto v = std::to_integer<unsigned>(p[i]);
    s += digits[v >> 4];
    s += digits[v & 15];
  }
  return s;
}

// Walks `data` as a stream revealed `step` bytes at a time (everything at once when step is 0),
// cutting chunks of about `target` bytes, as the pipeline does.
walk_result walk(const byte_vec& data, std::size_t target = 1 << 20, std::size_t step = 0) {
  walk_result r;
  const auto end = capture::walk(data, {.target = target, .step = step}, [&](const frame& fr) {
    r.frames.push_back({fr.iface->link_type, fr.interface, fr.caplen, fr.origlen, fr.ts_ns,
                        hex_of(fr.data, std::min<std::uint32_t>(fr.caplen, 6))});
  });
  EXPECT_FALSE(end.stalled) << "the framer asked for more data at the end of the input";
  r.error = end.error;
  r.sections = end.sections;
  return r;
}

const byte_vec frame_a = ethernet("ffffffffffff", "001122334455", 0x0806);
const byte_vec frame_b = ethernet("001122334455", "00aabbccddee", 0x0800, byte_vec(100));

class PcapVariants : public ::testing::TestWithParam<std::tuple<bool, bool>> {};

TEST_P(PcapVariants, ReadsEveryRecordWithItsTimestamp) {
  const auto [big_endian, nanos] = GetParam();
  pcap_builder b(big_endian, nanos, 1);
  b.record(1'700'000'000, 123'456, frame_a).record(1'700'000'001, 999'999, frame_b, 1514);
  const auto r = walk(b.bytes());
  ASSERT_FALSE(r.error) << core::to_string(*r.error);
  ASSERT_EQ(r.frames.size(), 2u);
  const std::int64_t unit = nanos ? 1 : 1000;
  EXPECT_EQ(r.frames[0],
            (seen_frame{1, 0, 60, 60, 1'700'000'000'000'000'000 + 123'456 * unit, "ffffffffffff"}));
  EXPECT_EQ(r.frames[1], (seen_frame{1, 0, 114, 1514, 1'700'000'001'000'000'000 + 999'999 * unit,
                                     "001122334455"}));
}

INSTANTIATE_TEST_SUITE_P(AllFour, PcapVariants,
                         ::testing::Combine(::testing::Bool(), ::testing::Bool()));

TEST(Pcap, LimitTakesTheRecordsStartingBeforeIt) {
  // Header 24 bytes; records of 16 + 60 = 76 bytes (frame_a) and 16 + 114 = 130 (frame_b):
  // they start at 24, 100, 230 and 306.
  pcap_builder b(false, false, 1);
  b.record(1, 0, frame_a).record(2, 0, frame_b).record(3, 0, frame_a).record(4, 0, frame_b);
  const byte_vec& data = b.bytes();
  for (const auto& [limit, records, offset] :
       {std::tuple{1u, 0u, 24u}, std::tuple{24u, 0u, 24u}, std::tuple{25u, 1u, 100u},
        std::tuple{100u, 1u, 100u}, std::tuple{101u, 2u, 230u}, std::tuple{307u, 4u, 436u}}) {
    capture::framer f;
    f.set_limit(limit);
    std::size_t pos = 0;
    bool done = false;
    for (int calls = 0; calls < 10 && !done; ++calls) {
      auto cut = f.next(core::bytes(data.data() + pos, data.size() - pos), true, 64);
      ASSERT_TRUE(cut) << core::to_string(cut.error());
      pos += cut->skip + cut->length;
      done = cut->done;
    }
    EXPECT_TRUE(done) << "limit " << limit;
    EXPECT_EQ(f.records(), records) << "limit " << limit;
    EXPECT_EQ(f.offset(), offset) << "limit " << limit;
  }
}

TEST(Pcap, LinkTypeFieldKeepsLow16BitsAndFcsLength) {
  // 0x30000001 has FCS-length bits without the "present" bit: still Ethernet (as libpcap reads).
  pcap_builder b(false, false, 0x30000001);
  b.record(1, 0, frame_a);
  const auto r = walk(b.bytes());
  ASSERT_FALSE(r.error);
  EXPECT_EQ(r.frames.at(0).link_type, 1);

  // Bit 26 set: FCS length of 2 sixteen-bit words.
  pcap_builder fcs(false, false, 0x24000001);
  fcs.record(1, 0, frame_a);
  framer f;
  auto cut = f.next(fcs.bytes(), true, 1 << 20);
  ASSERT_TRUE(cut);
  EXPECT_EQ(f.section()->interfaces.at(0).fcs_bytes, 4);
  EXPECT_EQ(f.section()->interfaces.at(0).link_type, 1);
}

TEST(Pcap, RejectsReservedLinkTypeBits) {
  pcap_builder b(false, false, 0x00010001);
  const auto r = walk(b.bytes());
  ASSERT_TRUE(r.error);
  EXPECT_EQ(r.error->code, core::errc::bad_header);
}

TEST(Pcap, RejectsUnknownMagicAndEmptyInput) {
  auto r = walk(hex("00112233 44556677 8899aabb ccddeeff 00112233 44556677"));
  ASSERT_TRUE(r.error);
  EXPECT_EQ(r.error->code, core::errc::bad_magic);
}

// No whole file header is no capture (damage), not a capture whose last record was cut short.
TEST(Capture, NoHeaderIsNotACutShortCapture) {
  const byte_vec pcap_header = pcap_builder(false, false, 1).bytes();
  ASSERT_EQ(pcap_header.size(), 24U);  // the file header alone
  const byte_vec shb = hex("0a0d0d0a 1c000000 4d3c2b1a 01000000 ffffffff ffffffff 1c000000");
  for (const byte_vec& cut : {byte_vec{}, hex("d4c3"), hex("d4c3b2a1"),
                              byte_vec(pcap_header.begin(), pcap_header.begin() + 23),
                              hex("0a0d0d0a"), byte_vec(shb.begin(), shb.begin() + 20)}) {
    const auto r = walk(cut);
    ASSERT_TRUE(r.error) << cut.size();
    EXPECT_EQ(r.error->code, core::errc::no_header) << cut.size();
    EXPECT_EQ(r.error->offset, 0U) << cut.size();
  }
  // The header alone is an empty capture; a record cut after it is still "cut short".
  EXPECT_FALSE(walk(pcap_header).error);
  EXPECT_FALSE(walk(shb).error);
  byte_vec one = pcap_header;
  one.insert(one.end(), {std::byte{1}, std::byte{0}});
  const auto r = walk(one);
  ASSERT_TRUE(r.error);
  EXPECT_EQ(r.error->code, core::errc::truncated_file);
}

TEST(Pcap, TruncatedLastRecordKeepsEarlierOnesAndReportsWhere) {
  pcap_builder b(false, false, 1);
  b.record(1, 0, frame_a).record(2, 0, frame_b);
  byte_vec data = b.bytes();
  data.erase(data.end() - 10, data.end());  // cut inside record 2
  const auto r = walk(data);
  ASSERT_EQ(r.frames.size(), 1u);
  ASSERT_TRUE(r.error);
  EXPECT_EQ(r.error->code, core::errc::truncated_file);
  EXPECT_EQ(r.error->record, 2u);
  EXPECT_EQ(r.error->offset, 24u + 16 + 60);  // file header + record 1
}

TEST(Pcap, ImpossibleLengthStopsWithOffset) {
  pcap_builder b(true, false, 1);
  b.record(1, 0, frame_a).record(2, 0, frame_b).record(3, 0, frame_a);
  byte_vec data = b.bytes();
  const std::size_t rec2 = 24 + 16 + 60;
  data[rec2 + 8] = std::byte{0x7F};  // caplen of record 2 becomes about 2 GB (big-endian)
  const auto r = walk(data);
  ASSERT_EQ(r.frames.size(), 1u);
  ASSERT_TRUE(r.error);
  EXPECT_EQ(r.error->code, core::errc::bad_record_length);
  EXPECT_EQ(r.error->record, 2u);
  EXPECT_EQ(r.error->offset, rec2 + 8);
}

TEST(Pcap, ChunkingAndStreamingGiveTheSameFrames) {
  pcap_builder b(false, true, 1);
  for (std::uint32_t i = 0; i < 200; ++i) b.record(i, i, i % 2 == 0 ? frame_a : frame_b);
  const auto whole = walk(b.bytes());
  ASSERT_EQ(whole.frames.size(), 200u);
  for (std::size_t target : {1u, 100u, 1000u}) {
    for (std::size_t step : {0u, 1u, 7u, 4096u}) {
      const auto r = walk(b.bytes(), target, step);
      EXPECT_FALSE(r.error);
      EXPECT_EQ(r.frames, whole.frames) << "target " << target << " step " << step;
    }
  }
}

TEST(Pcapng, SectionsInBothByteOrdersWithTheirOwnInterfaces) {
  pcapng_builder b;
  b.section(false).interface(1).interface(113).epb(1, 5, frame_a).epb(0, 6, frame_b);
  b.section(true).interface(105, 9).epb(0, 7'000'000'001, frame_b);
  b.section(false).interface(1, 3).pb(0, 42, frame_a);
  const auto r = walk(b.bytes());
  ASSERT_FALSE(r.error) << core::to_string(*r.error);
  EXPECT_EQ(r.sections, 3u);
  ASSERT_EQ(r.frames.size(), 4u);
  EXPECT_EQ(r.frames[0], (seen_frame{113, 1, 60, 60, 5'000, "ffffffffffff"}));  // default: us
  EXPECT_EQ(r.frames[1], (seen_frame{1, 0, 114, 114, 6'000, "001122334455"}));
  EXPECT_EQ(r.frames[2], (seen_frame{105, 0, 114, 114, 7'000'000'001, "001122334455"}));  // ns
  EXPECT_EQ(r.frames[3], (seen_frame{1, 0, 60, 60, 42'000'000, "ffffffffffff"}));         // ms
}

TEST(Pcapng, TimestampResolutionBinaryAndOffset) {
  pcapng_builder b;
  // 2^-10 s units: 3 * 1024 units = 3 s; plus if_tsoffset of 1000 s.
  b.section(false).interface(1, 0x80 | 10, 1000).epb(0, 3 * 1024 + 512, frame_a);
  // 10^-12 s units (picoseconds).
  b.interface(1, 12).epb(1, 5'000'000, frame_a);
  const auto r = walk(b.bytes());
  ASSERT_FALSE(r.error);
  ASSERT_EQ(r.frames.size(), 2u);
  EXPECT_EQ(r.frames[0].ts_ns, 1003'500'000'000);
  EXPECT_EQ(r.frames[1].ts_ns, 5'000);
}

TEST(Pcapng, TimestampsNearTheInt64LimitAreClamped) {
  // Microseconds: 4,611,686,018,427,387 us is 4,611,686,018,427,387,000 ns, just under half
  // the int64 range (4,611,686,018,427,387,903); 2^62 us overflows 64 bits and is clamped.
  pcapng_builder b;
  b.section(false).interface(1).epb(0, 4'611'686'018'427'387, frame_a).epb(0, 1ULL << 62, frame_a);
  const auto r = walk(b.bytes());
  ASSERT_FALSE(r.error);
  ASSERT_EQ(r.frames.size(), 2u);
  EXPECT_EQ(r.frames[0].ts_ns, 4'611'686'018'427'387'000);
  EXPECT_EQ(r.frames[1].ts_ns, 4'611'686'018'427'387'903);
}

TEST(Pcapng, TimestampOffsetsAtTheInt64LimitsAreClamped) {
  // if_tsoffset of +-(2^63-1) seconds is held to +-2,305,843,009 s (a quarter of the int64
  // range in whole seconds), so that the offset cannot overflow when added to a timestamp.
  pcapng_builder b;
  b.section(false).interface(1, -1, std::numeric_limits<std::int64_t>::max()).epb(0, 5, frame_a);
  b.interface(1, -1, -std::numeric_limits<std::int64_t>::max()).epb(1, 1ULL << 62, frame_a);
  const auto r = walk(b.bytes());
  ASSERT_FALSE(r.error);
  ASSERT_EQ(r.frames.size(), 2u);
  EXPECT_EQ(r.frames[0].ts_ns, 2'305'843'009'000'000'000 + 5'000);
  EXPECT_EQ(r.frames[1].ts_ns, 4'611'686'018'427'387'903 - 2'305'843'009'000'000'000);
}

TEST(Pcapng, SimplePacketBlocksAndOtherBlocksSkipped) {
  pcapng_builder b;
  b.section(true)
      .interface(1, -1, 0, 64)
      .other(5, byte_vec(20))
      .spb(frame_b)
      .other(0xBAD, byte_vec(9));
  b.epb(0, 1, frame_a);
  const auto r = walk(b.bytes());
  ASSERT_FALSE(r.error);
  ASSERT_EQ(r.frames.size(), 2u);
  // The SPB is cut to the interface's snaplen of 64; it has no timestamp.
  EXPECT_EQ(r.frames[0], (seen_frame{1, 0, 64, 114, no_timestamp, "001122334455"}));
  EXPECT_EQ(r.frames[1].first_bytes, "ffffffffffff");
}

TEST(Pcapng, IfFcslenIsReadBesideOtherOptions) {
  // if_fcslen (13) = 4 after a comment of odd length (padded) and an unknown option; the
  // frames carry their 4-byte FCS, still read whole with their own addresses.
  pcapng_builder b;
  b.section(false)
      .interface_with(
          1, {{1, hex("616263")}, {0x7FFF, hex("0102030405")}, {13, hex("04")}, {9, hex("06")}})
      .interface_with(1, {});
  const byte_vec with_fcs = testing::concat({frame_a, hex("deadbeef")});
  b.epb(0, 5, with_fcs).epb(1, 6, frame_b);
  framer f;
  auto cut = f.next(b.bytes(), true, 1 << 20);
  ASSERT_TRUE(cut);
  ASSERT_EQ(f.section()->interfaces.size(), 2u);
  EXPECT_EQ(f.section()->interfaces[0].fcs_bytes, 4);
  EXPECT_EQ(f.section()->interfaces[1].fcs_bytes, -1);  // not given: unknown
  const auto r = walk(b.bytes());
  ASSERT_FALSE(r.error);
  ASSERT_EQ(r.frames.size(), 2u);
  // if_tsresol 6 (the option after if_fcslen) still applies: 5 us.
  EXPECT_EQ(r.frames[0], (seen_frame{1, 0, 64, 64, 5'000, "ffffffffffff"}));
  EXPECT_EQ(r.frames[1], (seen_frame{1, 1, 114, 114, 6'000, "001122334455"}));
}

TEST(Pcapng, SectionLengthsOtherThanMinusOneAreReadTheSame) {
  // The SHB's section length is advisory (libpcap and Wireshark read on regardless): given
  // exactly (two blocks: IDB 20 + EPB 92 = 112 bytes), given wrongly, or zero.
  for (const std::int64_t length :
       {std::int64_t{112}, std::int64_t{8}, std::int64_t{0}, std::int64_t{1} << 40}) {
    SCOPED_TRACE(length);
    pcapng_builder b;
    b.section(false, length).interface(1).epb(0, 1, frame_a);
    b.section(true, length).interface(113).epb(0, 2, frame_b);
    const auto r = walk(b.bytes(), 64, 7);
    ASSERT_FALSE(r.error) << core::to_string(*r.error);
    EXPECT_EQ(r.sections, 2u);
    ASSERT_EQ(r.frames.size(), 2u);
    EXPECT_EQ(r.frames[0], (seen_frame{1, 0, 60, 60, 1'000, "ffffffffffff"}));
    EXPECT_EQ(r.frames[1], (seen_frame{113, 0, 114, 114, 2'000, "001122334455"}));
  }
}

TEST(Pcapng, PacketBlockOptionsDoNotChangeThePacket) {
  // epb_flags (2, 4 bytes), a 5-byte comment (padded to 8), epb_hash (3) and epb_dropcount
  // (4, 8 bytes) after the packet data: the packet is its captured length, no more.
  pcapng_builder b;
  b.section(false).interface(1);
  b.epb(0, 7, frame_a, 0,
        {{2, hex("01000000")},
         {1, hex("68656c6c6f")},
         {3, hex("02aabbccdd")},
         {4, hex("0000000000000005")}});
  b.epb(0, 8, frame_b, 1514, {{1, hex("78")}});
  const auto r = walk(b.bytes(), 32, 5);
  ASSERT_FALSE(r.error) << core::to_string(*r.error);
  ASSERT_EQ(r.frames.size(), 2u);
  EXPECT_EQ(r.frames[0], (seen_frame{1, 0, 60, 60, 7'000, "ffffffffffff"}));
  EXPECT_EQ(r.frames[1], (seen_frame{1, 0, 114, 1514, 8'000, "001122334455"}));
}

TEST(Pcapng, TrailerMismatchIsCorruption) {
  pcapng_builder b;
  b.section(false).interface(1).epb(0, 1, frame_a).epb(0, 2, frame_b);
  byte_vec data = b.bytes();
  data[data.size() - 1] = std::byte{0x01};  // the last block's trailing length
  const auto r = walk(data);
  EXPECT_EQ(r.frames.size(), 1u);
  ASSERT_TRUE(r.error);
  EXPECT_EQ(r.error->code, core::errc::bad_block_length);
  EXPECT_EQ(r.error->record, 4u);  // SHB, IDB, EPB, then this one
}

TEST(Pcapng, UndefinedInterfaceIsAnError) {
  pcapng_builder b;
  b.section(false).interface(1).epb(1, 1, frame_a);
  const auto r = walk(b.bytes());
  ASSERT_TRUE(r.error);
  EXPECT_EQ(r.error->code, core::errc::bad_interface);
}

TEST(Pcapng, CaplenBeyondBlockIsAnError) {
  pcapng_builder b;
  b.section(false).interface(1).epb(0, 1, frame_a);
  byte_vec data = b.bytes();
  const std::size_t epb = 28 + 20;
  data[epb + 20] = std::byte{0xFF};  // caplen 255 in a block holding 60 bytes
  const auto r = walk(data);
  ASSERT_TRUE(r.error);
  EXPECT_EQ(r.error->code, core::errc::bad_block_length);
}

TEST(Pcapng, UnsupportedVersionIsRejected) {
  pcapng_builder b;
  b.section(false).interface(1);
  byte_vec data = b.bytes();
  data[14] = std::byte{0x01};  // minor version 1
  const auto r = walk(data);
  ASSERT_TRUE(r.error);
  EXPECT_EQ(r.error->code, core::errc::unsupported_version);
}

TEST(Pcapng, ChunkingAndStreamingGiveTheSameFrames) {
  pcapng_builder b;
  b.section(false).interface(1);
  for (std::uint64_t i = 0; i < 100; ++i) {
    if (i == 50) b.interface(113, 9);
    if (i == 70) b.section(true).interface(1);
    b.epb(0, i, i % 2 == 0 ? frame_a : frame_b);
  }
  const auto whole = walk(b.bytes());
  ASSERT_FALSE(whole.error);
  ASSERT_EQ(whole.frames.size(), 100u);
  for (std::size_t target : {1u, 300u}) {
    for (std::size_t step : {0u, 3u, 1000u}) {
      const auto r = walk(b.bytes(), target, step);
      EXPECT_FALSE(r.error);
      EXPECT_EQ(r.frames, whole.frames) << "target " << target << " step " << step;
    }
  }
}

}  // namespace
}  // namespace ouiscan::capture
