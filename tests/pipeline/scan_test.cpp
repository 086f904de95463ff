#include "ouiscan/pipeline/scan.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <thread>

#include "capture_builder.h"

namespace ouiscan::pipeline {
namespace {

using testing::arp;
using testing::byte_vec;
using testing::ethernet;
using testing::hex;
using testing::pcap_builder;
using testing::pcapng_builder;

class temp_file {
 public:
  explicit temp_file(const byte_vec& data, const std::string& suffix = ".pcap") {
    path_ = std::filesystem::temp_directory_path() /
            ("ouiscan_scan_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter_++) +
             suffix);
    std::ofstream(path_, std::ios::binary)
        .write(reinterpret_cast<const char*>(data.data()),
               static_cast<std::streamsize>(data.size()));
  }
  ~temp_file() { std::filesystem::remove(path_); }
  temp_file(const temp_file&) = delete;
  temp_file& operator=(const temp_file&) = delete;
  [[nodiscard]] std::string path() const { return path_.string(); }

 private:
  static inline int counter_ = 0;
  std::filesystem::path path_;
};

byte_vec gzip(const byte_vec& data) {
  z_stream z{};
  EXPECT_EQ(deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY), Z_OK);
  byte_vec out(deflateBound(&z, data.size()) + 64);
  z.next_in = reinterpret_cast<Bytef*>(const_cast<std::byte*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&z, Z_FINISH), Z_STREAM_END);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

byte_vec zstd(const byte_vec& data) {
  byte_vec out(ZSTD_compressBound(data.size()));
  const std::size_t n = ZSTD_compress(out.data(), out.size(), data.data(), data.size(), 3);
  EXPECT_FALSE(ZSTD_isError(n));
  out.resize(n);
  return out;
}

// A flat, comparable rendering of the whole inventory.
std::map<std::string, std::string> snapshot(const address_table& t) {
  std::map<std::string, std::string> m;
  t.for_each([&](core::mac_address mac, const address_stats& s) {
    std::string v = std::to_string(s.frames()) + "/" + std::to_string(s.src_frames()) + "/" +
                    std::to_string(s.src_bytes()) + "/" + std::to_string(s.dst_frames()) + "/" +
                    std::to_string(s.dst_bytes()) + "/" + std::to_string(s.arp_frames()) + "/" +
                    std::to_string(s.first_ns()) + "/" + std::to_string(s.last_ns()) + "/" +
                    std::to_string(s.roles()) + "/v";
    for (auto id : s.vlans()) v += std::to_string(id) + ",";
    v += "/l";
    for (auto id : s.link_types()) v += std::to_string(id) + ",";
    m[mac.to_string()] = v;
  });
  return m;
}

struct scanned {
  std::map<std::string, std::string> inventory;
  input_report report;
};

scanned scan_file(const std::string& path, unsigned threads = 2, std::size_t chunk = 1 << 20,
                  std::size_t segment = 32U << 20) {
  scanner s({.threads = threads,
             .chunk_bytes = chunk,
             .segment_bytes = segment,
             .segments_per_thread = 4});
  auto in = io::open_input(path);
  EXPECT_TRUE(in) << path;
  scanned r;
  r.report = s.scan(*in);
  r.inventory = snapshot(s.addresses());
  return r;
}

TEST(Scan, StatisticsOfAHandBuiltCapture) {
  pcap_builder b(false, false, 1);
  // Frame 1: A -> broadcast ARP request, 60 bytes, t = 10.000001 s.
  b.record(10, 1,
           ethernet("ffffffffffff", "00000000000a", 0x0806,
                    testing::concat({arp("00000000000a", "000000000000"), byte_vec(18)})));
  // Frame 2: B -> A on VLAN 7, 100 bytes on the wire (64 captured), t = 12.5 s.
  b.record(12, 500000,
           ethernet("00000000000a", "00000000000b", 0x8100,
                    testing::concat({hex("0007 0800"), byte_vec(46)})),
           100);
  temp_file f(b.bytes());
  const auto r = scan_file(f.path());
  ASSERT_FALSE(r.report.error);
  EXPECT_EQ(r.report.counters.frames, 2u);
  EXPECT_EQ(r.report.counters.wire_bytes, 60u + 100u);
  EXPECT_EQ(r.report.counters.frames_with_vlan, 1u);
  EXPECT_EQ(r.report.format, "pcap");
  const std::int64_t t1 = 10'000'001'000, t2 = 12'500'000'000;
  const auto role = [](std::uint16_t bits) { return std::to_string(bits); };
  EXPECT_EQ(r.inventory.at("00:00:00:00:00:0a"),
            "2/1/60/1/100/1/" + std::to_string(t1) + "/" + std::to_string(t2) + "/" +
                role(capture::role_src | capture::role_dst | capture::role_arp_sender) +
                "/v7,/l1,");
  EXPECT_EQ(r.inventory.at("00:00:00:00:00:0b"), "1/1/100/0/0/0/" + std::to_string(t2) + "/" +
                                                     std::to_string(t2) + "/" +
                                                     role(capture::role_src) + "/v7,/l1,");
  EXPECT_EQ(r.inventory.at("ff:ff:ff:ff:ff:ff"), "1/0/0/1/60/0/" + std::to_string(t1) + "/" +
                                                     std::to_string(t1) + "/" +
                                                     role(capture::role_dst) + "/v/l1,");
  EXPECT_EQ(r.inventory.at("00:00:00:00:00:00"), "0/0/0/0/0/1/" + std::to_string(t1) + "/" +
                                                     std::to_string(t1) + "/" +
                                                     role(capture::role_arp_target) + "/v/l1,");
  EXPECT_EQ(r.inventory.size(), 4u);
}

// Many frames between many hosts, with VLANs, over several link types in one pcapng.
byte_vec random_capture(std::uint32_t seed, int frames) {
  std::mt19937 rng(seed);
  pcapng_builder b;
  b.section(false).interface(1).interface(113, 9);
  for (int i = 0; i < frames; ++i) {
    char src[13], dst[13];
    std::snprintf(src, sizeof src, "0000%08x", static_cast<unsigned>(rng() % 300));
    std::snprintf(dst, sizeof dst, "0000%08x", static_cast<unsigned>(rng() % 300));
    const std::size_t size = 46 + rng() % 1400;
    if (rng() % 5 == 0) {
      const byte_vec sll =
          testing::concat({hex("0000 0001 0006"), hex(src), hex("0000 0800"), byte_vec(size)});
      b.epb(1, static_cast<std::uint64_t>(i) * 1000, sll);
    } else if (rng() % 3 == 0) {
      char tag[5];
      std::snprintf(tag, sizeof tag, "%04x", static_cast<unsigned>(rng() % 4096));
      b.epb(0, static_cast<std::uint64_t>(i),
            ethernet(dst, src, 0x8100, testing::concat({hex(tag), hex("0800"), byte_vec(size)})));
    } else {
      b.epb(0, static_cast<std::uint64_t>(i), ethernet(dst, src, 0x0800, byte_vec(size)));
    }
  }
  return b.bytes();
}

TEST(Scan, SameInventoryWhateverTheThreadsAndChunks) {
  temp_file f(random_capture(42, 5000), ".pcapng");
  const auto base = scan_file(f.path(), 1);
  ASSERT_FALSE(base.report.error);
  EXPECT_EQ(base.report.counters.frames, 5000u);
  EXPECT_GT(base.inventory.size(), 250u);
  for (unsigned threads : {2u, 4u, 8u}) {
    for (std::size_t chunk : {std::size_t{4096}, std::size_t{64} << 10, std::size_t{1} << 20}) {
      const auto r = scan_file(f.path(), threads, chunk);
      EXPECT_EQ(r.inventory, base.inventory) << threads << " threads, chunk " << chunk;
      EXPECT_EQ(r.report.counters.frames, base.report.counters.frames);
    }
  }
  EXPECT_EQ(base.report.segments, 0u);  // a small file goes through the chunk pipeline
}

// Mapped files walked in parallel segments that start at guessed boundaries: the same inventory
// as the serial walk, whatever the segment size, in pcap and in pcapng with interfaces added and
// a new section in the middle (where guesses made with the first section's state are wrong).
TEST(Scan, ParallelSegmentsGiveTheSameInventory) {
  pcapng_builder ng;
  ng.section(false).interface(1);
  for (int i = 0; i < 3000; ++i) {
    if (i == 1000) ng.interface(113, 9);
    if (i == 2000) ng.section(true).interface(1).interface(1);
    char src[13];
    std::snprintf(src, sizeof src, "0000%08x", static_cast<unsigned>(i % 500));
    ng.epb(i >= 2000 ? 1 : 0, static_cast<std::uint64_t>(i),
           ethernet("ffffffffffff", src, 0x0800, byte_vec(static_cast<std::size_t>(46 + i % 700))));
  }
  pcap_builder pc(false, true, 1);
  for (int i = 0; i < 3000; ++i) {
    char src[13];
    std::snprintf(src, sizeof src, "0000%08x", static_cast<unsigned>(i % 500));
    pc.record(
        1, static_cast<std::uint32_t>(i),
        ethernet("ffffffffffff", src, 0x0800, byte_vec(static_cast<std::size_t>(46 + i % 700))));
  }
  const byte_vec& ng_bytes = ng.bytes();
  const byte_vec& pc_bytes = pc.bytes();
  for (const byte_vec* data : {&ng_bytes, &pc_bytes}) {
    temp_file f(*data);
    const auto base = scan_file(f.path(), 1);
    ASSERT_FALSE(base.report.error);
    for (std::size_t segment : {std::size_t{4096}, std::size_t{50'000}, std::size_t{300'000}}) {
      for (unsigned threads : {1u, 2u, 4u}) {
        const auto r = scan_file(f.path(), threads, 8192, segment);
        EXPECT_GT(r.report.segments, 1u);
        EXPECT_FALSE(r.report.error);
        EXPECT_EQ(r.report.counters.frames, 3000u);
        EXPECT_EQ(r.report.records, base.report.records);
        EXPECT_EQ(r.report.bytes_read, data->size());
        EXPECT_EQ(r.inventory, base.inventory) << "segment " << segment << ", threads " << threads;
      }
    }
  }
}

TEST(Scan, GzipAndPipeGiveTheSameInventoryAsTheMappedFile) {
  const byte_vec data = random_capture(7, 3000);
  temp_file plain(data, ".pcapng");
  temp_file compressed(gzip(data), ".pcapng.gz");
  const auto base = scan_file(plain.path());
  const auto gz = scan_file(compressed.path(), 2, 8192);
  EXPECT_EQ(gz.report.compression, "gzip");
  EXPECT_FALSE(gz.report.error);
  EXPECT_EQ(gz.inventory, base.inventory);
  temp_file zst(zstd(data), ".pcapng.zst");
  const auto zs = scan_file(zst.path(), 2, 8192);
  EXPECT_EQ(zs.report.compression, "zstd");
  EXPECT_FALSE(zs.report.error);
  EXPECT_EQ(zs.inventory, base.inventory);

  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  std::thread writer([&] {
    std::size_t off = 0;
    while (off < data.size()) {
      const std::size_t n = std::min<std::size_t>(777, data.size() - off);  // odd-sized writes
      if (::write(fds[1], data.data() + off, n) != static_cast<ssize_t>(n)) break;
      off += n;
    }
    ::close(fds[1]);
  });
  io::input in;
  in.name = "pipe";
  in.stream = std::make_unique<io::fd_stream>(fds[0], std::vector<std::byte>{}, true);
  scanner s({.threads = 2, .chunk_bytes = 4096});
  const auto report = s.scan(in);
  writer.join();
  EXPECT_FALSE(report.error);
  EXPECT_EQ(snapshot(s.addresses()), base.inventory);
}

// 1,000 pcap records of 60-byte frames (76 bytes after the 24-byte header), frame i sent by
// 00:00:00:00:0i:ii to broadcast.
byte_vec thousand_sources() {
  pcap_builder b(false, false, 1);
  for (int i = 0; i < 1000; ++i) {
    char src[13];
    std::snprintf(src, sizeof src, "0000000%05x", i);
    b.record(1, 0, ethernet("ffffffffffff", src, 0x0800));
  }
  return b.bytes();
}

// A stream that lends its bytes as S3 parts do: cut into parts of the given sizes (used in turn),
// each loan a fresh copy that is freed when the reader gives it back (so the sanitizers see any
// use after that), optionally failing at byte `fault_at` once the bytes before it are lent.
class lending_stream final : public io::byte_stream {
 public:
  lending_stream(byte_vec data, std::vector<std::size_t> part_sizes,
                 std::size_t fault_at = std::string::npos)
      : data_(std::move(data)), fault_at_(std::min(fault_at, data_.size())) {
    for (std::size_t at = 0, i = 0; at < data_.size(); ++i) {
      at = std::min(at + part_sizes[i % part_sizes.size()], data_.size());
      part_ends_.push_back(at);
    }
  }
  ~lending_stream() override {
    for (const auto& l : loans_) EXPECT_TRUE(l.expired()) << "a loan was never given back";
  }
  lending_stream(const lending_stream&) = delete;
  lending_stream& operator=(const lending_stream&) = delete;

