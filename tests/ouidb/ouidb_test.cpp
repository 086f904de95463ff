#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <variant>

#include "ouiscan/ouidb/builder.h"
#include "ouiscan/ouidb/classify.h"
#include "ouiscan/ouidb/database.h"
#include "ouiscan/ouidb/diff.h"

namespace ouiscan::ouidb {
namespace {

constexpr const char* kHeaderLine =
    "Registry,Assignment,Organization Name,Organization Address\r\n";

// A hand-written miniature of the IEEE files with their quirks.
csv_set fixture() {
  csv_set c;
  c.text[0] = std::string(kHeaderLine) +
              "MA-L,286FB9,\"Nokia Shanghai Bell Co., Ltd.\",\"No.388 Ning Qiao Road,Jin Qiao\"\r\n"
              "MA-L,080030,NETWORK RESEARCH CORPORATION,somewhere\r\n"
              "MA-L,0050C2,IEEE Registration Authority  ,\r\n"
              "MA-L,080030,CERN,Geneva\r\n"
              "MA-L,001B21,Intel Corporate  ,\r\n"
              "MA-L,020701,RACAL-DATACOM,\r\n"
              "MA-L,AC0000,Bender GmbH &amp; Co.KG,\r\n"
              "MA-L,AC0001,UAB &quot;SALDA&quot;,\r\n"
              "MA-L,AC0002,Private,\r\n"
              "MA-L,1C8700,IEEE Registration Authority,\r\n";
  c.text[1] = std::string(kHeaderLine) +
              "MA-M,1C87001,Sub Block One,addr\r\nMA-M,C85CE27,Orphan Parent Co,x\r\n";
  c.text[2] =
      std::string(kHeaderLine) + "MA-S,0050C2F71,\"Quoted, With Comma\",\"multi\nline\"\r\n";
  c.text[3] = std::string(kHeaderLine) + "IAB,0050C2001,Old IAB Holder,\r\n";
  c.text[4] = std::string(kHeaderLine) + "CID,DAA119,\"Google, Inc.\",\r\n";
  c.snapshot.fill(20260521);
  return c;
}

struct opened {
  std::vector<std::uint64_t> storage;  // 8-byte aligned copy
  database db;
};

opened open_built(const csv_set& c) {
  auto built = build(c);
  EXPECT_TRUE(built.has_value()) << (built ? std::string() : built.error().message);
  const auto& bytes = built->bytes;
  opened o;
  o.storage.resize((bytes.size() + 7) / 8);
  std::memcpy(o.storage.data(), bytes.data(), bytes.size());
  auto db = database::open(
      core::bytes(reinterpret_cast<const std::byte*>(o.storage.data()), bytes.size()));
  EXPECT_TRUE(db);
  o.db = *db;
  return o;
}

std::string org(const database& db, const char* mac, unsigned bits = 48) {
  const auto m = db.lookup(*core::mac_address::parse(mac), bits);
  name_buffer buf;
  std::string s;
  for (std::uint32_t i = 0; i < m.holders && m.status == match_status::assigned; ++i) {
    if (i > 0) s += " / ";
    s += db.organization(m, i, buf);
  }
  return s;
}

TEST(Builder, HandlesTheQuirksOfTheIeeeFiles) {
  const auto o = open_built(fixture());
  const database& db = o.db;
  EXPECT_EQ(org(db, "28:6f:b9:00:00:01"), "Nokia Shanghai Bell Co., Ltd.");
  EXPECT_EQ(org(db, "00:1b:21:aa:bb:cc"), "Intel Corporate");  // trailing spaces trimmed
  EXPECT_EQ(org(db, "ac:00:00:00:00:00"), "Bender GmbH & Co.KG");
  EXPECT_EQ(org(db, "ac:00:01:00:00:00"), "UAB \"SALDA\"");
  // Duplicate assignment: every holder kept, in name order.
  EXPECT_EQ(org(db, "08:00:30:12:34:56"), "CERN / NETWORK RESEARCH CORPORATION");
  // Legacy MA-L row with the local bit set matches literally.
  EXPECT_EQ(org(db, "02:07:01:00:00:01"), "RACAL-DATACOM");
  const auto priv = db.lookup(*core::mac_address::parse("ac:00:02:00:00:01"));
  EXPECT_TRUE(priv.is_private);
  EXPECT_EQ(db.header().registries[0].rows, 10u);
  EXPECT_EQ(db.header().registries[0].snapshot_date, 20260521u);
}

TEST(Lookup, LongestPrefixWins) {
  const auto o = open_built(fixture());
  const database& db = o.db;
  auto m = db.lookup(*core::mac_address::parse("00:50:c2:f7:1a:bc"));
  EXPECT_EQ(m.status, match_status::assigned);
  EXPECT_EQ(m.reg, registry::ma_s);
  EXPECT_EQ(m.bits, 36);
  EXPECT_EQ(m.prefix, 0x0050C2F71u);
  EXPECT_EQ(org(db, "00:50:c2:f7:1a:bc"), "Quoted, With Comma");
  EXPECT_EQ(org(db, "00:50:c2:00:1f:ff"), "Old IAB Holder");
  m = db.lookup(*core::mac_address::parse("1c:87:00:1f:ff:ff"));
  EXPECT_EQ(m.reg, registry::ma_m);
  EXPECT_EQ(m.bits, 28);
  EXPECT_EQ(org(db, "1c:87:00:10:00:00"), "Sub Block One");
  // A 24-bit query of a subdivided block names the block's holder, the IEEE RA.
  EXPECT_EQ(org(db, "00:50:c2:f7:1a:bc", 24), "IEEE Registration Authority");
}

TEST(Lookup, UnassignedSubBlockSaysSo) {
  const auto o = open_built(fixture());
  auto m = o.db.lookup(*core::mac_address::parse("00:50:c2:99:99:99"));
  EXPECT_EQ(m.status, match_status::unassigned_subblock);
  EXPECT_EQ(m.prefix, 0x0050C2u);
  // The IEEE omitted this parent from MA-L; its sub-block still makes it a subdivided block.
  m = o.db.lookup(*core::mac_address::parse("c8:5c:e2:00:00:00"));
  EXPECT_EQ(m.status, match_status::unassigned_subblock);
  EXPECT_EQ(org(o.db, "c8:5c:e2:70:00:01"), "Orphan Parent Co");
}

TEST(Lookup, CidAndNotFound) {
  const auto o = open_built(fixture());
  auto m = o.db.lookup(*core::mac_address::parse("da:a1:19:00:00:01"));
  EXPECT_EQ(m.reg, registry::cid);
  EXPECT_EQ(org(o.db, "da:a1:19:00:00:01"), "Google, Inc.");
  EXPECT_EQ(o.db.lookup(*core::mac_address::parse("12:34:56:78:9a:bc")).status,
            match_status::not_found);
}

TEST(Builder, RejectsBadFilesWithTheLine) {
  csv_set c = fixture();
  c.text[1] = std::string(kHeaderLine) + "MA-M,1C87001,Fine,\r\nMA-M,1C8700Z,Bad Hex,\r\n";
  auto r = build(c);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().reg, registry::ma_m);
  EXPECT_EQ(r.error().line, 3u);
  c = fixture();
  c.text[2] = "<html>418 I'm a teapot</html>";
  r = build(c);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().line, 1u);
  c = fixture();
  c.min_rows[0] = 11;
  EXPECT_FALSE(build(c).has_value());
}

