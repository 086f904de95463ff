// -f ethers: an /etc/ethers file (docs/output.md, "Wireshark's files"), so that Wireshark shows
// ouiscan's names for the addresses.
#include <fmt/format.h>

#include <array>
#include <iterator>

#include "ouiscan/report/inventory.h"
#include "ouiscan/vendors/wireshark_files.h"
#include "render.h"

namespace ouiscan::report {
namespace {

using capture::name_kind;

// The names that say which device it is, best first: the user's own, then what the device
// calls itself.
constexpr std::array<name_kind, 8> kPreferred = {
    name_kind::user_name, name_kind::dhcp_hostname,    name_kind::mdns_hostname,
    name_kind::nbns_name, name_kind::lldp_system_name, name_kind::cdp_device_id,
    name_kind::dhcp_fqdn, name_kind::dhcp_fqdn_wire};

// The first label of a DNS name, a NetBIOS name without its "<1c>" suffix.
std::string_view host_part(name_kind kind, std::string_view text) {
  if (kind == name_kind::mdns_hostname || kind == name_kind::dhcp_fqdn ||
      kind == name_kind::dhcp_fqdn_wire) {
    return text.substr(0, text.find('.'));
  }
  if (kind == name_kind::nbns_name) {
    text = text.substr(0, text.rfind('<'));
    while (text.ends_with(' ')) text.remove_suffix(1);
  }
  return text;
}

// The device's name, else its vendor's short name (or its class) and its last three octets,
// as Wireshark names an address it knows only the vendor of ("Cisco_0a:0b:0c").
std::string ethers_name(const inventory& inv, const entry& e) {
  std::string token = vendors::ethers_token(detail::device_name(inv, e));
  if (!token.empty()) return token;
  std::string vendor = vendors::ethers_token(vendors::short_organization(*e.vendor));
  if (vendor.empty()) vendor = vendors::class_name(*e.vendor, e.mac());
  const std::string mac = e.mac().to_string();
  return fmt::format("{}_{}", vendor, std::string_view(mac).substr(9));
}

}  // namespace

std::string detail::device_name(const inventory& inv, const entry& e) {
  const auto names = names_of(inv, e.mac());
  for (const name_kind kind : kPreferred) {
    for (const identity::name_entry& n : names) {
      if (n.kind != kind) continue;
      const std::string_view host = host_part(kind, n.text);
      if (!host.empty()) return std::string(host);
    }
  }
  return {};
}

bool detail::write_ethers(std::FILE* out, const inventory& inv) {
  fmt::memory_buffer b;
  auto o = std::back_inserter(b);
  fmt::format_to(o, "# ouiscan: the addresses found and their names, in ethers(5) format\n");
  for (const entry& e : shown(inv)) {
    fmt::format_to(o, "{} {}\n", e.mac().to_string(), ethers_name(inv, e));
    if (b.size() > flush_threshold && !flush(out, b)) return false;
  }
  return flush(out, b);
}

}  // namespace ouiscan::report
