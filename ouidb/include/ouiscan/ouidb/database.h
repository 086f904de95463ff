// File: database.h
// Read access to an OUI database: validated on open (nothing is parsed), then longest-prefix
// lookups (36, 28, then 24 bits) that never allocate.
//
//   auto db = ouidb::database::open(ouidb::embedded());
//   auto hit = db->lookup(mac);
//   ouidb::name_buffer buf;
//   if (hit.status == ouidb::match_status::assigned) print(db->organization(hit, 0, buf));
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "ouiscan/core/bytes.h"
#include "ouiscan/core/error.h"
#include "ouiscan/core/mac_address.h"
#include "ouiscan/ouidb/format.h"

namespace ouiscan::ouidb {

using name_buffer = std::array<char, format::max_name_bytes>;

enum class match_status : std::uint8_t {
  not_found,            // no registry holds the address's prefix
  assigned,             // holders named by the matched assignment
  unassigned_subblock,  // inside a block the IEEE subdivided, in a sub-block nobody holds yet
};

struct match {
  match_status status = match_status::not_found;
  registry reg = registry::ma_l;
  std::uint8_t bits = 0;      // prefix length: 24, 28 or 36 (the parent block's 24 when unassigned)
  std::uint64_t prefix = 0;   // the prefix's value, right-aligned (e.g. 0x0050C2F71 for 36 bits)
  std::uint32_t first = 0;    // first holder's row in its registry table
  std::uint32_t holders = 0;  // how many organisations hold it (normally 1)
  bool is_private = false;    // the holder asked the IEEE not to publish its name
};

class database {
 public:
  // Validates the header, the section bounds and (unless skipped) the checksum. `data` must stay
  // mapped for the database's lifetime and be 8-byte aligned.
  [[nodiscard]] static core::result<database> open(core::bytes data, bool verify_checksum = true);

  // Longest-prefix match of the address; max_bits < 48 limits the match to assignments no longer
  // than a queried prefix (a 24-bit query of a subdivided block names the IEEE RA).
  [[nodiscard]] match lookup(core::mac_address mac, unsigned max_bits = 48) const noexcept;
  // The assignments longer than the prefix (the top `bits` bits of mac, 24 to 35) that lie
  // inside it: the MA-M, MA-S and IAB blocks of a block the IEEE subdivided, by registry, then
  // prefix. Empty when the prefix covers no longer assignment.
  [[nodiscard]] std::vector<match> within(core::mac_address mac, unsigned bits) const;
  // The name of holder i (< m.holders) of an assigned match, decoded into buf.
  [[nodiscard]] std::string_view organization(const match& m, std::uint32_t i,
                                              name_buffer& buf) const noexcept;
  // A name by id (tests and diffs).
  [[nodiscard]] std::string_view name(std::uint32_t id, name_buffer& buf) const noexcept;
  [[nodiscard]] std::uint32_t name_id(const match& m, std::uint32_t i) const noexcept;

  [[nodiscard]] const format::header& header() const noexcept { return *header_; }
  [[nodiscard]] std::size_t size_bytes() const noexcept { return data_.size(); }
  // Every (prefix, name id) of a registry, in key order: for diffs and tests.
  template <typename Fn>
  void for_each(registry r, Fn&& fn) const;

 private:
  template <typename T>
  [[nodiscard]] std::span<const T> section(format::section s) const noexcept {
    const auto& ref = header_->sections[s];
    return {reinterpret_cast<const T*>(data_.data() + ref.offset), ref.bytes / sizeof(T)};
  }
  [[nodiscard]] std::span<const std::uint16_t> ids_of(registry r) const noexcept;

  core::bytes data_;
  const format::header* header_ = nullptr;
};

// The database compiled into the binary (the IEEE snapshot in third_party/ieee).
[[nodiscard]] core::bytes embedded() noexcept;

template <typename Fn>
void database::for_each(registry r, Fn&& fn) const {
  const auto ids = ids_of(r);
  if (r == registry::ma_s || r == registry::iab) {
    // Rebuild each 36-bit key from its parent block (the top 24 bits) and its low 12 bits.
    const auto keys =
        section<std::uint16_t>(r == registry::ma_s ? format::ma_s_keys : format::iab_keys);
    for (const format::parent_block& p : section<format::parent_block>(format::parents)) {
      const std::uint32_t begin = r == registry::ma_s ? p.ma_s_begin : p.iab_begin;
      const std::uint32_t end = r == registry::ma_s ? p.ma_s_end : p.iab_end;
      for (std::size_t i = begin; i < end && i < keys.size(); ++i) {
        fn((std::uint64_t{p.key} << 12) | (keys[i] & 0xFFFU), ids[i]);
      }
    }
    return;
  }
  if (r == registry::ma_l) {
    // Rebuild each 24-bit key from its bucket (the top bits) and its stored low bits.
    const auto low = section<std::uint16_t>(format::ma_l_keys);
    const auto index = section<std::uint32_t>(format::ma_l_index);
    constexpr unsigned low_bits = 24 - format::ma_l_index_bits;
    for (std::size_t slot = 0; slot + 1 < index.size(); ++slot) {
      for (std::size_t i = index[slot]; i < index[slot + 1] && i < low.size(); ++i) {
        fn((std::uint64_t{slot} << low_bits) | low[i], ids[i]);
      }
    }
    return;
  }
  const auto keys =
      section<std::uint32_t>(r == registry::ma_m ? format::ma_m_keys : format::cid_keys);
  for (std::size_t i = 0; i < keys.size(); ++i) fn(std::uint64_t{keys[i]}, ids[i]);
}

}  // namespace ouiscan::ouidb
