// IP bindings from hand-built frames: ARP, IPv4/IPv6 sources, DHCPv4 (RFC 2131/2132) with its
// option overload and cut-short options, Neighbor Discovery (RFC 4861), PPPoE; and the identity
// stage's table. Every expected value is written out by hand from the frame's bytes.
#include <gtest/gtest.h>

#include <array>
#include <string>
#include <vector>

#include "capture_builder.h"
#include "ouiscan/capture/decode.h"
#include "ouiscan/capture/link_type.h"
#include "ouiscan/identity/ip_table.h"
#include "ouiscan/identity/name_table.h"
#include "ouiscan/text/json.h"

namespace ouiscan::capture {
namespace {

using testing::byte_vec;
using testing::concat;
using testing::ethernet;
using testing::hex;

byte_vec be16(unsigned v) {
  return {std::byte{static_cast<std::uint8_t>(v >> 8)}, std::byte{static_cast<std::uint8_t>(v)}};
}

// An IPv4 header without options (checksum not checked by the decoder), then the payload.
byte_vec ipv4(const std::string& src, const std::string& dst, unsigned proto, const byte_vec& l4,
              unsigned fragment = 0) {
  return concat({hex("45 00"),
                 be16(20 + static_cast<unsigned>(l4.size())),
                 hex("0000"),
                 be16(fragment),
                 hex("40"),
                 {std::byte{static_cast<std::uint8_t>(proto)}},
                 hex("0000"),
                 hex(src),
                 hex(dst),
                 l4});
}
byte_vec udp(unsigned sport, unsigned dport, const byte_vec& payload) {
  return concat({be16(sport), be16(dport), be16(8 + static_cast<unsigned>(payload.size())),
                 hex("0000"), payload});
}
// A BOOTP message: op, ciaddr, yiaddr, chaddr; sname and file as given (zeros by default).
byte_vec bootp(unsigned op, const std::string& ciaddr, const std::string& yiaddr,
               const std::string& chaddr, const byte_vec& options, byte_vec file = byte_vec(128)) {
  byte_vec b = concat({{std::byte{static_cast<std::uint8_t>(op)}},
                       hex("01 06 00 12345678 0000 0000"),
                       hex(ciaddr),
                       hex(yiaddr),
                       hex("00000000 00000000"),
                       hex(chaddr),
                       byte_vec(10),
                       byte_vec(64),
                       file,
                       hex("63825363"),
                       options});
  return b;
}

struct B {
  std::string mac, ip;
  ip_source how;
  bool operator==(const B&) const = default;
};
std::ostream& operator<<(std::ostream& os, const B& b) {
  return os << b.mac << " " << b.ip << " " << to_string(b.how);
}

std::vector<B> bindings(const byte_vec& f, std::uint16_t link = linktype::ethernet) {
  frame_addresses out;
  decode(link, f, out);
  std::vector<B> v;
  for (const ip_binding& b : out.bindings()) {
    identity::ip_entry e;
    e.ip = b.ip;
    e.v6 = b.v6;
    v.push_back({b.mac.to_string(), e.text(), b.source});
  }
  return v;
}

constexpr const char* host = "00aabbccddee";
constexpr const char* host_mac = "00:aa:bb:cc:dd:ee";

TEST(IpBindings, ArpSenderButNotAProbe) {
  EXPECT_EQ(bindings(ethernet("ffffffffffff", host, 0x0806, testing::arp(host, "000000000000"))),
            (std::vector<B>{{host_mac, "192.168.0.1", ip_source::arp}}));
  // An ARP probe (RFC 5227): sender protocol address 0.0.0.0.
  const byte_vec probe = hex("0001 0800 06 04 0001 00aabbccddee 00000000 000000000000 c0a80002");
  EXPECT_TRUE(bindings(ethernet("ffffffffffff", host, 0x0806, probe)).empty());
}

TEST(IpBindings, UnicastIpv4SourcesOfEveryFragment) {
  const byte_vec icmp = hex("0800 0000 0000 0000");
  EXPECT_EQ(bindings(ethernet("001122334455", host, 0x0800, ipv4("0a010203", "0a010204", 1, icmp))),
            (std::vector<B>{{host_mac, "10.1.2.3", ip_source::frame}}));
  // A later fragment (offset 185 x 8 bytes) still names its source.
  EXPECT_EQ(
      bindings(ethernet("001122334455", host, 0x0800, ipv4("0a010203", "0a010204", 17, icmp, 185))),
      (std::vector<B>{{host_mac, "10.1.2.3", ip_source::frame}}));
  for (const char* src : {"00000000", "ffffffff", "e0000001"}) {
    EXPECT_TRUE(
        bindings(ethernet("ffffffffffff", host, 0x0800, ipv4(src, "ffffffff", 1, icmp))).empty())
        << src;
  }
}

TEST(IpBindings, DhcpAckBindsYourAddressToTheClientAndMarksTheServer) {
  // From the server 192.168.1.1 (02:00:00:00:00:01), port 67 to 68: ACK (option 53 = 5) of
  // 192.168.1.50 for 00:11:22:33:44:55.
  const byte_vec ack = bootp(2, "00000000", "c0a80132", "001122334455", hex("350105 ff"));
  const auto v = bindings(ethernet("001122334455", "020000000001", 0x0800,
                                   ipv4("c0a80101", "c0a80132", 17, udp(67, 68, ack))));
  EXPECT_EQ(v, (std::vector<B>{{"02:00:00:00:00:01", "192.168.1.1", ip_source::frame},
                               {"02:00:00:00:00:01", "192.168.1.1", ip_source::dhcp_server},
                               {"00:11:22:33:44:55", "192.168.1.50", ip_source::dhcp_ack}}));
  // The same reply as an OFFER (option 53 = 2) binds no "your" address.
  const byte_vec offer = bootp(2, "00000000", "c0a80132", "001122334455", hex("350102 ff"));
  const auto w = bindings(ethernet("001122334455", "020000000001", 0x0800,
                                   ipv4("c0a80101", "c0a80132", 17, udp(67, 68, offer))));
  EXPECT_EQ(w.size(), 2U);
}

TEST(IpBindings, DhcpRequestsRequestedAndClientAddresses) {
  // REQUEST from 0.0.0.0 with option 50 = 192.168.1.50 (and a pad byte before it).
  const byte_vec req = bootp(1, "00000000", "00000000", host, hex("350103 00 3204c0a80132 ff"));
  EXPECT_EQ(bindings(ethernet("ffffffffffff", host, 0x0800,
                              ipv4("00000000", "ffffffff", 17, udp(68, 67, req)))),
            (std::vector<B>{{host_mac, "192.168.1.50", ip_source::dhcp_requested}}));
  // A renewal: ciaddr 192.168.1.50 from that address.
  const byte_vec renew = bootp(1, "c0a80132", "00000000", host, hex("350103 ff"));
  EXPECT_EQ(bindings(ethernet("020000000001", host, 0x0800,
                              ipv4("c0a80132", "c0a80101", 17, udp(68, 67, renew)))),
            (std::vector<B>{{host_mac, "192.168.1.50", ip_source::frame},
                            {host_mac, "192.168.1.50", ip_source::dhcp_client}}));
}

TEST(IpBindings, DhcpOptionOverloadAndOptionsCutShort) {
  // Option 52 = 1: the file field holds options too; option 50 is there.
  byte_vec file = concat({hex("3204c0a8010a ff"), byte_vec(128 - 7)});
  const byte_vec over = bootp(1, "00000000", "00000000", host, hex("350103 340101 ff"), file);
  EXPECT_EQ(bindings(ethernet("ffffffffffff", host, 0x0800,
                              ipv4("00000000", "ffffffff", 17, udp(68, 67, over)))),
            (std::vector<B>{{host_mac, "192.168.1.10", ip_source::dhcp_requested}}));
  // Without option 52 the same file field is not read.
  const byte_vec plain = bootp(1, "00000000", "00000000", host, hex("350103 ff"), file);
  EXPECT_TRUE(bindings(ethernet("ffffffffffff", host, 0x0800,
                                ipv4("00000000", "ffffffff", 17, udp(68, 67, plain))))
                  .empty());
  // Option 50 claims 4 bytes where 2 remain: not taken.
  const byte_vec cut = bootp(1, "00000000", "00000000", host, hex("350103 3204c0a8"));
  EXPECT_TRUE(bindings(ethernet("ffffffffffff", host, 0x0800,
                                ipv4("00000000", "ffffffff", 17, udp(68, 67, cut))))
                  .empty());
  // A reply cut before the magic cookie still names its server, but no option is read.
  byte_vec shortened = bootp(2, "00000000", "c0a80132", host, hex("350105 ff"));
  shortened.resize(200);
  EXPECT_EQ(bindings(ethernet(host, "020000000001", 0x0800,
                              ipv4("c0a80101", "c0a80132", 17, udp(67, 68, shortened)))),
            (std::vector<B>{{"02:00:00:00:00:01", "192.168.1.1", ip_source::frame},
                            {"02:00:00:00:00:01", "192.168.1.1", ip_source::dhcp_server}}));
}

byte_vec ipv6(const std::string& src, const std::string& dst, unsigned next, const byte_vec& l4) {
  return concat({hex("60000000"),
                 be16(static_cast<unsigned>(l4.size())),
                 {std::byte{static_cast<std::uint8_t>(next)}},
                 hex("ff"),
                 hex(src),
                 hex(dst),
                 l4});
}

TEST(IpBindings, NeighborDiscovery) {
  const std::string ll = "fe800000000000000211 22fffe334455";
  const std::string target = "20010db8000000000000000000000001";
  // NS for 2001:db8::1 from fe80::211:22ff:fe33:4455 with its source link-layer option.
  const byte_vec ns = concat({hex("87 00 0000 00000000"), hex(target), hex("01 01 001122334455")});
  EXPECT_EQ(bindings(ethernet("333300000001", "001122334455", 0x86DD,
                              ipv6(ll, "ff0200000000000000000001ff000001", 58, ns))),
            (std::vector<B>{{"00:11:22:33:44:55", "fe80::211:22ff:fe33:4455", ip_source::frame},
                            {"00:11:22:33:44:55", "fe80::211:22ff:fe33:4455", ip_source::ndp_ns}}));
  // NA: the target link-layer option binds the target address.
  const byte_vec na = concat({hex("88 00 0000 60000000"), hex(target), hex("02 01 00aabbccddee")});
  EXPECT_EQ(bindings(ethernet("001122334455", host, 0x86DD, ipv6(ll, ll, 58, na))),
            (std::vector<B>{{host_mac, "fe80::211:22ff:fe33:4455", ip_source::frame},
                            {host_mac, "2001:db8::1", ip_source::ndp_na}}));
  // RA with a prefix option (type 3, 4 x 8 bytes) before the source link-layer option.
  const byte_vec ra = concat({hex("86 00 0000 40 00 0708 00000000 00000000"), hex("03 04"),
                              byte_vec(30), hex("01 01 00aabbccddee")});
  EXPECT_EQ(bindings(ethernet("333300000001", host, 0x86DD,
                              ipv6(ll, "ff020000000000000000000000000001", 58, ra))),
            (std::vector<B>{{host_mac, "fe80::211:22ff:fe33:4455", ip_source::frame},
                            {host_mac, "fe80::211:22ff:fe33:4455", ip_source::ndp_ra}}));
  // Duplicate address detection: an NS from :: binds nothing.
  EXPECT_TRUE(bindings(ethernet("333300000001", host, 0x86DD,
                                ipv6("00000000000000000000000000000000",
                                     "ff0200000000000000000001ff000001", 58, ns)))
                  .empty());
  // An option of length 0 ends the walk (RFC 4861 4.6: such a packet is discarded).
  const byte_vec zero =
      concat({hex("87 00 0000 00000000"), hex(target), hex("01 00 001122334455")});
  EXPECT_EQ(bindings(ethernet("333300000001", host, 0x86DD, ipv6(ll, target, 58, zero))).size(),
            1U);
}

TEST(IpBindings, ArpForAnotherProtocolBindsNothing) {
  // Protocol type 0x0870, not IPv4: its 4-byte "protocol address" is no IPv4 address.
  const byte_vec other = hex("0001 0870 06 04 0001 00aabbccddee c0a80168 000000000000 c0a80101");
  EXPECT_TRUE(bindings(ethernet("ffffffffffff", host, 0x0806, other)).empty());
}

TEST(IpBindings, Ipv4UnderMplsLabels) {
  // Two labels (16 and 17, the second with the bottom-of-stack bit), then IPv4.
  const byte_vec mpls = concat(
      {hex("00010040 000111ff"), ipv4("0a000001", "0a000002", 1, hex("0800 0000 0000 0000"))});
  EXPECT_EQ(bindings(ethernet("001122334455", host, 0x8847, mpls)),
            (std::vector<B>{{host_mac, "10.0.0.1", ip_source::frame}}));
}

TEST(IpBindings, Ipv4InsidePppoeSessions) {
  const byte_vec ppp = concat({hex("11 00 0001"), be16(2 + 28), hex("0021"),
                               ipv4("0a000001", "0a000002", 1, hex("0800 0000 0000 0000"))});
  EXPECT_EQ(bindings(ethernet("001122334455", host, 0x8864, ppp)),
            (std::vector<B>{{host_mac, "10.0.0.1", ip_source::frame}}));
}

TEST(IpTable, Ipv6TextFollowsRfc5952) {
  const auto text = [](const std::string& h) {
    identity::ip_entry e;
    e.v6 = true;
    const byte_vec b = hex(h);
    for (std::size_t i = 0; i < 16; ++i) e.ip[i] = static_cast<std::uint8_t>(b[i]);
    return e.text();
  };
  EXPECT_EQ(text("20010db8000000000000000000000001"), "2001:db8::1");
  EXPECT_EQ(text("00000000000000000000000000000001"), "::1");
  EXPECT_EQ(text("00000000000000000000000000000000"), "::");
  EXPECT_EQ(text("fe800000000000000000000000000000"), "fe80::");
  EXPECT_EQ(text("20010db8000000010000000000000001"), "2001:db8:0:1::1");
  // The longest run of zeros is shortened; of two equal runs, the first (RFC 5952 4.2.3).
  EXPECT_EQ(text("20010db8000000000001000000000001"), "2001:db8::1:0:0:1");
  // A single zero group is not shortened (4.2.2).
  EXPECT_EQ(text("20010db8000000010001000100010001"), "2001:db8:0:1:1:1:1:1");
}

TEST(IpTable, RecordsMergesAndCapsPerAddress) {
  identity::ip_table a;
  identity::ip_table b;
  ip_binding x{core::mac_address(0x001122334455), {10, 0, 0, 1}, false, ip_source::arp};
  a.record(x, 30);
  a.record(x, 10);
  x.source = ip_source::frame;
  b.record(x, 20);
  a.merge(b);
  a.seal();
  const auto ips = a.of(x.mac);
  ASSERT_EQ(ips.size(), 1U);
  EXPECT_EQ(ips[0].text(), "10.0.0.1");
  EXPECT_EQ(ips[0].sightings, 3U);
  EXPECT_EQ(ips[0].first_ns, 10);
  EXPECT_EQ(ips[0].last_ns, 30);
  EXPECT_EQ(ips[0].sources, (1U << static_cast<unsigned>(ip_source::arp)) |
                                (1U << static_cast<unsigned>(ip_source::frame)));
  identity::ip_table c;
  for (unsigned i = 0; i < identity::ip_table::max_per_mac + 5; ++i) {
    ip_binding y{core::mac_address(7),
                 {10, 1, static_cast<std::uint8_t>(i >> 8), static_cast<std::uint8_t>(i)},
                 false,
                 ip_source::frame};
    c.record(y, 100 - static_cast<std::int64_t>(i));
  }
  c.seal();
  EXPECT_EQ(c.of(core::mac_address(7)).size(), identity::ip_table::max_per_mac);
  EXPECT_EQ(c.overflow(core::mac_address(7)), 5U);
  EXPECT_EQ(c.of(core::mac_address(7)).front().first_ns, 100 - 1023);  // earliest first
}

TEST(IpTable, MovedMergesAddAsCopiesDoAndSealOrdersEveryAddress) {
  const core::mac_address m1(0x02'0000'000001);
  const core::mac_address m2(0x02'0000'000002);
  const auto bind = [](core::mac_address m, std::uint8_t last, bool v6 = false) {
    return ip_binding{m, {10, 0, 0, last}, v6, ip_source::frame};
  };
  identity::ip_table first;  // recorded interleaved, so the entries of a MAC are not adjacent
  first.record(bind(m2, 7), 50);
  first.record(bind(m1, 9), 40);
  first.record(bind(m2, 3), 50);        // same first sighting as .7: by address, .3 first
  first.record(bind(m1, 9, true), 40);  // same time as the IPv4 one: IPv4 first
  first.record(bind(m1, 8), 60);
  identity::ip_table second;
  second.record(bind(m1, 8), 20);  // moves .8 before .9
  second.record(bind(m2, 5), 10);

  identity::ip_table all;
  all.merge(std::move(first));   // into an empty table: taken whole
  all.merge(std::move(second));  // into a full one: added entry by entry
  all.seal();
  std::vector<std::string> got;
  for (const auto m : {m1, m2}) {
    for (const identity::ip_entry& e : all.of(m)) {
      got.push_back(e.text() + "@" + std::to_string(e.first_ns) + "x" +
                    std::to_string(e.sightings));
    }
  }
  EXPECT_EQ(got, (std::vector<std::string>{"10.0.0.8@20x2", "10.0.0.9@40x1", "a00:9::@40x1",
                                           "10.0.0.5@10x1", "10.0.0.3@50x1", "10.0.0.7@50x1"}));
  EXPECT_TRUE(all.of(core::mac_address(0x02'0000'000003)).empty());
}

TEST(IpTable, HintedSightingsCountPastSixteenBitsAndKeepFamiliesApart) {
  // 70,000 sightings through one hint: the count crosses 2^16 (65,536). An IPv6 address whose
  // first 4 bytes equal the IPv4 address (0a00:0001::) is another binding.
  identity::ip_table t;
  const core::mac_address mac(0x0000'5E00'5301);
  const ip_binding v4{mac, {10, 0, 0, 1}, false, ip_source::frame};
  ip_binding v6{mac, {10, 0, 0, 1}, true, ip_source::frame};
  v6.ip[15] = 9;
  std::uint32_t hint = 0;
  for (std::int64_t i = 0; i < 70'000; ++i) t.record(v4, 1'000 + i, hint);
  t.record(v6, 5, hint);
  t.record(v4, 2, hint);  // earlier than the first: first seen moves back
  identity::ip_table other;
  other.record(v4, 500'000);
  t.merge(other);
  t.seal();
  const auto ips = t.of(mac);
  ASSERT_EQ(ips.size(), 2U);
  EXPECT_FALSE(ips[0].v6);
  EXPECT_EQ(ips[0].sightings, 70'002U);
  EXPECT_EQ(ips[0].first_ns, 2);
  EXPECT_EQ(ips[0].last_ns, 500'000);
  EXPECT_TRUE(ips[1].v6);
  EXPECT_EQ(ips[1].text(), "a00:1::9");
  EXPECT_EQ(ips[1].sightings, 1U);
  EXPECT_EQ(ips[1].sources, 1U << static_cast<unsigned>(ip_source::frame));
}

}  // namespace
}  // namespace ouiscan::capture

namespace ouiscan::capture {
namespace {

TEST(Names, DhcpOptionsGiveNamesForTheClient) {
  // Host name "ab\x1b[2J" (an escape sequence), vendor class "MSFT 5.0", request list 1,3,6,
  // FQDN with the E flag: 4 "host" 7 "example" 0.
  const byte_vec options = hex(
      "350103 0c066162 1b5b324a 3c084d53 46542035 2e30 370301 0306 5111 040000 04686f7374 076578"
      "616d706c65 00 ff");
  const byte_vec req = testing::concat(
      {hex("01 01 06 00 12345678 0000 0000 00000000 00000000 00000000 00000000 00aabbccddee"),
       byte_vec(10), byte_vec(64), byte_vec(128), hex("63825363"), options});
  // The names point into the frame: it must outlive them.
  const byte_vec frame = ethernet("ffffffffffff", "00aabbccddee", 0x0800,
                                  ipv4("00000000", "ffffffff", 17, udp(68, 67, req)));
  frame_addresses out;
  decode(linktype::ethernet, frame, out);
  identity::name_table t;
  for (const name_hit& n : out.names()) t.record(n, 5);
  t.seal();
  const auto names = t.of(core::mac_address(0x00aabbccddee));
  std::vector<std::pair<std::string, std::string>> got;
  for (const auto& n : names) got.emplace_back(to_string(n.kind), n.text);
  EXPECT_EQ(got,
            (std::vector<std::pair<std::string, std::string>>{{"dhcp_hostname", "ab\\x1b[2J"},
                                                              {"dhcp_fqdn", "host.example"},
                                                              {"dhcp_vendor_class", "MSFT 5.0"},
                                                              {"dhcp_parameter_list", "1,3,6"}}));
}

using named = std::vector<std::pair<std::string, std::string>>;

// The names a frame gives, by MAC address, as the name table keeps them. The frame must
// outlive the hits, which point into it.
named names_of(const byte_vec& frame, const char* mac) {
  frame_addresses out;
  decode(linktype::ethernet, frame, out);
  identity::name_table t;
  t.record(out.names(), 5);
  t.seal();
  named got;
  for (const auto& n : t.of(core::mac_address::parse(mac).value())) {
    got.emplace_back(to_string(n.kind), n.text);
  }
  return got;
}

TEST(Names, OneFramesNamesGoToEachOnesAddress) {
  // record() looks a run of names of one address up once: a run that changes address must
  // still file each name under its own, and a repeated name adds a sighting.
  const std::string a = "alpha", b = "beta";
  const auto bytes_of = [](const std::string& s) {
    return core::bytes(reinterpret_cast<const std::byte*>(s.data()), s.size());
  };
  const core::mac_address m1(0x020000000001), m2(0x020000000002);
  const std::array<name_hit, 4> hits = {name_hit{m1, name_kind::dhcp_hostname, bytes_of(a), {}},
                                        name_hit{m2, name_kind::dhcp_hostname, bytes_of(b), {}},
                                        name_hit{m1, name_kind::dhcp_vendor_class, bytes_of(b), {}},
                                        name_hit{m1, name_kind::dhcp_hostname, bytes_of(a), {}}};
  identity::name_table t;
  t.record(hits, 7);
  t.seal();
  const auto one = t.of(m1);
  ASSERT_EQ(one.size(), 2U);
  EXPECT_EQ(one[0].text, "alpha");
  EXPECT_EQ(one[0].sightings, 2U);
  EXPECT_EQ(one[1].kind, name_kind::dhcp_vendor_class);
  EXPECT_EQ(one[1].text, "beta");
  const auto two = t.of(m2);
  ASSERT_EQ(two.size(), 1U);
  EXPECT_EQ(two[0].text, "beta");
  EXPECT_EQ(two[0].first_ns, 7);
}

byte_vec tlv(unsigned type, const byte_vec& value) {  // LLDP: 7-bit type, 9-bit length
  return concat({be16(type << 9 | static_cast<unsigned>(value.size())), value});
}

TEST(Names, LldpTlvsUntilEndOrACutTlv) {
  // Chassis ID subtype 4 (MAC), port ID subtype 5 (interface name), TTL, system name, system
  // capabilities (bridge+router, enabled router), management address 1 (IPv4) 10.0.0.9.
  const byte_vec lldp =
      concat({tlv(1, hex("04 0011223344aa")), tlv(2, hex("05 47693130")), tlv(3, hex("0078")),
              tlv(5, hex("73 77 1b 31")), tlv(7, hex("0014 0010")),
              tlv(8, hex("05 01 0a000009 02 00000001 00")), tlv(0, {})});
  const byte_vec frame = ethernet("0180c200000e", host, 0x88cc, lldp);
  EXPECT_EQ(names_of(frame, host_mac), (named{{"lldp_chassis_id", "00:11:22:33:44:aa"},
                                              {"lldp_port_id", "Gi10"},
                                              {"lldp_system_name", "sw\\x1b1"},
                                              {"lldp_capabilities", "router"},
                                              {"lldp_management_address", "10.0.0.9"}}));
  // A system description whose length runs past the frame ends the walk; what came before stays.
  const byte_vec cut = concat({tlv(5, hex("6162")), be16(6 << 9 | 40), hex("6364")});
  EXPECT_EQ(names_of(ethernet("0180c200000e", host, 0x88cc, cut), host_mac),
            (named{{"lldp_system_name", "ab"}}));
}

TEST(Names, CdpOverSnapAndCutTlvs) {
  // 802.3 length, LLC AA AA 03, OUI 00000C, protocol 0x2000; version 2, TTL, checksum; device
  // ID "R1", platform "cisco 1601", then a TLV whose length (3) is less than its header.
  const byte_vec cdp =
      hex("aaaa03 00000c 2000 02 b4 0000  0001 0006 5231  0006 000e 636973636f2031363031"
          "  0003 0003 41");
  byte_vec frame =
      concat({hex("01000ccccccc"), hex(host), be16(static_cast<unsigned>(cdp.size())), cdp});
  EXPECT_EQ(names_of(frame, host_mac),
            (named{{"cdp_device_id", "R1"}, {"cdp_platform", "cisco 1601"}}));
  // The same bytes under another OUI are not CDP.
  frame[17] = std::byte{0x0d};
  EXPECT_TRUE(names_of(frame, host_mac).empty());
}

// "WS1" with suffix 0x00, padded with spaces, in NetBIOS first-level encoding.
const char* const ws1 =
    "20 4648 4644 4442 4341 4341 4341 4341 4341 4341 4341 4341 4341 4341 4341 4341 4141 00";

TEST(Names, NetbiosRegistrationsButNotQueries) {
  const auto nbns = [&](const char* flags) {
    return ethernet("ffffffffffff", host, 0x0800,
                    ipv4("c0a80001", "c0a800ff", 17,
                         udp(137, 137,
                             concat({hex("1234"), hex(flags), hex("0001 0000 0000 0001"), hex(ws1),
                                     hex("0020 0001")}))));
  };
  EXPECT_EQ(names_of(nbns("2910"), host_mac), (named{{"nbns_name", "WS1<00>"}}));  // registration
  EXPECT_EQ(names_of(nbns("4000"), host_mac), (named{{"nbns_name", "WS1<00>"}}));  // refresh
  EXPECT_TRUE(names_of(nbns("0110"), host_mac).empty());                           // a query
  EXPECT_TRUE(names_of(nbns("a910"), host_mac).empty());                           // a response
}

TEST(Names, MdnsResponseOwnersWithCompressionAndLoops) {
  // Response, 0 questions, 3 answers: "pi.local" A 192.168.0.7; an SRV owned by
  // "Pi._ssh._tcp" + pointer to "local" (offset 15); a PTR (not a name of the host).
  const byte_vec msg =
      hex("0000 8400 0000 0003 0000 0000"
          "02706905 6c6f63616c 00 0001 8001 00000078 0004 c0a80007"  // offset 12: pi.local
          "02506904 5f737368 045f746370 c00f 0021 8001 00000078 0008 0000 0000 0016 c00c"
          "c00c 000c 0001 00000078 0002 c00c");
  const auto frame = [&](const byte_vec& m) {
    return ethernet("01005e0000fb", host, 0x0800,
                    ipv4("c0a80007", "e00000fb", 17, udp(5353, 5353, m)));
  };
  EXPECT_EQ(names_of(frame(msg), host_mac),
            (named{{"mdns_hostname", "pi.local"}, {"mdns_service", "Pi._ssh._tcp.local"}}));
  // A query carrying the same records names nothing; a name pointing at itself ends.
  byte_vec query = msg;
  query[2] = std::byte{0x00};
  EXPECT_TRUE(names_of(frame(query), host_mac).empty());
  const byte_vec loop = hex("0000 8400 0000 0001 0000 0000 c00c 0001 0001 00000078 0004 01020304");
  EXPECT_TRUE(names_of(frame(loop), host_mac).empty());
}

TEST(IpBindings, Dhcpv6DuidLinkLayerAddresses) {
  const auto ipv6_udp = [](const char* src, unsigned sport, unsigned dport, const byte_vec& p) {
    const byte_vec u = udp(sport, dport, p);
    return ethernet("333300010002", host, 0x86dd,
                    concat({hex("60000000"), be16(static_cast<unsigned>(u.size())), hex("1140"),
                            hex(src), hex("ff020000000000000000000000010002"), u}));
  };
  // Solicit with a client identifier DUID-LL (type 3, hardware type 1).
  const byte_vec solicit = hex("01 abcdef 0001 000a 0003 0001 0002b3aabbcc");
  EXPECT_EQ(bindings(ipv6_udp("fe800000000000000202b3fffeaabbcc", 546, 547, solicit)),
            (std::vector<B>{
                {host_mac, "fe80::202:b3ff:feaa:bbcc", ip_source::frame},
                {"00:02:b3:aa:bb:cc", "fe80::202:b3ff:feaa:bbcc", ip_source::dhcpv6_client}}));
  // Reply: client identifier DUID-LLT (type 1, hardware type 1, time), IA_NA with an IA
  // address 2001:db8::5.
  const byte_vec reply =
      hex("07 abcdef 0001 000e 0001 0001 11223344 0002b3aabbcc"
          "0003 0028 00000001 00000000 00000000 0005 0018 20010db8000000000000000000000005 "
          "00000078 000000b4");
  const auto got = bindings(ipv6_udp("fe800000000000000000000000000001", 547, 546, reply));
  ASSERT_EQ(got.size(), 2U);
  EXPECT_EQ(got[1], (B{"00:02:b3:aa:bb:cc", "2001:db8::5", ip_source::dhcpv6_reply}));
}

TEST(Tunnels, InnerFramesBecomeRecordsWithTheirTunnel) {
  const byte_vec inner = ethernet("020000000002", "020000000001", 0x0800,
                                  ipv4("0a000001", "0a000002", 6, byte_vec(20)));
  // Geneve: version 0, 1 word of options, protocol 0x6558, VNI 0x001389; then the option
  // (class 0x0101, type 1, no data).
  const byte_vec geneve = concat({hex("01 00 6558 00138900 0101 0100"), inner});
  const byte_vec frame = ethernet("001122334455", host, 0x0800,
                                  ipv4("c0a80001", "c0a80002", 17, udp(40000, 6081, geneve)));
  frame_addresses out;
  decode(linktype::ethernet, frame, out);
  EXPECT_TRUE(out.tunnelled);
  std::vector<std::pair<std::string, std::uint16_t>> roles;
  for (const address_hit& h : out.addresses()) roles.emplace_back(h.mac.to_string(), h.roles);
  EXPECT_EQ(roles, (std::vector<std::pair<std::string, std::uint16_t>>{
                       {"00:11:22:33:44:55", role_dst},
                       {host_mac, role_src},
                       {"02:00:00:00:00:02", role_tunnel_dst},
                       {"02:00:00:00:00:01", role_tunnel_src}}));
  // The inner IPv4 source belongs to the inner frame's source.
  EXPECT_EQ(bindings(frame), (std::vector<B>{{host_mac, "192.168.0.1", ip_source::frame},
                                             {"02:00:00:00:00:01", "10.0.0.1", ip_source::frame}}));
  EXPECT_EQ(names_of(frame, "02:00:00:00:00:02"),
            (named{{"geneve", "192.168.0.1 > 192.168.0.2 vni 5001"}}));
  // GRE with a key carrying Ethernet (0x6558); ERSPAN type II (sequence number, session 0x65).
  const byte_vec gre = concat({hex("2000 6558 0000002a"), inner});
  EXPECT_EQ(names_of(ethernet("001122334455", host, 0x0800, ipv4("c0a80001", "c0a80002", 47, gre)),
                     "02:00:00:00:00:01"),
            (named{{"gre", "192.168.0.1 > 192.168.0.2 key 42"}}));
  const byte_vec erspan = concat({hex("1000 88be 00000001 10000065 00000000"), inner});
  EXPECT_EQ(
      names_of(ethernet("001122334455", host, 0x0800, ipv4("c0a80001", "c0a80002", 47, erspan)),
               "02:00:00:00:00:01"),
      (named{{"erspan", "192.168.0.1 > 192.168.0.2 session 101"}}));
}

TEST(Names, CleanNameKeepsValidUtf8AndEscapesTheRest) {
  EXPECT_EQ(text::clean_name("caf\xc3\xa9"), "caf\xc3\xa9");        // U+00E9
  EXPECT_EQ(text::clean_name("\xe2\x82\xac 5"), "\xe2\x82\xac 5");  // U+20AC
  EXPECT_EQ(text::clean_name("a\xff"
                             "b"),
            "a\\xffb");                                                     // never valid
  EXPECT_EQ(text::clean_name("\xc0\xaf"), "\\xc0\\xaf");                    // overlong '/'
  EXPECT_EQ(text::clean_name("\xed\xa0\x80"), "\\xed\\xa0\\x80");           // a surrogate
  EXPECT_EQ(text::clean_name("\xf4\x90\x80\x80"), "\\xf4\\x90\\x80\\x80");  // past U+10FFFF
  EXPECT_EQ(text::clean_name("\xe2\x82"), "\\xe2\\x82");                    // cut short
  EXPECT_EQ(text::clean_name("x\x1b\x7f\n"), "x\\x1b\\x7f\\x0a");           // C0 and DEL
  EXPECT_EQ(text::clean_name("\xc2\x9b"
                             "1m"),
            "\\x9b1m");  // C1 CSI
}

}  // namespace
}  // namespace ouiscan::capture