TEST(Database, RejectsCorruptAndTruncatedFiles) {
  auto built = build(fixture())->bytes;
  std::vector<std::uint64_t> storage((built.size() + 7) / 8);
  const auto try_open = [&](std::vector<std::byte> bytes) {
    storage.assign((bytes.size() + 7) / 8, 0);
    std::memcpy(storage.data(), bytes.data(), bytes.size());
    return database::open(
        core::bytes(reinterpret_cast<const std::byte*>(storage.data()), bytes.size()));
  };
  ASSERT_TRUE(try_open(built));
  auto truncated = built;
  truncated.resize(built.size() - 8);
  EXPECT_EQ(try_open(truncated).error().code, core::errc::db_size_mismatch);
  auto flipped = built;
  flipped[built.size() - 300] ^= std::byte{0x01};
  EXPECT_EQ(try_open(flipped).error().code, core::errc::db_checksum);
  auto magic = built;
  magic[0] = std::byte{'X'};
  EXPECT_EQ(try_open(magic).error().code, core::errc::db_bad_magic);
  auto version = built;
  version[8] = std::byte{99};
  EXPECT_EQ(try_open(version).error().code, core::errc::unsupported_version);
  EXPECT_EQ(try_open(std::vector<std::byte>(10)).error().code, core::errc::db_size_mismatch);
}

