#include "ouiscan/pipeline/address_table.h"

#include <sys/mman.h>

#include <atomic>
#include <bit>
#include <new>
#include <utility>

namespace ouiscan::pipeline {
namespace {
constexpr std::size_t initial_slots = 256;

// A different salt for every table (splitmix64 of a counter).
std::uint64_t next_salt() noexcept {
  static std::atomic<std::uint64_t> counter{0};
  std::uint64_t z = counter.fetch_add(0x9E3779B97F4A7C15ULL, std::memory_order_relaxed);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}
}  // namespace

address_stats::address_stats(const address_stats& o)
    : key_(o.key_),
      first_ns_(o.first_ns_),
      last_ns_(o.last_ns_),
      frames_(o.frames_),
      src_frames_(o.src_frames_),
      dst_frames_(o.dst_frames_),
      arp_frames_(o.arp_frames_),
      src_bytes_(o.src_bytes_),
      dst_bytes_(o.dst_bytes_),
      vlan_(o.vlan_),
      link_type_(o.link_type_),
      extra_(o.extra_ ? std::make_unique<extra>(*o.extra_) : nullptr) {}

address_stats& address_stats::operator=(const address_stats& o) {
  if (this != &o) *this = address_stats(o);
  return *this;
}

address_stats::extra& address_stats::more() {
  if (!extra_) extra_ = std::make_unique<extra>();
  return *extra_;
}

void address_stats::extra::add_vlan(std::uint16_t vid) {
  if (vid < low_vlans) {
    low_vlan_bits[vid / 64] |= std::uint64_t{1} << (vid % 64);
  } else {
    vlans.insert(vid);
  }
}

std::vector<std::uint16_t> address_stats::extra::vlan_list() const {
  std::vector<std::uint16_t> out;
  for (std::size_t w = 0; w < low_vlan_bits.size(); ++w) {
    for (std::uint64_t bits = low_vlan_bits[w]; bits != 0; bits &= bits - 1) {
      out.push_back(
          static_cast<std::uint16_t>(w * 64 + static_cast<std::size_t>(std::countr_zero(bits))));
    }
  }
  const std::vector<std::uint16_t> high_ids = vlans.sorted();
  out.insert(out.end(), high_ids.begin(), high_ids.end());
  return out;
}

std::vector<std::uint16_t> address_stats::vlans() const {
  std::vector<std::uint16_t> out = extra_ ? extra_->vlan_list() : std::vector<std::uint16_t>{};
  if ((key_ & has_vlan) != 0) out.insert(std::lower_bound(out.begin(), out.end(), vlan_), vlan_);
  return out;
}

std::vector<std::uint16_t> address_stats::link_types() const {
  std::vector<std::uint16_t> out =
      extra_ ? extra_->link_types.sorted() : std::vector<std::uint16_t>{};
  if ((key_ & has_link) != 0) {
    out.insert(std::lower_bound(out.begin(), out.end(), link_type_), link_type_);
  }
  return out;
}

void address_stats::add_vlan_slow(std::uint16_t vid) {
  vid %= vlan_id_count;
  if ((key_ & has_vlan) == 0) {
    vlan_ = vid;
    key_ |= has_vlan;
  } else if (vid != vlan_) {
    more().add_vlan(vid);
  }
}

void address_stats::add_link_type_slow(std::uint16_t link_type) {
  if ((key_ & has_link) == 0) {
    link_type_ = link_type;
    key_ |= has_link;
  } else if (link_type != link_type_) {
    more().link_types.insert(link_type);
  }
}

void address_stats::merge(const address_stats& o) {
  add(frames_, k_frames, o.frames());
  add(src_frames_, k_src_frames, o.src_frames());
  add(src_bytes_, k_src_bytes, o.src_bytes());
  add(dst_frames_, k_dst_frames, o.dst_frames());
  add(dst_bytes_, k_dst_bytes, o.dst_bytes());
  add(arp_frames_, k_arp_frames, o.arp_frames());
  first_ns_ = std::min(first_ns_, o.first_ns_);
  last_ns_ = std::max(last_ns_, o.last_ns_);
  key_ |= o.key_ & (roles_bits | flag_bits);
  if ((o.key_ & has_vlan) != 0) add_vlan(o.vlan_);
  if ((o.key_ & has_link) != 0) add_link_type(o.link_type_);
  if (o.extra_) {
    if (o.extra_->tunnelled_frames != 0) more().tunnelled_frames += o.extra_->tunnelled_frames;
    // The first VLAN and link type are kept in the line; the others join the extra record.
    for (std::uint16_t v : o.extra_->vlan_list()) add_vlan(v);
    for (std::uint16_t l : o.extra_->link_types.sorted()) add_link_type(l);
  }
}

void address_stats::restore(const saved& s) {
  add(frames_, k_frames, s.frames);
  add(src_frames_, k_src_frames, s.src_frames);
  add(src_bytes_, k_src_bytes, s.src_bytes);
  add(dst_frames_, k_dst_frames, s.dst_frames);
  add(dst_bytes_, k_dst_bytes, s.dst_bytes);
  add(arp_frames_, k_arp_frames, s.arp_frames);
  if (s.tunnelled_frames != 0) more().tunnelled_frames += s.tunnelled_frames;
  first_ns_ = std::min(first_ns_, s.first_ns);
  last_ns_ = std::max(last_ns_, s.last_ns);
  key_ |= std::uint64_t{s.roles} << roles_shift & (roles_bits | flag_bits);
  for (const std::uint16_t v : s.vlans) add_vlan(v);
  for (const std::uint16_t l : s.link_types) add_link_type(l);
}

// Blocks are mapped straight from the kernel: a table freed after a merge gives its memory back
// at once, where the allocator would keep it, and the pages of a block are only backed as the
// table fills them.
address_table::block address_table::new_block() {
  void* p =
      ::mmap(nullptr, block_bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) throw std::bad_alloc();
  return block(static_cast<address_stats*>(p));
}

void address_table::block_delete::operator()(address_stats* p) const noexcept {
  ::munmap(p, block_bytes);
}

address_table::address_table() noexcept : salt_(next_salt()) {}

address_table::address_table(address_table&& o) noexcept
    : slots_(std::move(o.slots_)),
      blocks_(std::move(o.blocks_)),
      size_(std::exchange(o.size_, 0)),
      shift_(o.shift_),
      salt_(std::exchange(o.salt_, next_salt())) {
  o.slots_.clear();
  o.blocks_.clear();
}

address_table& address_table::operator=(address_table&& o) noexcept {
  if (this != &o) {
    destroy();
    slots_ = std::move(o.slots_);
    blocks_ = std::move(o.blocks_);
    size_ = std::exchange(o.size_, 0);
    shift_ = o.shift_;
    salt_ = std::exchange(o.salt_, next_salt());
    o.slots_.clear();
    o.blocks_.clear();
  }
  return *this;
}

address_table::~address_table() { destroy(); }

void address_table::destroy() noexcept {
  for (std::size_t i = 0; i < size_; ++i) at(i).~address_stats();
  size_ = 0;
}

address_stats& address_table::upsert(core::mac_address mac) {
  return at(index_within(mac, std::numeric_limits<std::size_t>::max()));
}

std::size_t address_table::index_within(core::mac_address mac, std::size_t cap) {
  const std::uint64_t key = mac.value();
  const std::uint64_t h = hash(key);
  const std::uint64_t fp = fingerprint(h);
  if (slots_.empty()) grow();
  for (;;) {
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t i = slot_of(h);; i = (i + 1) & mask) {
      const std::uint64_t s = slots_[i];
      if (s == 0) {
        // The index fits the slot's low half: past 2^32 - 1 addresses the table is full.
        if (size_ >= cap || size_ == 0xFFFF'FFFFU) return no_index;
        if ((size_ + 1) * 4 > slots_.size() * 3) break;  // grow first, then probe again
        if ((size_ >> block_shift) == blocks_.size()) {
          blocks_.push_back(new_block());
        }
        ::new (&at(size_)) address_stats(mac);
        slots_[i] = fp << 32 | (size_ + 1);
        return size_++;
      }
      if ((s >> 32) == fp) {
        const std::size_t index = (s & 0xFFFF'FFFFU) - 1;
        if (at(index).mac() == mac) return index;
      }
    }
    grow();
  }
}

std::size_t address_table::merge(const address_table& other, std::size_t cap) {
  std::size_t left_out = 0;
  for (std::size_t k = 0; k < other.size_; ++k) {
    // The slots of the next records are asked for ahead: a table of millions misses on each.
    if (k + 8 < other.size_) prefetch(other.at(k + 8).mac());
    const address_stats& s = other.at(k);
    const std::size_t i = index_within(s.mac(), cap);
    if (i == no_index) {
      // Counted as the accountant counts them: one per frame, ARP payload or inner frame.
      left_out += s.frames() + s.arp_frames() + s.tunnelled_frames();
    } else {
      at(i).merge(s);
    }
  }
  return left_out;
}

std::size_t address_table::merge(address_table&& other, std::size_t cap) {
  if (size_ == 0 && other.size_ <= cap) {
    *this = std::move(other);
    return 0;
  }
  return merge(static_cast<const address_table&>(other), cap);
}

void address_table::clear() {
  destroy();
  std::fill(slots_.begin(), slots_.end(), 0);
}

std::size_t address_table::memory_bytes() const noexcept {
  return slots_.capacity() * sizeof(std::uint64_t) + blocks_.size() * block_bytes;
}

void address_table::grow() {
  slots_.assign(std::max(initial_slots, slots_.size() * 2), 0);
  shift_ = 64U - static_cast<unsigned>(std::countr_zero(slots_.size()));
  const std::size_t mask = slots_.size() - 1;
  for (std::size_t k = 0; k < size_; ++k) {
    const std::uint64_t h = hash(at(k).mac().value());
    std::size_t i = slot_of(h);
    while (slots_[i] != 0) i = (i + 1) & mask;
    slots_[i] = fingerprint(h) << 32 | (k + 1);
  }
}

}  // namespace ouiscan::pipeline
