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

#include "ouiscan/capture/decode.h"
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

// One address's statistics in one 64-byte cache line, so that accounting a frame touches one
// line per address. Counters are 32-bit in the line; their carries, and the VLANs and link
// types past the first of each, live in a separate record that most addresses never need.
// Every statistic merges commutatively, so merging per-chunk tables in any order gives the same
// result: the output does not depend on the thread count.
class alignas(64) address_stats {
 public:
  static constexpr std::int64_t never = std::numeric_limits<std::int64_t>::max();

  address_stats() = default;
  explicit address_stats(core::mac_address mac) noexcept : key_(mac.value()) {}
  address_stats(const address_stats& o);
  address_stats& operator=(const address_stats& o);
  address_stats(address_stats&&) noexcept = default;
  address_stats& operator=(address_stats&&) noexcept = default;
  ~address_stats() = default;

  [[nodiscard]] core::mac_address mac() const noexcept { return core::mac_address(key_); }
  // Frames carrying it in the link-layer header (any role).
  [[nodiscard]] std::uint64_t frames() const noexcept { return wide(frames_, k_frames); }
  // ... as source (Ethernet/cooked source, 802.11 SA or TA), and their wire bytes.
  [[nodiscard]] std::uint64_t src_frames() const noexcept {
    return wide(src_frames_, k_src_frames);
  }
  [[nodiscard]] std::uint64_t src_bytes() const noexcept { return wide(src_bytes_, k_src_bytes); }
  // ... as destination (Ethernet destination, 802.11 DA or RA).
  [[nodiscard]] std::uint64_t dst_frames() const noexcept {
    return wide(dst_frames_, k_dst_frames);
  }
  [[nodiscard]] std::uint64_t dst_bytes() const noexcept { return wide(dst_bytes_, k_dst_bytes); }
  // Frames carrying it inside an ARP payload.
  [[nodiscard]] std::uint64_t arp_frames() const noexcept {
    return wide(arp_frames_, k_arp_frames);
  }
  // Frames carrying it in an Ethernet frame inside a tunnel (VXLAN, Geneve, GRE, ERSPAN,
  // 802.1ah). Rare enough to live in the extra record.
  [[nodiscard]] std::uint64_t tunnelled_frames() const noexcept {
    return extra_ ? extra_->tunnelled_frames : 0;
  }
  [[nodiscard]] std::int64_t first_ns() const noexcept { return first_ns_; }  // UTC
  [[nodiscard]] std::int64_t last_ns() const noexcept { return last_ns_; }
  [[nodiscard]] bool has_time() const noexcept { return first_ns_ != never; }
  [[nodiscard]] std::uint16_t roles() const noexcept {  // capture::role bits seen
    return static_cast<std::uint16_t>((key_ & roles_bits) >> roles_shift);
  }
  // capture::address_flag bits seen (in their place in a hit's roles).
  [[nodiscard]] std::uint16_t flags() const noexcept {
    return static_cast<std::uint16_t>((key_ & flag_bits) >> roles_shift);
  }
  // In ascending order.
  [[nodiscard]] std::vector<std::uint16_t> vlans() const;
  [[nodiscard]] std::vector<std::uint16_t> link_types() const;

  // One sighting: a frame of `wire_bytes` at `ts_ns` carrying the address in `roles`. The lowest
  // int64 value (capture::no_timestamp) means untimed.
  void count(std::uint16_t roles, std::uint32_t wire_bytes, std::int64_t ts_ns) {
    if ((roles & capture::frame_roles) != 0) add(frames_, k_frames, 1);
    if ((roles & capture::arp_roles) != 0) add(arp_frames_, k_arp_frames, 1);
    if ((roles & capture::tunnel_roles) != 0) [[unlikely]] {
      ++more().tunnelled_frames;
    }
    if ((roles & capture::role_src) != 0) {
      add(src_frames_, k_src_frames, 1);
      add(src_bytes_, k_src_bytes, wire_bytes);
    }
    if ((roles & capture::role_dst) != 0) {
      add(dst_frames_, k_dst_frames, 1);
      add(dst_bytes_, k_dst_bytes, wire_bytes);
    }
    key_ |= std::uint64_t{roles} << roles_shift & (roles_bits | flag_bits);
    // Without a branch: an untimed sighting leaves both bounds as they are.
    first_ns_ =
        std::min(first_ns_, ts_ns == std::numeric_limits<std::int64_t>::min() ? never : ts_ns);
    last_ns_ = std::max(last_ns_, ts_ns);
  }
  void add_vlan(std::uint16_t vid) {
    if ((key_ & has_vlan) != 0 && vid == vlan_) return;
    add_vlan_slow(vid);
  }
  // Asks for the line add_vlan(vid) will touch besides this one, if any.
  void prefetch_vlan(std::uint16_t vid) const noexcept {
    if (vid != vlan_ && extra_) __builtin_prefetch(extra_.get(), 1);
  }
  void add_link_type(std::uint16_t link_type) {
    if ((key_ & has_link) != 0 && link_type == link_type_) return;
    add_link_type_slow(link_type);
  }
  // The pipeline's slot for identity::ip_table::record(): the entry this address's IPv4
  // bindings found last, in the ip_table filled beside this table. Kept in the line the frame
  // updates anyway, so it costs no other; not a statistic, so a copy starts it at 0.
  [[nodiscard]] std::uint32_t& ipv4_hint() noexcept { return ipv4_hint_; }
  void merge(const address_stats& o);
  // What a JSON result says of an address, for `ouiscan merge`: restore() adds it as merge()
  // adds another record.
  struct saved {
    std::uint64_t frames = 0, src_frames = 0, src_bytes = 0, dst_frames = 0, dst_bytes = 0,
                  arp_frames = 0, tunnelled_frames = 0;
    std::int64_t first_ns = never;
    std::int64_t last_ns = std::numeric_limits<std::int64_t>::min();
    std::uint16_t roles = 0;  // capture::role bits and capture::address_flag bits
    std::vector<std::uint16_t> vlans, link_types;
  };
  void restore(const saved& s);

