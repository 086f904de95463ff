#include "ouiscan/pipeline/address_table.h"

#include <atomic>
#include <bit>

namespace ouiscan::pipeline {
namespace {
constexpr std::size_t initial_capacity = 256;

// A different salt for every table (splitmix64 of a counter).
std::uint64_t next_salt() noexcept {
  static std::atomic<std::uint64_t> counter{0};
  std::uint64_t z = counter.fetch_add(0x9E3779B97F4A7C15ULL, std::memory_order_relaxed);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}
}  // namespace

void address_stats::merge(const address_stats& o) {
  frames += o.frames;
  src_frames += o.src_frames;
  src_bytes += o.src_bytes;
  dst_frames += o.dst_frames;
  dst_bytes += o.dst_bytes;
  arp_frames += o.arp_frames;
  first_ns = std::min(first_ns, o.first_ns);
  last_ns = std::max(last_ns, o.last_ns);
  roles = static_cast<std::uint16_t>(roles | o.roles);
  vlans.merge(o.vlans);
  link_types.merge(o.link_types);
}

address_table::address_table()
    : slots_(initial_capacity),
      shift_(64u - static_cast<unsigned>(std::countr_zero(initial_capacity))),
      salt_(next_salt()) {}

address_stats& address_table::upsert(core::mac_address mac) {
  return values_[index_within(mac, std::numeric_limits<std::size_t>::max())];
}

std::size_t address_table::index_within(core::mac_address mac, std::size_t cap) {
  const std::uint64_t key = mac.value();
  for (;;) {
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t i = slot_of(key);; i = (i + 1) & mask) {
      slot& s = slots_[i];
      if (s.key == key) return s.value;
      if (s.key != empty_key) continue;
      if (values_.size() >= cap) return no_index;
      if ((values_.size() + 1) * 2 > slots_.size()) break;  // grow first, then probe again
      s.key = key;
      s.value = values_.size();
      macs_.push_back(key);
      values_.emplace_back();
      return s.value;
    }
    grow();
  }
}

std::size_t address_table::merge(const address_table& other, std::size_t cap) {
  std::size_t left_out = 0;
  other.for_each([&](core::mac_address mac, const address_stats& s) {
    const std::size_t i = index_within(mac, cap);
    if (i == no_index) {
      // Counted as the accountant counts them: one per frame or ARP payload that carried it.
      left_out += s.frames + s.arp_frames;
    } else {
      values_[i].merge(s);
    }
  });
  return left_out;
}

void address_table::clear() {
  for (slot& s : slots_) s.key = empty_key;
  macs_.clear();
  values_.clear();
}

std::size_t address_table::memory_bytes() const noexcept {
  return slots_.capacity() * sizeof(slot) + macs_.capacity() * sizeof(std::uint64_t) +
         values_.capacity() * sizeof(address_stats);
}

void address_table::grow() {
  std::vector<slot> old(slots_.size() * 2);
  old.swap(slots_);
  --shift_;
  const std::size_t mask = slots_.size() - 1;
  for (const slot& s : old) {
    if (s.key == empty_key) continue;
    std::size_t i = slot_of(s.key);
    while (slots_[i].key != empty_key) i = (i + 1) & mask;
    slots_[i] = s;
  }
}

}  // namespace ouiscan::pipeline