  core::result<std::size_t> read(std::span<std::byte> out) override {
    auto l = peek(1);
    if (!l) return l.error();
    const std::size_t n = std::min(out.size(), l->data.size());
    if (n > 0) std::memcpy(out.data(), l->data.data(), n);  // at the end, data() is null
    skip(n);
    return n;
  }
  [[nodiscard]] bool lends() const noexcept override { return true; }
  core::result<io::loan> peek(std::size_t /*min_bytes*/) override {
    if (pos_ == fault_at_ && fault_at_ < data_.size()) {
      return core::error{core::errc::io_error, pos_, 0, EIO};
    }
    if (pos_ == data_.size()) return io::loan{{}, nullptr, true};
    const std::size_t end = std::min(*std::upper_bound(part_ends_.begin(), part_ends_.end(), pos_),
                                     pos_ < fault_at_ ? fault_at_ : data_.size());
    auto copy = std::make_shared<byte_vec>(data_.begin() + static_cast<std::ptrdiff_t>(pos_),
                                           data_.begin() + static_cast<std::ptrdiff_t>(end));
    loans_.push_back(copy);
    return io::loan{core::bytes(copy->data(), copy->size()), copy, end == data_.size()};
  }
  void skip(std::size_t n) override { pos_ += n; }
  [[nodiscard]] std::uint64_t raw_bytes_read() const noexcept override { return pos_; }

