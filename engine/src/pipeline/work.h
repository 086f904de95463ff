// The pipeline's work items and per-thread findings, and the accountant that turns frames
// into statistics: shared by the chunk pipeline (scan.cpp) and the segment walk (segments.cpp).
#pragma once

#include <array>
#include <chrono>
#include <limits>
#include <memory>
#include <vector>

#include "ouiscan/identity/ip_table.h"
#include "ouiscan/identity/name_table.h"
#include "ouiscan/pipeline/scan.h"

namespace ouiscan::pipeline::detail {

// One token's worth of work: a chunk of whole records.
struct work {
  core::bytes data;
  std::vector<std::byte> owned;      // the chunk's bytes when the input is a stream
  std::shared_ptr<const void> keep;  // or the stream's memory it lends (S3 parts), held here
  std::shared_ptr<const capture::section_state> section;
};

// What one worker thread has found; the threads' findings are merged once, at the end of the
// input, so the per-frame path touches no shared state and takes no lock.
struct findings {
  std::size_t cap = std::numeric_limits<std::size_t>::max();  // --max-addresses
  const frame_filter* filter = nullptr;
  address_table table;
  identity::ip_table ips;
  // Per address index, ips.record()'s hint for the IPv6 binding the address made last (the
  // IPv4 one is in its record: address_stats::ipv4_hint).
  std::vector<std::uint32_t> ipv6_hints;
  identity::name_table names;
  frame_counters counters;
  double seconds = 0;  // time spent extracting, for the per-stage report
};

using clock = std::chrono::steady_clock;
inline double since(clock::time_point t) {
  return std::chrono::duration<double>(clock::now() - t).count();
}

// Accounts frames in small batches. Per address, the table's slot and then its record are each
// a likely cache miss; taken one frame at a time they are waited for in turn. A batch is decoded
// first and the slots of all its addresses requested, then the slots are read and the records
// requested, then the records confirmed and updated, so the misses of a batch overlap.
class accountant {
 public:
  explicit accountant(findings& w) : w_(w) {}
  accountant(const accountant&) = delete;
  accountant& operator=(const accountant&) = delete;
  ~accountant() = default;

  // Accounts one frame; false when the filter rejected it (it is only counted).
  bool add(const capture::frame& f) {
    frame_counters& c = w_.counters;
    const std::uint16_t link = f.iface->link_type;
    ++c.frames;
    c.wire_bytes += f.origlen;
    c.captured_bytes += f.caplen;
    if (f.caplen > f.origlen) ++c.caplen_over_origlen;
    if (f.ts_ns == capture::no_timestamp) {
      ++c.untimed_frames;
    } else {
      c.first_ns = std::min(c.first_ns, f.ts_ns);
      c.last_ns = std::max(c.last_ns, f.ts_ns);
    }
    c.add_link(link, f.origlen);
    if (w_.filter != nullptr && !w_.filter->keep(f)) {
      ++c.filtered_out;
      return false;
    }
    decoded& d = batch_[size_];
    d.link = link;
    d.origlen = f.origlen;
    d.ts_ns = f.ts_ns;
    capture::decode(link, core::bytes(f.data, f.caplen), d.hits);
    ++c.status[static_cast<std::size_t>(d.hits.status)];
    if (!d.hits.vlans().empty()) ++c.frames_with_vlan;
    if (d.hits.tunnelled) [[unlikely]] {
      ++c.frames_with_tunnel;
    }
    c.identity_dropped += d.hits.dropped();
    if (d.hits.flags != 0) [[unlikely]] {
      c.arp_mismatch_frames += (d.hits.flags & capture::flag_arp_mismatch) != 0 ? 1 : 0;
      c.gratuitous_arp_frames += (d.hits.flags & capture::flag_gratuitous_arp) != 0 ? 1 : 0;
    }
    for (const capture::address_hit& h : d.hits.addresses()) w_.table.prefetch(h.mac);
    if (++size_ == batch) flush();
    return true;
  }

