// File: name_table.h
// The identity stage's names: what each MAC address calls itself (DHCP host name and FQDN,
// NetBIOS, mDNS, LLDP and CDP), its vendor class and its DHCP parameter request list (the
// fingerprint that Fingerbank, Satori and PRADS key on), and the tunnels that carried it, with
// sightings and first/last seen. Names come from strangers: they
// are stored as text::clean_name makes them, so that no output can be steered by them.
//
//   identity::name_table t;
//   t.record(frame.names(), ts_ns);
//   t.seal();
//   for (const identity::name_entry& n : t.of(mac)) print(capture::to_string(n.kind), n.text);
#pragma once

#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "ouiscan/capture/decode.h"
#include "ouiscan/core/mac_address.h"

namespace ouiscan::identity {

struct name_entry {
  capture::name_kind kind = capture::name_kind::dhcp_hostname;  // dhcp_fqdn_wire reads dhcp_fqdn
  std::string text;
  std::uint64_t sightings = 0;
  std::int64_t first_ns = std::numeric_limits<std::int64_t>::max();
  std::int64_t last_ns = std::numeric_limits<std::int64_t>::min();
  [[nodiscard]] bool has_time() const noexcept {
    return first_ns != std::numeric_limits<std::int64_t>::max();
  }
};

// The text of a name as the table keeps it (docs/addresses.md): the parameter request list as
// comma-separated decimal codes ("1,3,6,15"), DNS names as dotted labels, NetBIOS names as
// "NAME<1c>", LLDP addresses and capabilities as text, a tunnel as "outer source > outer
// destination" and its identifier, any other name cleaned (text::clean_name).
[[nodiscard]] std::string name_text(capture::name_kind kind, core::bytes value,
                                    core::bytes context = {});

class name_table {
 public:
  static constexpr std::size_t max_per_mac = 32;  // later distinct names are dropped, counted

  // A frame's names, which mostly share its source address: that address is looked up once.
  void record(std::span<const capture::name_hit> hits, std::int64_t ts_ns);
  void record(const capture::name_hit& hit, std::int64_t ts_ns) { record({&hit, 1}, ts_ns); }
  void merge(const name_table& o);
  // The same, but an empty table takes o's names instead of copying them.
  void merge(name_table&& o);
  // Adds what a JSON result says of one name (`ouiscan merge`), as merge() adds another table's.
  void restore(core::mac_address mac, name_entry e) { add(by_mac_[mac.value()], std::move(e)); }
  [[nodiscard]] bool empty() const noexcept { return by_mac_.empty() && sealed_macs_.empty(); }
  // Orders each address's names as of() lists them and lays them out by MAC address, so that a
  // report finds an address's names with a search of one sorted array; call once the table is
  // complete (of() lists nothing before, and nothing may be added after).
  void seal();
  // By kind, then earliest first seen, then text; valid while the table is.
  [[nodiscard]] std::span<const name_entry> of(core::mac_address mac) const;

 private:
  struct per_mac {
    std::vector<name_entry> names;
    std::uint64_t not_kept = 0;
  };
  static void add(per_mac& m, name_entry e);
  std::unordered_map<std::uint64_t, per_mac> by_mac_;  // until sealed
  // Once sealed: the MAC addresses in order, where each one's names start in sealed_ (one more
  // than the addresses, the last the end), and the names.
  std::vector<std::uint64_t> sealed_macs_;
  std::vector<std::uint32_t> sealed_start_;
  std::vector<name_entry> sealed_;
};

}  // namespace ouiscan::identity
