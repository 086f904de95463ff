// File: address_table.h
// Per-address statistics and the open-addressing hash table that holds them, keyed by the
// 48-bit address. Every statistic merges commutatively, so merging per-chunk tables in any order
// gives the same result: the output does not depend on the thread count.
//
//   address_table t;
//   t.upsert(mac).frames += 1;
//   t.merge(other_table);
#pragma once

#include <algorithm>
#include <array>
#include <bit>
#include <cstdint>
#include <limits>
#include <memory>
#include <vector>

#include "ouiscan/core/mac_address.h"

namespace ouiscan::pipeline {

// A set of small integer IDs (VLAN IDs, link types): a few inline, a bitset beyond that, so the
// common case allocates nothing and the rare address on many VLANs stays exact.
template <std::size_t Universe>
class id_set {
 public:
  static constexpr std::size_t inline_capacity = 3;
  static_assert(Universe % 64 == 0);

  id_set() = default;
  id_set(const id_set& o) : ids_(o.ids_), n_(o.n_) {
    if (o.spill_) spill_ = std::make_unique<words>(*o.spill_);
  }
  id_set& operator=(const id_set& o) {
    if (this != &o) *this = id_set(o);
    return *this;
  }
  id_set(id_set&&) noexcept = default;
  id_set& operator=(id_set&&) noexcept = default;
  ~id_set() = default;

  void insert(std::size_t id) {
    id %= Universe;
    if (spill_) {
      set(*spill_, id);
      return;
    }
    for (std::uint8_t i = 0; i < n_; ++i) {
      if (ids_[i] == id) return;
    }
    if (n_ < inline_capacity) {
      ids_[n_++] = static_cast<std::uint16_t>(id);
      return;
    }
    spill_ = std::make_unique<words>();
    for (std::uint8_t i = 0; i < n_; ++i) set(*spill_, ids_[i]);
    set(*spill_, id);
  }
  void merge(const id_set& o) {
    if (o.spill_) {
      if (!spill_) {
        spill_ = std::make_unique<words>(*o.spill_);
        for (std::uint8_t i = 0; i < n_; ++i) set(*spill_, ids_[i]);
        return;
      }
      for (std::size_t w = 0; w < spill_->size(); ++w) (*spill_)[w] |= (*o.spill_)[w];
      return;
    }
    for (std::uint8_t i = 0; i < o.n_; ++i) insert(o.ids_[i]);
  }
  [[nodiscard]] bool empty() const noexcept { return n_ == 0 && !spill_; }
  // The IDs in ascending order.
  [[nodiscard]] std::vector<std::uint16_t> sorted() const {
    std::vector<std::uint16_t> out;
    if (spill_) {
      for (std::size_t w = 0; w < spill_->size(); ++w) {
        for (std::uint64_t bits = (*spill_)[w]; bits != 0; bits &= bits - 1) {
          out.push_back(static_cast<std::uint16_t>(
              w * 64 + static_cast<std::size_t>(std::countr_zero(bits))));
        }
      }
      return out;
    }
    out.assign(ids_.begin(), ids_.begin() + n_);
    std::sort(out.begin(), out.end());
    return out;
  }

 private:
  using words = std::array<std::uint64_t, Universe / 64>;
  static void set(words& w, std::size_t id) noexcept {
    w[id / 64] |= std::uint64_t{1} << (id % 64);
  }

  std::array<std::uint16_t, inline_capacity> ids_{};
  std::uint8_t n_ = 0;
  std::unique_ptr<words> spill_;
};

inline constexpr std::size_t vlan_id_count = 4096;
inline constexpr std::size_t link_type_count = 65536;

struct address_stats {
  static constexpr std::int64_t never = std::numeric_limits<std::int64_t>::max();

