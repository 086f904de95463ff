#include "ouiscan/capture/link_type.h"

#include <algorithm>
#include <array>
#include <utility>

namespace ouiscan::capture {
namespace {

struct entry {
  std::uint16_t value;
  link_info info;
};

using enum link_family;

// Sorted by value for binary search. Names follow tcpdump.org's LINKTYPE_ list.
constexpr std::array kLinkTypes{
    entry{0, {"NULL", no_mac}},
    entry{1, {"ETHERNET", ethernet}},
    entry{3, {"AX25", no_mac}},
    entry{6, {"IEEE802_5", no_mac}},
    entry{7, {"ARCNET_BSD", no_mac}},
    entry{8, {"SLIP", no_mac}},
    entry{9, {"PPP", no_mac}},
    entry{10, {"FDDI", no_mac}},
    entry{12, {"RAW_OPENBSD", no_mac}},
    entry{14, {"RAW_BSDOS", no_mac}},
    entry{50, {"PPP_HDLC", no_mac}},
    entry{51, {"PPP_ETHER", no_mac}},
    entry{100, {"ATM_RFC1483", no_mac}},
    entry{101, {"RAW", no_mac}},
    entry{104, {"C_HDLC", no_mac}},
    entry{105, {"IEEE802_11", wifi}},
    entry{106, {"ATM_CLIP", no_mac}},
    entry{107, {"FRELAY", no_mac}},
    entry{108, {"LOOP", no_mac}},
    entry{113, {"LINUX_SLL", linux_sll}},
    entry{114, {"LTALK", no_mac}},
    entry{117, {"PFLOG", no_mac}},
    entry{119, {"IEEE802_11_PRISM", no_mac}},
    entry{122, {"IP_OVER_FC", no_mac}},
    entry{123, {"SUNATM", no_mac}},
    entry{127, {"IEEE802_11_RADIOTAP", wifi}},
    entry{129, {"ARCNET_LINUX", no_mac}},
    entry{137, {"JUNIPER_ATM1", no_mac}},
    entry{138, {"APPLE_IP_OVER_IEEE1394", no_mac}},
    entry{139, {"MTP2_WITH_PHDR", no_mac}},
    entry{140, {"MTP2", no_mac}},
    entry{141, {"MTP3", no_mac}},
    entry{142, {"SCCP", no_mac}},
    entry{143, {"DOCSIS", no_mac}},
    entry{147, {"USER0", no_mac}},
    entry{148, {"USER1", no_mac}},
    entry{149, {"USER2", ethernet}},
    entry{150, {"USER3", no_mac}},
    entry{151, {"USER4", no_mac}},
    entry{152, {"USER5", no_mac}},
    entry{153, {"USER6", no_mac}},
    entry{154, {"USER7", no_mac}},
    entry{155, {"USER8", no_mac}},
    entry{156, {"USER9", no_mac}},
    entry{157, {"USER10", no_mac}},
    entry{158, {"USER11", no_mac}},
    entry{159, {"USER12", no_mac}},
    entry{160, {"USER13", no_mac}},
    entry{161, {"USER14", no_mac}},
    entry{162, {"USER15", no_mac}},
    entry{163, {"IEEE802_11_AVS", no_mac}},
    entry{164, {"JUNIPER_MONITOR", no_mac}},
    entry{165, {"BACNET_MS_TP", no_mac}},
    entry{166, {"PPP_PPPD", no_mac}},
    entry{178, {"JUNIPER_ETHER", ethernet}},
    entry{182, {"MFR", no_mac}},
    entry{187, {"BLUETOOTH_HCI_H4", no_mac}},
    entry{189, {"USB_LINUX", no_mac}},
    entry{192, {"PPI", wifi}},
    entry{195, {"IEEE802_15_4_WITHFCS", no_mac}},
    entry{201, {"BLUETOOTH_HCI_H4_WITH_PHDR", no_mac}},
    entry{220, {"USB_LINUX_MMAPPED", no_mac}},
    entry{226, {"IPNET", no_mac}},
    entry{227, {"CAN_SOCKETCAN", no_mac}},
    entry{228, {"IPV4", no_mac}},
    entry{229, {"IPV6", no_mac}},
    entry{230, {"IEEE802_15_4_NOFCS", no_mac}},
    entry{231, {"DBUS", no_mac}},
    entry{239, {"NFLOG", no_mac}},
    entry{242, {"IPOIB", no_mac}},
    entry{249, {"USBPCAP", no_mac}},
    entry{258, {"PKTAP", ethernet}},
    entry{263, {"BLUETOOTH_LE_LL", no_mac}},
    entry{271, {"VSOCK", no_mac}},
    entry{274, {"ETHERNET_MPACKET", no_mac}},
    entry{276, {"LINUX_SLL2", linux_sll}},
    entry{281, {"DSA_TAG_BRCM", ethernet}},
    entry{282, {"DSA_TAG_BRCM_PREPEND", ethernet}},
    entry{284, {"DSA_TAG_DSA", ethernet}},
    entry{285, {"DSA_TAG_EDSA", ethernet}},
};

static_assert(std::is_sorted(kLinkTypes.begin(), kLinkTypes.end(),
                             [](const entry& a, const entry& b) { return a.value < b.value; }));

}  // namespace

link_info link_info_of(std::uint16_t link_type) noexcept {
  const auto* it = std::lower_bound(kLinkTypes.begin(), kLinkTypes.end(), link_type,
                                    [](const entry& e, std::uint16_t v) { return e.value < v; });
  if (it != kLinkTypes.end() && it->value == link_type) return it->info;
  return {"", link_family::unknown};
}

}  // namespace ouiscan::capture