  // Accounts the frames still in the batch; call at the end of every chunk.
  void flush() {
    address_table& table = w_.table;
    std::vector<std::uint32_t>& v6_hints = w_.ipv6_hints;
    for (std::size_t k = 0; k < size_; ++k) {
      decoded& d = batch_[k];
      std::size_t n = 0;
      const auto bindings = d.hits.bindings();
      for (const capture::address_hit& h : d.hits.addresses()) {
        const std::size_t i = table.guess(h.mac);
        if (i != address_table::no_index) {
          table.prefetch_stats(i);
          // The source's binding entry is recorded two passes on: ask for its hint now (an
          // IPv4 one comes with the record), and for the entry the hint names in the next pass.
          if (!bindings.empty() && bindings.front().v6 && (h.roles & capture::role_src) != 0 &&
              i < v6_hints.size()) {
            __builtin_prefetch(&v6_hints[i]);
          }
        }
        d.index[n++] = i;
      }
    }
    for (std::size_t k = 0; k < size_; ++k) {
      decoded& d = batch_[k];
      std::size_t n = 0;
      const auto bindings = d.hits.bindings();
      for (const capture::address_hit& h : d.hits.addresses()) {
        const std::size_t i = table.index_within(h.mac, w_.cap, d.index[n]);
        d.index[n++] = i;
        if (i == address_table::no_index) {
          ++w_.counters.addresses_over_cap;
        } else {
          address_stats& s = table.stats(i);
          s.count(h.roles, d.origlen, d.ts_ns);
          s.add_link_type(d.link);
          // A VLAN besides the address's first goes to its extra record: ask for it now and
          // add it in the next pass.
          if (!d.hits.vlans().empty()) [[unlikely]] {
            s.prefetch_vlan(d.hits.vlans().front());
          }
          if (!bindings.empty() && (h.roles & capture::role_src) != 0) {
            if (!bindings.front().v6) {
              w_.ips.prefetch(s.ipv4_hint());
            } else if (i < v6_hints.size()) {
              w_.ips.prefetch(v6_hints[i]);
            }
          }
        }
      }
    }
    if (v6_hints.size() < table.size()) v6_hints.resize(2 * table.size() + 64);
    // VLANs; then names and IP bindings, which come with DHCP, ARP, IP and Neighbor Discovery
    // frames only. A binding of an address in the frame's header goes through its hint.
    for (std::size_t k = 0; k < size_; ++k) {
      const decoded& d = batch_[k];
      if (!d.hits.vlans().empty()) [[unlikely]] {
        for (std::size_t j = 0; j < d.hits.addresses().size(); ++j) {
          if (d.index[j] == address_table::no_index) continue;
          for (std::uint16_t vid : d.hits.vlans()) table.stats(d.index[j]).add_vlan(vid);
        }
      }
      if (!d.hits.names().empty()) w_.names.record(d.hits.names(), d.ts_ns);
      for (const capture::ip_binding& b : d.hits.bindings()) {
        std::uint32_t none = 0;
        std::uint32_t* hint = &none;
        const auto hits = d.hits.addresses();
        for (std::size_t j = 0; j < hits.size(); ++j) {
          if (hits[j].mac == b.mac && d.index[j] != address_table::no_index) {
            hint = b.v6 ? &v6_hints[d.index[j]] : &table.stats(d.index[j]).ipv4_hint();
            break;
          }
        }
        w_.ips.record(b, d.ts_ns, *hint);
      }
    }
    size_ = 0;
  }

 private:
  struct decoded {
    capture::frame_addresses hits;
    std::array<std::size_t, capture::frame_addresses::max_addresses> index;
    std::int64_t ts_ns;
    std::uint32_t origlen;
    std::uint16_t link;
  };

  static constexpr std::size_t batch = 16;
  findings& w_;
  std::array<decoded, batch> batch_;
  std::size_t size_ = 0;
};

}  // namespace ouiscan::pipeline::detail