 private:
  enum counter : std::uint8_t {
    k_frames,
    k_src_frames,
    k_dst_frames,
    k_arp_frames,
    k_src_bytes,
    k_dst_bytes,
    k_counters
  };
  // VLANs besides vlan_: the IDs below 128, the most common, as bits in the allocation's
  // first 16 bytes (one cache line to touch), the others in a set.
  struct extra {
    static constexpr std::size_t low_vlans = 128;
    std::array<std::uint64_t, low_vlans / 64> low_vlan_bits{};
    std::array<std::uint32_t, k_counters> high{};  // bits 32-63 of each counter
    id_set<vlan_id_count> vlans;
    id_set<link_type_count> link_types;  // besides link_type_
    std::uint64_t tunnelled_frames = 0;
    void add_vlan(std::uint16_t vid);
    [[nodiscard]] std::vector<std::uint16_t> vlan_list() const;  // ascending
  };
  static constexpr unsigned roles_shift = 48;
  static constexpr std::uint64_t roles_bits = std::uint64_t{0x3FF} << roles_shift;
  static_assert(capture::role_count <= 10);
  static constexpr std::uint64_t has_vlan = std::uint64_t{1} << 58;
  static constexpr std::uint64_t has_link = std::uint64_t{1} << 59;
  static constexpr std::uint64_t flag_bits = std::uint64_t{capture::address_flags} << roles_shift;
  static_assert((flag_bits & (roles_bits | has_vlan | has_link)) == 0);

  [[nodiscard]] std::uint64_t wide(std::uint32_t low, counter k) const noexcept {
    return extra_ ? (std::uint64_t{extra_->high[k]} << 32 | low) : low;
  }
  // Adds v to a counter; the rare carry out of the low 32 bits goes to the extra record.
  void add(std::uint32_t& low, counter k, std::uint64_t v) {
    const std::uint64_t sum = std::uint64_t{low} + (v & 0xFFFF'FFFFU);
    low = static_cast<std::uint32_t>(sum);
    if (const std::uint64_t high = (sum >> 32) + (v >> 32); high != 0) [[unlikely]] {
      more().high[k] += static_cast<std::uint32_t>(high);
    }
  }
  extra& more();
  void add_vlan_slow(std::uint16_t vid);
  void add_link_type_slow(std::uint16_t link_type);

  // The address (48 bits), roles seen (10 bits), has_vlan, has_link, address flags (2 bits).
  std::uint64_t key_ = 0;
  std::int64_t first_ns_ = never;
  std::int64_t last_ns_ = std::numeric_limits<std::int64_t>::min();
  std::uint32_t frames_ = 0;
  std::uint32_t src_frames_ = 0;
  std::uint32_t dst_frames_ = 0;
  std::uint32_t arp_frames_ = 0;
  std::uint32_t src_bytes_ = 0;
  std::uint32_t dst_bytes_ = 0;
  std::uint16_t vlan_ = 0;       // the first VLAN seen, if has_vlan
  std::uint16_t link_type_ = 0;  // the first link type seen, if has_link
  std::uint32_t ipv4_hint_ = 0;
  std::unique_ptr<extra> extra_;
};
static_assert(sizeof(address_stats) == 64);

// Open addressing with linear probing over 8-byte slots (a 32-bit fingerprint of the address
// and the index of its record), the records themselves kept densely, in the order the addresses
// were first seen, in blocks that never move. A probe touches the slot's line and, when the
// fingerprint matches, the record's line, which the caller updates next anyway. Growing rehashes
// the slots only; indexes stay valid.
class address_table {
 public:
  address_table() noexcept;
  address_table(const address_table&) = delete;
  address_table& operator=(const address_table&) = delete;
  address_table(address_table&& o) noexcept;  // o is left empty
  address_table& operator=(address_table&& o) noexcept;
  ~address_table();