TEST(Diff, CountsAddedRemovedRenamed) {
  const auto before = open_built(fixture());
  csv_set c = fixture();
  c.text[0] = std::string(kHeaderLine) +
              "MA-L,286FB9,Nokia Renamed,\r\n"  // renamed
              "MA-L,080030,NETWORK RESEARCH CORPORATION,\r\nMA-L,080030,CERN,\r\n"
              "MA-L,0050C2,IEEE Registration Authority,\r\n"
              "MA-L,001B21,Intel Corporate,\r\n"
              "MA-L,020701,RACAL-DATACOM,\r\n"
              "MA-L,AC0000,Bender GmbH &amp; Co.KG,\r\n"
              "MA-L,AC0001,UAB &quot;SALDA&quot;,\r\n"
              "MA-L,1C8700,IEEE Registration Authority,\r\n"
              "MA-L,F00001,Newcomer,\r\nMA-L,F00002,Newcomer Two,\r\n";  // 2 added, AC0002 removed
  const auto after = open_built(c);
  const auto d = diff(before.db, after.db);
  EXPECT_EQ(d[0].added, 2u);
  EXPECT_EQ(d[0].removed, 1u);
  EXPECT_EQ(d[0].renamed, 1u);
  EXPECT_EQ(d[1].added + d[1].removed + d[1].renamed, 0u);
}

TEST(Classify, FromTheStandards) {
  const auto c = [](const char* mac, bool cid = false) {
    return classify(*core::mac_address::parse(mac), cid);
  };
  EXPECT_EQ(c("ff:ff:ff:ff:ff:ff").cast, core::address_class::broadcast);
  // RFC 1112: 224.0.0.251 -> 01:00:5e:00:00:fb; the top bit of octet 3 is not part of the group.
  EXPECT_EQ(c("01:00:5e:00:00:fb").detail_view(), "224.0.0.251");
  EXPECT_EQ(c("01:00:5e:80:00:01").group, "");  // 01:00:5e:80 and up is not IPv4 multicast
  EXPECT_EQ(c("33:33:00:00:00:01").group, "IPv6 multicast");
  EXPECT_EQ(c("33:33:ff:12:34:56").group, "IPv6 solicited-node multicast");
  EXPECT_EQ(c("01:80:c2:00:00:00").group, "STP (bridge group)");
  EXPECT_EQ(c("01:80:c2:00:00:02").group, "Slow protocols (LACP, marker, OAM)");
  EXPECT_EQ(c("01:80:c2:00:00:03").group, "802.1X PAE (nearest non-TPMR bridge)");
  EXPECT_EQ(c("01:80:c2:00:00:0e").group, "LLDP / PTP peer delay (nearest bridge)");
  EXPECT_EQ(c("01:80:c2:00:00:01").group, "PAUSE (MAC control)");
  EXPECT_EQ(c("01:00:0c:cc:cc:cc").group, "Cisco CDP / VTP / DTP / PAgP / UDLD");
  EXPECT_EQ(c("01:1b:19:00:00:00").group, "PTP (IEEE 1588)");
  EXPECT_EQ(c("00:00:5e:00:01:2a").detail_view(), "VRID 42");  // RFC 5798
  EXPECT_EQ(c("00:00:0c:07:ac:0b").detail_view(), "group 11");
  EXPECT_EQ(c("00:0c:29:aa:bb:cc").platform, "VMware");
  EXPECT_EQ(c("52:54:00:aa:bb:cc").platform, "QEMU/KVM");
  // IEEE 802c SLAP quadrants by the second hex digit of local unicast addresses.
  EXPECT_EQ(c("02:11:22:33:44:55").quadrant, slap_quadrant::aai);
  EXPECT_EQ(c("06:11:22:33:44:55").quadrant, slap_quadrant::reserved);
  EXPECT_EQ(c("da:a1:19:33:44:55").quadrant, slap_quadrant::eli);
  EXPECT_EQ(c("0e:11:22:33:44:55").quadrant, slap_quadrant::sai);
  EXPECT_TRUE(c("da:a1:19:33:44:55").likely_random);
  EXPECT_FALSE(c("da:a1:19:33:44:55", true).likely_random);  // ELI under a known CID
  EXPECT_TRUE(c("3a:11:22:33:44:55").likely_random);
  EXPECT_FALSE(c("02:42:ac:11:00:02").likely_random);  // Docker
  EXPECT_FALSE(c("00:1b:21:0a:0b:0c").likely_random);
  EXPECT_EQ(c("00:1b:21:0a:0b:0c").quadrant, slap_quadrant::none);
}

TEST(Embedded, OpensAndHoldsTheSnapshot) {
  auto db = database::open(embedded());
  ASSERT_TRUE(db);
  // Row counts of the 2026-05-21 snapshot (third_party/ieee/2026-05-21/README.md).
  EXPECT_EQ(db->header().registries[0].rows, 39455u);
  EXPECT_EQ(db->header().registries[1].rows, 6411u);
  EXPECT_EQ(db->header().registries[2].rows, 7018u);
  EXPECT_EQ(db->header().registries[3].rows, 4575u);
  EXPECT_EQ(db->header().registries[4].rows, 212u);
  EXPECT_LE(db->size_bytes(), 1u << 20);
}

}  // namespace
}  // namespace ouiscan::ouidb