 private:
  byte_vec data_;
  std::size_t fault_at_;
  std::vector<std::size_t> part_ends_;
  std::vector<std::weak_ptr<byte_vec>> loans_;
  std::size_t pos_ = 0;
};

scanned scan_lent(const byte_vec& data, std::vector<std::size_t> parts, std::size_t chunk,
                  std::size_t fault_at = std::string::npos) {
  auto in = io::open_stream(
      "lent", std::make_unique<lending_stream>(data, std::move(parts), fault_at), data.size());
  EXPECT_TRUE(in);
  scanner s({.threads = 2, .chunk_bytes = chunk});
  scanned r;
  r.report = s.scan(*in);
  r.inventory = snapshot(s.addresses());
  return r;
}

// Lent parts are cut in place, and a record that crosses a part boundary is stitched together:
// whatever the part sizes (down to one byte, so that every record crosses several), the same
// inventory as the mapped file, compressed or not.
TEST(Scan, LentPartsGiveTheSameInventory) {
  const byte_vec data = random_capture(5, 2000);
  temp_file plain(data, ".pcapng");
  const auto base = scan_file(plain.path());
  ASSERT_FALSE(base.report.error);
  std::mt19937 rng(9);
  std::vector<std::size_t> small, large;
  for (int i = 0; i < 500; ++i) small.push_back(1 + rng() % 100);
  for (int i = 0; i < 50; ++i) large.push_back(1 + rng() % 200'000);
  const std::vector<std::vector<std::size_t>> splits = {
      {1}, {3, 1, 7}, small, large, {std::size_t{64} << 10}, {data.size()}};
  for (const auto& parts : splits) {
    for (std::size_t chunk : {std::size_t{4096}, std::size_t{1} << 20}) {
      const auto r = scan_lent(data, parts, chunk);
      EXPECT_FALSE(r.report.error) << parts.size() << " part sizes, chunk " << chunk;
      EXPECT_EQ(r.report.counters.frames, 2000u);
      EXPECT_EQ(r.report.bytes_read, data.size());
      EXPECT_EQ(r.inventory, base.inventory) << parts.size() << " part sizes, chunk " << chunk;
    }
  }
  const auto gz = scan_lent(gzip(data), {777}, 8192);
  EXPECT_EQ(gz.report.compression, "gzip");
  EXPECT_FALSE(gz.report.error);
  EXPECT_EQ(gz.inventory, base.inventory);
}

// A read fault in the middle of a part: the records wholly before it are kept, and the error
// names where the capture data stopped (the start of the record the fault cut).
TEST(Scan, LentPartFaultKeepsTheRecordsBeforeIt) {
  const byte_vec data = thousand_sources();
  const std::size_t record = 16 + 60;
  const std::size_t cut_record = 24 + 700 * record;  // record 701 starts here
  for (const std::vector<std::size_t>& parts :
       {std::vector<std::size_t>{5000}, std::vector<std::size_t>{1},
        std::vector<std::size_t>{100'000}}) {
    const auto r = scan_lent(data, parts, 4096, cut_record + 30);
    ASSERT_TRUE(r.report.error);
    EXPECT_EQ(r.report.error->code, core::errc::io_error);
    EXPECT_EQ(r.report.error->offset, cut_record);
    EXPECT_EQ(r.report.error->record, 701u);
    EXPECT_EQ(r.report.counters.frames, 700u);
    EXPECT_EQ(r.inventory.size(), 701u);  // 700 sources + broadcast
  }
}

TEST(Scan, DamagedInputKeepsEverythingBeforeTheFault) {
  byte_vec data = thousand_sources();
  const std::size_t record = 16 + 60;
  const std::size_t bad = 24 + 700 * record;  // record 701
  data[bad + 8] = std::byte{0xFF};
  data[bad + 9] = std::byte{0xFF};
  data[bad + 10] = std::byte{0xFF};
  data[bad + 11] = std::byte{0x7F};
  temp_file f(data);
  for (std::size_t segment : {std::size_t{2048}, std::size_t{32} << 20}) {
    const auto r = scan_file(f.path(), 2, 4096, segment);
    ASSERT_TRUE(r.report.error);
    EXPECT_EQ(r.report.error->code, core::errc::bad_record_length);
    EXPECT_EQ(r.report.error->record, 701u);
    EXPECT_EQ(r.report.error->offset, bad + 8);
    EXPECT_EQ(r.report.counters.frames, 700u);
    EXPECT_EQ(r.inventory.size(), 701u);  // 700 sources + broadcast
  }
  // The same file cut short, read as a gzip stream.
  data.resize(bad + 30);
  temp_file gz(gzip(data), ".pcap.gz");
  const auto r = scan_file(gz.path(), 2, 4096);
  ASSERT_TRUE(r.report.error);
  EXPECT_EQ(r.report.error->code, core::errc::bad_record_length);
  EXPECT_EQ(r.report.counters.frames, 700u);
}

TEST(Scan, TruncatedCompressedInputIsReported) {
  const byte_vec data = random_capture(3, 500);
  for (byte_vec z : {gzip(data), zstd(data)}) {
    z.resize(z.size() / 2);
    temp_file f(z, ".compressed");
    const auto r = scan_file(f.path());
    ASSERT_TRUE(r.report.error);
    EXPECT_EQ(r.report.error->code, core::errc::truncated_file);
    EXPECT_GT(r.report.counters.frames, 0u);
    EXPECT_LT(r.report.counters.frames, 500u);
  }
}

TEST(Scan, MissingFileIsAnIoError) {
  auto in = io::open_input("/nonexistent/ouiscan/file.pcap");
  ASSERT_FALSE(in);
  EXPECT_EQ(in.error().code, core::errc::io_error);
  EXPECT_EQ(in.error().sys_errno, ENOENT);
}

}  // namespace
}  // namespace ouiscan::pipeline

namespace ouiscan::pipeline {
namespace {

TEST(Scan, AddressCapKeepsAtMostTheCapAndCountsTheRest) {
  temp_file f(random_capture(11, 4000), ".pcapng");
  const auto all = scan_file(f.path());
  ASSERT_GT(all.inventory.size(), 250u);
  for (std::size_t segment : {std::size_t{4096}, std::size_t{32} << 20}) {
    scanner s({.threads = 2,
               .chunk_bytes = 8192,
               .segment_bytes = segment,
               .segments_per_thread = 2,
               .max_addresses = 100});
    auto in = io::open_input(f.path());
    const auto r = s.scan(*in);
    EXPECT_FALSE(r.error);
    EXPECT_EQ(s.addresses().size(), 100u);
    EXPECT_GT(r.counters.addresses_over_cap, 0u);
    EXPECT_EQ(r.counters.frames, 4000u);  // frames are still all counted
  }
}

// 4,000 frames from 300 sources in turn to broadcast, each frame two sightings. In one thread the
// first 100 addresses seen are kept: broadcast and sources 0..98. Every sighting of sources
// 99..299 is over the cap: 201 per round of 300 frames, 13 rounds, then source 99 once more in
// the last 100 frames: 13 * 201 + 1 = 2614. In parallel, which addresses are kept depends on
// timing, but every sighting is either kept or counted: 8,000 in all.
TEST(Scan, AddressCapCountsExactlyTheSightingsNotKept) {
  pcap_builder b(false, false, 1);
  for (std::uint32_t i = 0; i < 4000; ++i) {
    const std::uint32_t k = i % 300;
    b.record(1000 + i, 0,
             ethernet("ff:ff:ff:ff:ff:ff", core::mac_address(0x001B21000000ULL + k).to_string(),
                      0x0800));
  }
  temp_file f(b.bytes());
  for (unsigned threads : {1U, 2U}) {
    scanner s({.threads = threads,
               .chunk_bytes = 4096,
               .segment_bytes = threads == 1 ? std::size_t{32} << 20 : 8192,  // 1: one walk
               .segments_per_thread = 2,
               .max_addresses = 100});
    auto in = io::open_input(f.path());
    const auto r = s.scan(*in);
    ASSERT_FALSE(r.error);
    ASSERT_EQ(s.addresses().size(), 100U);
    std::uint64_t kept = 0;
    std::set<std::uint64_t> held;
    s.addresses().for_each([&](core::mac_address mac, const address_stats& st) {
      kept += st.frames();
      held.insert(mac.value());
    });
    EXPECT_EQ(kept + r.counters.addresses_over_cap, 8000U) << threads;
    if (threads == 1) {
      EXPECT_EQ(r.counters.addresses_over_cap, 2614U);
      EXPECT_TRUE(held.contains(0x001B21000062ULL));   // source 98
      EXPECT_FALSE(held.contains(0x001B21000063ULL));  // source 99
    }
  }
}

}  // namespace
}  // namespace ouiscan::pipeline
