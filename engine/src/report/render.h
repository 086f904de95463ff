// The report's internals shared by its renderers (JSON, table, CSV, summary text).
#pragma once

#include <fmt/format.h>

#include <cstdint>
#include <cstdio>
#include <span>
#include <string>
#include <string_view>

#include "ouiscan/report/inventory.h"

namespace ouiscan::report::detail {

inline constexpr std::string_view kRoleNames[] = {
    "src", "dst", "bssid", "ra", "ta", "arp_sender", "arp_target", "tunnel_src", "tunnel_dst"};
static_assert(std::size(kRoleNames) == capture::role_count);
inline constexpr std::size_t flush_threshold = 1U << 16;

// "LINUX_SLL2", or "LINKTYPE_n" for a number without a name.
[[nodiscard]] std::string link_name(std::uint16_t lt);
// "local" or "universal".
[[nodiscard]] std::string_view admin_of(core::mac_address m);
// Whether --since or --until narrowed the scan.
[[nodiscard]] bool has_window(const inventory& inv);
struct stage_times {
  double cut = 0, extract = 0, merge = 0, scan = 0, bytes_per_s = 0, frames_per_s = 0;
};
[[nodiscard]] stage_times stages(const inventory& inv);
// "38.9 KB"
[[nodiscard]] std::string human_bytes(double v);
// Writes the buffer out and empties it; false when the stream failed.
bool flush(std::FILE* out, fmt::memory_buffer& b);
// The entries a writer shows: all, or the first --top.
[[nodiscard]] std::span<const entry> shown(const inventory& inv);

void json_summary(fmt::memory_buffer& b, const inventory& inv);
bool write_json(std::FILE* out, const inventory& inv, bool lines);
bool write_table(std::FILE* out, const inventory& inv);
bool write_csv(std::FILE* out, const inventory& inv);
bool write_ethers(std::FILE* out, const inventory& inv);
bool write_html(std::FILE* out, const inventory& inv);
// The name that says which device it is: the user's (--names), else the first of the DHCP host
// name, the mDNS host name's first label, the NetBIOS name, the LLDP system name, the CDP
// device ID, the DHCP FQDN's first label; "" when it has none.
[[nodiscard]] std::string device_name(const inventory& inv, const entry& e);

}  // namespace ouiscan::report::detail
