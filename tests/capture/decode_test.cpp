#include "ouiscan/capture/decode.h"

#include <gtest/gtest.h>

#include <map>
#include <string>

#include "capture_builder.h"
#include "ouiscan/capture/link_type.h"

namespace ouiscan::capture {
namespace {

using testing::arp;
using testing::byte_vec;
using testing::concat;
using testing::ethernet;
using testing::hex;

// The decoded addresses as "aa:bb:..." -> role bits, for comparison with hand-written answers.
std::map<std::string, std::uint16_t> decode_map(std::uint16_t link, const byte_vec& f,
                                                decode_status* status = nullptr,
                                                std::vector<std::uint16_t>* vlans = nullptr) {
  frame_addresses out;
  decode(link, f, out);
  std::map<std::string, std::uint16_t> m;
  for (const auto& h : out.addresses()) m[h.mac.to_string()] |= h.roles;
  if (status != nullptr) *status = out.status;
  if (vlans != nullptr) vlans->assign(out.vlans().begin(), out.vlans().end());
  return m;
}

using M = std::map<std::string, std::uint16_t>;

TEST(Ethernet, DestinationAndSource) {
  const auto m = decode_map(linktype::ethernet, ethernet("01005e7ffffa", "001b210a0b0c", 0x0800));
  EXPECT_EQ(m, (M{{"01:00:5e:7f:ff:fa", role_dst}, {"00:1b:21:0a:0b:0c", role_src}}));
}

TEST(Ethernet, ShorterThanAHeaderGivesNothing) {
  decode_status st{};
  const auto m = decode_map(linktype::ethernet, hex("ffffffffffff 001122334455 08"), &st);
  EXPECT_TRUE(m.empty());
  EXPECT_EQ(st, decode_status::short_frame);
}

TEST(Ethernet, QinQTagsAreRecordedOuterFirst) {
  // 802.1ad S-tag VID 100, then 802.1Q C-tag VID 4000 (0x0FA0, PCP 5 in the top bits), then ARP.
  const byte_vec payload =
      concat({hex("a064 8100 bfa0 0806"), arp("00aabbccddee", "000000000000")});
  std::vector<std::uint16_t> vlans;
  const auto m =
      decode_map(linktype::ethernet, ethernet("ffffffffffff", "00aabbccddee", 0x88A8, payload),
                 nullptr, &vlans);
  EXPECT_EQ(vlans, (std::vector<std::uint16_t>{100, 4000}));
  EXPECT_EQ(m, (M{{"ff:ff:ff:ff:ff:ff", role_dst},
                  {"00:aa:bb:cc:dd:ee", role_src | role_arp_sender},
                  {"00:00:00:00:00:00", role_arp_target}}));
}

TEST(Ethernet, Ieee8023WithSnapCarriesArp) {
  // 802.3 length field (46), LLC SNAP AA AA 03 000000 0806, then ARP.
  const byte_vec payload =
      concat({hex("aaaa03 000000 0806"), arp("0200000000aa", "0200000000bb", 2)});
  const auto m =
      decode_map(linktype::ethernet, ethernet("0200000000bb", "0200000000aa", 46, payload));
  EXPECT_EQ(m, (M{{"02:00:00:00:00:bb", role_dst | role_arp_target},
                  {"02:00:00:00:00:aa", role_src | role_arp_sender}}));
}

TEST(Ethernet, ArpCutShortGivesNoArpAddress) {
  byte_vec body = arp("00aabbccddee", "001122334455");
  body.resize(20);  // sender captured, target not
  decode_status st{};
  const auto m =
      decode_map(linktype::ethernet, ethernet("ffffffffffff", "00aabbccddee", 0x0806, body), &st);
  EXPECT_EQ(m, (M{{"ff:ff:ff:ff:ff:ff", role_dst}, {"00:aa:bb:cc:dd:ee", role_src}}));
  EXPECT_EQ(st, decode_status::short_payload);
}

TEST(Ethernet, FabricPathUsesTheInnerFrame) {
  // Outer switch IDs (not MACs), FabricPath tag 8903 + 2 bytes, then the classic frame.
  const byte_vec inner = ethernet("00000c9ff001", "0050568a0001", 0x0800);
  const byte_vec f = concat({hex("020000010001 020000020002 8903 0020"), inner});
  const auto m = decode_map(linktype::ethernet, f);
  EXPECT_EQ(m, (M{{"00:00:0c:9f:f0:01", role_dst}, {"00:50:56:8a:00:01", role_src}}));
}

TEST(Ethernet, VxlanInnerFrameAddressesAreTunnelled) {
  const byte_vec inner =
      ethernet("ffffffffffff", "0a0000000001", 0x0806, arp("0a0000000001", "000000000000"));
  // IPv4 (IHL 5, proto UDP), UDP to 4789, VXLAN header.
  const byte_vec ip = hex("45000000 00000000 4011 0000 0a000001 0a000002");
  const byte_vec udp = hex("c000 12b5 0000 0000");
  const byte_vec vxlan = hex("08000000 00000100");
  const auto m = decode_map(linktype::ethernet, ethernet("001122334455", "00aabbccddee", 0x0800,
                                                         concat({ip, udp, vxlan, inner})));
  EXPECT_EQ(m, (M{{"00:11:22:33:44:55", role_dst},
                  {"00:aa:bb:cc:dd:ee", role_src},
                  {"ff:ff:ff:ff:ff:ff", role_tunnel_dst},
                  {"0a:00:00:00:00:01", role_tunnel_src | role_arp_sender},
                  {"00:00:00:00:00:00", role_arp_target}}));
}

TEST(LinuxCooked, V1SourceOnlyWhenAddressLengthIsSix) {
  // packet type 0, ARPHRD_ETHER, address length 6, address + 2 pad, protocol IPv4.
  const auto m = decode_map(linktype::linux_sll, hex("0000 0001 0006 001b210a0b0c 0000 0800 45"));
  EXPECT_EQ(m, (M{{"00:1b:21:0a:0b:0c", role_src}}));
  // Loopback (ARPHRD 772) still has a 6-byte all-zero address.
  EXPECT_EQ(decode_map(linktype::linux_sll, hex("0000 0304 0006 000000000000 0000 0800")),
            (M{{"00:00:00:00:00:00", role_src}}));
  // A tunnel with no link-layer address.
  EXPECT_TRUE(decode_map(linktype::linux_sll, hex("0000 fffe 0000 0000000000000000 0800")).empty());
}

TEST(LinuxCooked, V2SourceAndArp) {
  // protocol ARP, reserved, ifindex, ARPHRD_ETHER, packet type, addr len 6, address + pad.
  const byte_vec f = concat({hex("0806 0000 00000002 0001 00 06 0050568a0002 0000"),
                             arp("0050568a0002", "000000000000")});
  EXPECT_EQ(decode_map(linktype::linux_sll2, f),
            (M{{"00:50:56:8a:00:02", role_src | role_arp_sender},
               {"00:00:00:00:00:00", role_arp_target}}));
}

// An 802.11 header: frame control, duration, then the given address fields.
byte_vec wlan(const std::string& fc, std::initializer_list<std::string> addrs, bool seq = true) {
  byte_vec f = concat({hex(fc), hex("0000")});
  std::size_t i = 0;
  for (const auto& a : addrs) {
    const byte_vec b = hex(a);
    f.insert(f.end(), b.begin(), b.end());
    if (++i == 3 && seq) {
      const byte_vec s = hex("1000");
      f.insert(f.end(), s.begin(), s.end());
    }
  }
  return f;
}

const std::string A1 = "020000000001", A2 = "020000000002", A3 = "020000000003",
                  A4 = "020000000004";

TEST(Wifi, DataFramesByDistributionSystemBits) {
  // Type data (0x08); flags: none, To DS, From DS, both.
  EXPECT_EQ(decode_map(linktype::ieee802_11, wlan("0800", {A1, A2, A3})),
            (M{{"02:00:00:00:00:01", role_dst},
               {"02:00:00:00:00:02", role_src},
               {"02:00:00:00:00:03", role_bssid}}));
  EXPECT_EQ(decode_map(linktype::ieee802_11, wlan("0801", {A1, A2, A3})),
            (M{{"02:00:00:00:00:01", role_bssid},
               {"02:00:00:00:00:02", role_src},
               {"02:00:00:00:00:03", role_dst}}));
  EXPECT_EQ(decode_map(linktype::ieee802_11, wlan("0802", {A1, A2, A3})),
            (M{{"02:00:00:00:00:01", role_dst},
               {"02:00:00:00:00:02", role_bssid},
               {"02:00:00:00:00:03", role_src}}));
  EXPECT_EQ(decode_map(linktype::ieee802_11, wlan("0803", {A1, A2, A3, A4})),
            (M{{"02:00:00:00:00:01", role_ra},
               {"02:00:00:00:00:02", role_ta},
               {"02:00:00:00:00:03", role_dst},
               {"02:00:00:00:00:04", role_src}}));
}

TEST(Wifi, ManagementAndControlFrames) {
  // Beacon (0x80): DA, SA, BSSID.
  EXPECT_EQ(decode_map(linktype::ieee802_11, wlan("8000", {"ffffffffffff", A2, A2})),
            (M{{"ff:ff:ff:ff:ff:ff", role_dst}, {"02:00:00:00:00:02", role_src | role_bssid}}));
  // ACK (0xd4): receiver only. RTS (0xb4): receiver and transmitter.
  EXPECT_EQ(decode_map(linktype::ieee802_11, wlan("d400", {A1}, false)),
            (M{{"02:00:00:00:00:01", role_dst}}));
  EXPECT_EQ(decode_map(linktype::ieee802_11, wlan("b400", {A1, A2}, false)),
            (M{{"02:00:00:00:00:01", role_dst}, {"02:00:00:00:00:02", role_src}}));
}

TEST(Wifi, OtherProtocolVersionsAreNotTrusted) {
  decode_status st{};
  EXPECT_TRUE(decode_map(linktype::ieee802_11, wlan("0900", {A1, A2, A3}), &st).empty());
  EXPECT_EQ(st, decode_status::wlan_version);
}

TEST(Wifi, CutShortTakesTheAddressesThatFit) {
  byte_vec f = wlan("0800", {A1, A2, A3});
  f.resize(18);  // addr1, addr2, and 2 bytes of addr3
  EXPECT_EQ(decode_map(linktype::ieee802_11, f),
            (M{{"02:00:00:00:00:01", role_dst}, {"02:00:00:00:00:02", role_src}}));
}

TEST(Wifi, RadiotapWithPaddingAndArpInsideQosData) {
  // Radiotap v0, length 20: present = TSFT | Flags; TSFT at offset 8; Flags 0x20 (data pad).
  const byte_vec rt = hex("00 00 1400 03000000 0102030405060708 20 000000");
  // QoS data (0x88) To DS, 3 addresses, seq, QoS control (2) -> 26 bytes, padded to 28.
  const byte_vec hdr = concat({wlan("8801", {A1, A2, A3}), hex("0000"), hex("0000")});
  const byte_vec llc = hex("aaaa03 000000 0806");
  const byte_vec f = concat({rt, hdr, llc, arp(A2, "000000000000")});
  EXPECT_EQ(decode_map(linktype::ieee802_11_radiotap, f),
            (M{{"02:00:00:00:00:01", role_bssid},
               {"02:00:00:00:00:02", role_src | role_arp_sender},
               {"02:00:00:00:00:03", role_dst},
               {"00:00:00:00:00:00", role_arp_target}}));
}

TEST(Wifi, PpiWrapsEightOTwoElevenOrEthernet) {
  const byte_vec ppi_wlan = hex("00 00 0800 69000000");  // length 8, DLT 105
  EXPECT_EQ(decode_map(linktype::ppi, concat({ppi_wlan, wlan("d400", {A1}, false)})),
            (M{{"02:00:00:00:00:01", role_dst}}));
  const byte_vec ppi_eth = hex("00 00 0800 01000000");  // DLT 1
  EXPECT_EQ(decode_map(linktype::ppi, concat({ppi_eth, ethernet(A1, A2, 0x0800)})),
            (M{{"02:00:00:00:00:01", role_dst}, {"02:00:00:00:00:02", role_src}}));
  decode_status st{};
  EXPECT_TRUE(decode_map(linktype::ppi, hex("00 00 2000 69000000"), &st).empty());
  EXPECT_EQ(st, decode_status::short_frame);
}

TEST(LinkTypes, WithoutMacsAndUnknownAreCountedApart) {
  decode_status st{};
  EXPECT_TRUE(decode_map(linktype::raw, hex("4500"), &st).empty());
  EXPECT_EQ(st, decode_status::no_mac_link);
  EXPECT_TRUE(decode_map(linktype::null, hex("02000000 4500"), &st).empty());
  EXPECT_EQ(st, decode_status::no_mac_link);
  EXPECT_TRUE(decode_map(60000, hex("00"), &st).empty());
  EXPECT_EQ(st, decode_status::unknown_link);
  EXPECT_EQ(link_info_of(127).name, "IEEE802_11_RADIOTAP");
  EXPECT_EQ(link_info_of(60000).family, link_family::unknown);
}

TEST(LinkTypes, SwitchTagsSitBetweenSourceAndEtherType) {
  // DSA: 4-byte tag after the source address (as tcpdump decodes it).
  const byte_vec f = concat({hex(A1), hex(A2), hex("40010000"), hex("0806"), arp(A2, A1)});
  EXPECT_EQ(decode_map(linktype::dsa_tag_dsa, f),
            (M{{"02:00:00:00:00:01", role_dst | role_arp_target},
               {"02:00:00:00:00:02", role_src | role_arp_sender}}));
}

}  // namespace
}  // namespace ouiscan::capture