  // The statistics of an address, added if new.
  address_stats& upsert(core::mac_address mac);
  // The index of an address's statistics, added if new unless the table already holds `cap`
  // addresses (no_index then). Indexes stay valid as the table grows.
  static constexpr std::size_t no_index = static_cast<std::size_t>(-1);
  std::size_t index_within(core::mac_address mac, std::size_t cap);
  // Batches of frames overlap their cache misses: prefetch() the slots of every address, then
  // guess() each index from its slot alone and prefetch_stats() it, then take index_within()
  // with the guess as a hint, which a record that holds the address confirms at once.
  void prefetch(core::mac_address mac) const noexcept {
    if (!slots_.empty()) __builtin_prefetch(&slots_[slot_of(hash(mac.value()))]);
  }
  [[nodiscard]] std::size_t guess(core::mac_address mac) const noexcept;
  void prefetch_stats(std::size_t index) const noexcept { __builtin_prefetch(&at(index), 1); }
  std::size_t index_within(core::mac_address mac, std::size_t cap, std::size_t hint) {
    if (hint != no_index && at(hint).mac() == mac) return hint;
    return index_within(mac, cap);
  }
  [[nodiscard]] address_stats& stats(std::size_t index) noexcept { return at(index); }

  // Merges other into this table, adding no new address past `cap`; returns the sightings of
  // the addresses left out (their frames and ARP payloads), as --max-addresses counts them.
  std::size_t merge(const address_table& other,
                    std::size_t cap = std::numeric_limits<std::size_t>::max());
  // The same, but an empty table takes other's records instead of copying them.
  std::size_t merge(address_table&& other,
                    std::size_t cap = std::numeric_limits<std::size_t>::max());
  // Empties the table but keeps its capacity, so a reused per-chunk table stops allocating.
  void clear();

  [[nodiscard]] std::size_t size() const noexcept { return size_; }
  [[nodiscard]] std::size_t memory_bytes() const noexcept;

  // In the order the addresses were first seen.
  template <typename Fn>
  void for_each(Fn&& fn) const {
    for (std::size_t i = 0; i < size_; ++i) fn(at(i).mac(), at(i));
  }

 private:
  static constexpr unsigned block_shift = 14;  // 16,384 records (1 MiB) a block
  static constexpr std::size_t block_size = std::size_t{1} << block_shift;
  static constexpr std::size_t block_bytes = block_size * sizeof(address_stats);
  struct block_delete {
    void operator()(address_stats* p) const noexcept;
  };
  using block = std::unique_ptr<address_stats, block_delete>;
  static block new_block();

  [[nodiscard]] address_stats& at(std::size_t i) const noexcept {
    return blocks_[i >> block_shift].get()[i & (block_size - 1)];
  }
  // Fibonacci hashing spreads addresses that differ only in their last octet: the high bits
  // pick the slot. The per-table salt matters when one table
  // is merged into another: iterating a table with the same hash would insert keys in slot
  // order and build ever longer probe runs (quadratic time).
  [[nodiscard]] std::uint64_t hash(std::uint64_t key) const noexcept {
    return (key ^ salt_) * 0x9E3779B97F4A7C15ULL;
  }
  [[nodiscard]] std::size_t slot_of(std::uint64_t h) const noexcept {
    return static_cast<std::size_t>(h >> shift_);
  }
  // Bits 16-47: they depend on every bit of the address, and overlap the slot's bits only in
  // tables of more than 2^16 slots.
  static std::uint64_t fingerprint(std::uint64_t h) noexcept { return (h >> 16) & 0xFFFF'FFFFU; }
  void grow();
  void destroy() noexcept;

  std::vector<std::uint64_t> slots_;  // 0: empty; else fingerprint (high half), index + 1
  std::vector<block> blocks_;
  std::size_t size_ = 0;
  unsigned shift_ = 64;  // 64 - log2(slots)
  std::uint64_t salt_;
};

// Inline: the accountant calls it for every address of every frame.
inline std::size_t address_table::guess(core::mac_address mac) const noexcept {
  if (slots_.empty()) return no_index;
  const std::uint64_t h = hash(mac.value());
  const std::uint64_t fp = fingerprint(h);
  const std::size_t mask = slots_.size() - 1;
  for (std::size_t i = slot_of(h);; i = (i + 1) & mask) {
    const std::uint64_t s = slots_[i];
    if (s == 0) return no_index;
    if ((s >> 32) == fp) return (s & 0xFFFF'FFFFU) - 1;
  }
}

}  // namespace ouiscan::pipeline
