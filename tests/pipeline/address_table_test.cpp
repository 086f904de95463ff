// The 64-byte address record and the table: counters past 32 bits, the first VLAN and link type
// in the record and the rest beside it, untimed sightings, and a table that grows over several
// blocks while its indexes stay valid. Expected values are computed by hand.
#include "ouiscan/pipeline/address_table.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <vector>

namespace {

using ouiscan::core::mac_address;
using ouiscan::pipeline::address_stats;
using ouiscan::pipeline::address_table;
namespace capture = ouiscan::capture;

constexpr std::int64_t untimed = std::numeric_limits<std::int64_t>::min();

TEST(AddressStats, BytesCarryPastThirtyTwoBits) {
  address_stats s(mac_address(0x001122334455));
  for (int i = 0; i < 3; ++i) s.count(capture::role_src, 0x8000'0000U, 10);
  EXPECT_EQ(s.src_bytes(), 3ULL << 31);  // 6,442,450,944
  EXPECT_EQ(s.src_frames(), 3U);
  EXPECT_EQ(s.frames(), 3U);
  EXPECT_EQ(s.dst_bytes(), 0U);
}

TEST(AddressStats, MergedCountersCarryPastThirtyTwoBits) {
  address_stats s(mac_address(0x001122334455));
  s.count(capture::role_src | capture::role_dst | capture::role_arp_sender, 100, 7);
  for (int i = 0; i < 33; ++i) {  // doubles every counter 33 times
    const address_stats copy = s;
    s.merge(copy);
  }
  const std::uint64_t n = 1ULL << 33;
  EXPECT_EQ(s.frames(), n);
  EXPECT_EQ(s.src_frames(), n);
  EXPECT_EQ(s.dst_frames(), n);
  EXPECT_EQ(s.arp_frames(), n);
  EXPECT_EQ(s.src_bytes(), 100 * n);
  EXPECT_EQ(s.dst_bytes(), 100 * n);
  EXPECT_EQ(s.first_ns(), 7);
  EXPECT_EQ(s.last_ns(), 7);
}

TEST(AddressStats, RolesAreKeptApartFromTheAddress) {
  address_stats s(mac_address(0xFFFF'FFFF'FFFF));
  s.count(capture::role_arp_target, 60, 1);
  s.count(capture::role_ta, 60, 2);
  EXPECT_EQ(s.mac(), mac_address(0xFFFF'FFFF'FFFF));
  EXPECT_EQ(s.roles(), capture::role_arp_target | capture::role_ta);
  EXPECT_EQ(s.frames(), 1U);  // the TA sighting; the ARP payload counts apart
  EXPECT_EQ(s.arp_frames(), 1U);
  EXPECT_EQ(s.src_frames(), 0U);
}

TEST(AddressStats, VlansAndLinkTypesBeyondTheFirst) {
  address_stats s(mac_address(0x020000000001));
  EXPECT_TRUE(s.vlans().empty());
  EXPECT_TRUE(s.link_types().empty());
  for (int v : {5, 5, 7, 300, 3, 4096 + 7, 4095, 127, 128})
    s.add_vlan(static_cast<std::uint16_t>(v));
  for (int l : {1, 1, 113, 0}) s.add_link_type(static_cast<std::uint16_t>(l));
  EXPECT_EQ(s.vlans(), (std::vector<std::uint16_t>{3, 5, 7, 127, 128, 300, 4095}));
  EXPECT_EQ(s.link_types(), (std::vector<std::uint16_t>{0, 1, 113}));

  address_stats a(mac_address(0x020000000001));
  address_stats b(mac_address(0x020000000001));
  a.add_vlan(10);
  b.add_vlan(20);
  b.add_vlan(10);
  b.add_link_type(127);
  a.merge(b);
  EXPECT_EQ(a.vlans(), (std::vector<std::uint16_t>{10, 20}));
  EXPECT_EQ(a.link_types(), (std::vector<std::uint16_t>{127}));
}

TEST(AddressStats, UntimedSightingsLeaveTheBounds) {
  address_stats s(mac_address(1));
  s.count(capture::role_src, 60, untimed);
  EXPECT_FALSE(s.has_time());
  s.count(capture::role_src, 60, 5);
  s.count(capture::role_src, 60, untimed);
  EXPECT_EQ(s.first_ns(), 5);
  EXPECT_EQ(s.last_ns(), 5);
  s.count(capture::role_dst, 60, -3);
  EXPECT_EQ(s.first_ns(), -3);
  EXPECT_EQ(s.last_ns(), 5);
  EXPECT_EQ(s.frames(), 4U);
}

// Addresses that differ only in their top 16 bits as well as in the low ones.
mac_address nth(std::size_t i) {
  return mac_address((std::uint64_t{i % 7} << 40) | (std::uint64_t{i / 7} * 0x10001));
}

TEST(AddressTable, GrowsOverBlocksAndKeepsIndexes) {
  constexpr std::size_t n = 100'000;  // more than 6 blocks of 16,384 records
  address_table t;
  std::vector<std::size_t> index(n);
  for (std::size_t i = 0; i < n; ++i) {
    index[i] = t.index_within(nth(i), n);
    ASSERT_EQ(index[i], i);  // first-seen order
    t.stats(index[i]).count(capture::role_src, static_cast<std::uint32_t>(i), 0);
  }
  const address_stats* first = &t.stats(0);
  EXPECT_EQ(t.size(), n);
  EXPECT_EQ(t.index_within(mac_address(0xABCDEF), n), address_table::no_index);  // at the cap
  for (std::size_t i = 0; i < n; ++i) {
    ASSERT_EQ(t.index_within(nth(i), n), i);
    ASSERT_EQ(t.stats(i).mac(), nth(i));
    ASSERT_EQ(t.stats(i).src_bytes(), i);
  }
  EXPECT_EQ(&t.stats(0), first);  // records never move
}

TEST(AddressTable, MergesWithACap) {
  address_table a;
  address_table b;
  a.upsert(mac_address(1)).count(capture::role_src, 10, 1);
  b.upsert(mac_address(1)).count(capture::role_dst, 20, 2);
  b.upsert(mac_address(2)).count(capture::role_src | capture::role_arp_sender, 30, 3);
  b.upsert(mac_address(3)).count(capture::role_dst, 40, 4);
  // Room for one more address: 2 joins, 3 is left out with its one frame.
  EXPECT_EQ(a.merge(b, 2), 1U);
  ASSERT_EQ(a.size(), 2U);
  EXPECT_EQ(a.upsert(mac_address(1)).src_bytes(), 10U);
  EXPECT_EQ(a.upsert(mac_address(1)).dst_bytes(), 20U);
  EXPECT_EQ(a.upsert(mac_address(1)).last_ns(), 2);
  EXPECT_EQ(a.upsert(mac_address(2)).arp_frames(), 1U);

  // An empty table takes another's records; the other is left empty and usable.
  address_table c;
  EXPECT_EQ(c.merge(std::move(a)), 0U);
  EXPECT_EQ(c.size(), 2U);
  EXPECT_EQ(a.size(), 0U);  // NOLINT(bugprone-use-after-move): moved-from state is specified
  a.upsert(mac_address(9)).count(capture::role_src, 1, 1);
  EXPECT_EQ(a.size(), 1U);
  c.clear();
  EXPECT_EQ(c.size(), 0U);
  EXPECT_EQ(c.index_within(mac_address(1), 10), 0U);
}

}  // namespace