  std::uint64_t frames = 0;      // frames carrying it in the link-layer header (any role)
  std::uint64_t src_frames = 0;  // ... as source (Ethernet/cooked source, 802.11 SA or TA)
  std::uint64_t src_bytes = 0;   // wire bytes of those frames
  std::uint64_t dst_frames = 0;  // ... as destination (Ethernet destination, 802.11 DA or RA)
  std::uint64_t dst_bytes = 0;
  std::uint64_t arp_frames = 0;   // frames carrying it inside an ARP payload
  std::int64_t first_ns = never;  // UTC, nanoseconds
  std::int64_t last_ns = std::numeric_limits<std::int64_t>::min();
  std::uint16_t roles = 0;  // capture::role bits seen
  id_set<vlan_id_count> vlans;
  id_set<link_type_count> link_types;

  void merge(const address_stats& o);
  [[nodiscard]] bool has_time() const noexcept { return first_ns != never; }
};

// Open addressing with linear probing over small slots (an address and where its statistics
// are), the statistics themselves kept densely in the order the addresses were first seen. The
// probe touches 16-byte slots and the statistics of busy addresses stay together in a few cache
// lines, instead of being spread over a sparse array of large slots; growing moves only the
// slots. Keys are 48-bit addresses, so an all-ones 64-bit key marks empty slots.
class address_table {
 public:
  address_table();

  // The statistics of an address, added if new.
  address_stats& upsert(core::mac_address mac);
  // The index of an address's statistics, added if new unless the table already holds `cap`
  // addresses (no_index then). Indexes stay valid as the table grows. A batch of frames
  // prefetch()es the slots of its addresses, then takes each index_within() and
  // prefetch_stats() it, then updates stats(index), so the cache misses overlap.
  static constexpr std::size_t no_index = static_cast<std::size_t>(-1);
  std::size_t index_within(core::mac_address mac, std::size_t cap);
  void prefetch(core::mac_address mac) const noexcept {
    __builtin_prefetch(&slots_[slot_of(mac.value())]);
  }
  // Every cache line of the statistics (they span two or three).
  void prefetch_stats(std::size_t index) const noexcept {
    const auto* p = reinterpret_cast<const char*>(&values_[index]);
    __builtin_prefetch(p, 1);
    __builtin_prefetch(p + 64, 1);
    __builtin_prefetch(p + sizeof(address_stats) - 1, 1);
  }
  [[nodiscard]] address_stats& stats(std::size_t index) noexcept { return values_[index]; }

  // Merges other into this table, adding no new address past `cap`; returns the sightings of
  // the addresses left out (their frames and ARP payloads), as --max-addresses counts them.
  std::size_t merge(const address_table& other,
                    std::size_t cap = std::numeric_limits<std::size_t>::max());
  // Empties the table but keeps its capacity, so a reused per-chunk table stops allocating.
  void clear();

  [[nodiscard]] std::size_t size() const noexcept { return values_.size(); }
  [[nodiscard]] std::size_t memory_bytes() const noexcept;

  // In the order the addresses were first seen.
  template <typename Fn>
  void for_each(Fn&& fn) const {
    for (std::size_t i = 0; i < values_.size(); ++i) fn(core::mac_address(macs_[i]), values_[i]);
  }

 private:
  static constexpr std::uint64_t empty_key = ~std::uint64_t{0};
  struct slot {
    std::uint64_t key = empty_key;
    std::size_t value = 0;  // index into values_
  };
  void grow();
  [[nodiscard]] std::size_t slot_of(std::uint64_t key) const noexcept {
    // Fibonacci hashing spreads addresses that differ only in their last octet. The per-table
    // salt matters when one table is merged into another: iterating a table with the same hash
    // would insert keys in slot order and build ever longer probe runs (quadratic time).
    return static_cast<std::size_t>(((key ^ salt_) * 0x9E3779B97F4A7C15ULL) >> shift_);
  }

  std::vector<slot> slots_;
  std::vector<std::uint64_t> macs_;  // macs_[i] is the address of values_[i]
  std::vector<address_stats> values_;
  unsigned shift_ = 0;
  std::uint64_t salt_;
};

}  // namespace ouiscan::pipeline
