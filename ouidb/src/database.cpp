#include "ouiscan/ouidb/database.h"

#include <zlib.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <algorithm>
#include <bit>
#include <cstring>

namespace ouiscan::ouidb {
namespace {

core::error corrupt(std::uint64_t offset) {
  return core::error{core::errc::db_corrupt, offset, 0, 0};
}

// Branch-free bisection over keys[lo, hi): the first row whose key is not below `key`. The
// comparisons compile to conditional moves and the trip count depends only on the range's size,
// so independent lookups overlap in the pipeline instead of waiting on mispredicted branches.
template <typename Key, typename Project>
std::size_t lower_bound(const Key* keys, std::size_t lo, std::size_t hi, std::uint64_t key,
                        Project project) noexcept {
  const Key* base = keys + lo;
  std::size_t n = hi - lo;
  while (n > 1) {
    const std::size_t half = n / 2;
    base = project(base[half - 1]) < key ? base + half : base;
    n -= half;
  }
  std::size_t first = static_cast<std::size_t>(base - keys);
  if (n == 1 && project(*base) < key) ++first;
  return first;
}

template <typename Key>
std::pair<std::size_t, std::size_t> equal_range(std::span<const Key> keys, std::size_t lo,
                                                std::size_t hi, Key key) noexcept {
  const std::size_t first =
      lower_bound(keys.data(), lo, hi, key, [](Key k) { return std::uint64_t{k}; });
  std::size_t last = first;
  while (last < hi && keys[last] == key) ++last;
  return {first, last};
}

// The rows holding `key` in keys[lo, hi), given a start at or shortly before the first of them
// (a bucket's start, or a rank from a bitmap). Sixteen rows are compared at once with a fixed
// trip count, which the compiler vectorises; only a window that cannot decide (it ends before
// the bucket does, with every row at or below the key) falls back to a bisection.
inline constexpr std::size_t window_rows = 16;

// Of the n (at most 16) sorted keys at w: how many are below `key`, and how many equal it.
template <typename Key>
std::pair<std::size_t, std::size_t> count_window(const Key* w, std::size_t n, Key key) noexcept {
  std::size_t less = 0;
  std::size_t equal = 0;
  for (std::size_t k = 0; k < window_rows; ++k) {
    const bool in = k < n;
    less += static_cast<std::size_t>(in & (w[k] < key));
    equal += static_cast<std::size_t>(in & (w[k] == key));
  }
  return {less, equal};
}

#if defined(__SSE2__)
// The same with 128-bit compares, for the 16- and 32-bit keys (MA-L low bits, MA-M prefixes,
// parent blocks), none of which reaches the sign bit, so the signed compares are exact. As the
// keys are sorted, the lanes below the key, then those equal to it, are runs from lane 0.
template <typename Key>
requires(sizeof(Key) == 2 ||
         sizeof(Key) == 4) std::pair<std::size_t, std::size_t> count_window_sse2(const Key* w,
                                                                                 std::size_t n,
                                                                                 Key key)
noexcept {
  constexpr std::size_t lanes_per_load = 16 / sizeof(Key);
  std::uint64_t below = 0;
  std::uint64_t same = 0;
  for (std::size_t i = 0; i < window_rows / lanes_per_load; ++i) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(w + i * lanes_per_load));
    __m128i lt;
    __m128i eq;
    if constexpr (sizeof(Key) == 2) {
      const __m128i k = _mm_set1_epi16(static_cast<short>(key));
      lt = _mm_cmplt_epi16(v, k);
      eq = _mm_cmpeq_epi16(v, k);
    } else {
      const __m128i k = _mm_set1_epi32(static_cast<int>(key));
      lt = _mm_cmplt_epi32(v, k);
      eq = _mm_cmpeq_epi32(v, k);
    }
    below |= std::uint64_t{static_cast<std::uint16_t>(_mm_movemask_epi8(lt))} << (16 * i);
    same |= std::uint64_t{static_cast<std::uint16_t>(_mm_movemask_epi8(eq))} << (16 * i);
  }
  const std::size_t valid_bytes = n * sizeof(Key);
  const std::uint64_t valid =
      valid_bytes >= 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << valid_bytes) - 1;
  const auto less = static_cast<std::size_t>(std::countr_one(below & valid)) / sizeof(Key);
  const std::uint64_t rest = less * sizeof(Key) >= 64 ? 0 : (same & valid) >> (less * sizeof(Key));
  return {less, static_cast<std::size_t>(std::countr_one(rest)) / sizeof(Key)};
}

template <>
std::pair<std::size_t, std::size_t> count_window(const std::uint16_t* w, std::size_t n,
                                                 std::uint16_t key) noexcept {
  return count_window_sse2(w, n, key);
}

template <>
std::pair<std::size_t, std::size_t> count_window(const std::uint32_t* w, std::size_t n,
                                                 std::uint32_t key) noexcept {
  return count_window_sse2(w, n, key);
}
#endif

template <typename Key>
std::pair<std::size_t, std::size_t> find_rows(std::span<const Key> keys, std::size_t start,
                                              std::size_t hi, Key key) noexcept {
  if (start + window_rows <= keys.size()) {
    const std::size_t n = std::min(hi - start, window_rows);
    const auto [less, equal] = count_window(keys.data() + start, n, key);
    if (less + equal < n || start + n == hi) return {start + less, start + less + equal};
  }
  return equal_range(keys, start, hi, key);
}

}  // namespace

std::string_view to_string(registry r) noexcept {
  switch (r) {
    case registry::ma_l:
      return "MA-L";
    case registry::ma_m:
      return "MA-M";
    case registry::ma_s:
      return "MA-S";
    case registry::iab:
      return "IAB";
    case registry::cid:
      return "CID";
  }
  return "?";
}

std::string_view csv_name(registry r) noexcept {
  switch (r) {
    case registry::ma_l:
      return "oui.csv";
    case registry::ma_m:
      return "mam.csv";
    case registry::ma_s:
      return "oui36.csv";
    case registry::iab:
      return "iab.csv";
    case registry::cid:
      return "cid.csv";
  }
  return "?";
}

core::result<database> database::open(core::bytes data, bool verify_checksum) {
  using format::header;
  if (data.size() < sizeof(header)) {
    return core::error{core::errc::db_size_mismatch, data.size(), 0, 0};
  }
  if (reinterpret_cast<std::uintptr_t>(data.data()) % 8 != 0) return corrupt(0);
  database db;
  db.data_ = data;
  db.header_ = reinterpret_cast<const header*>(data.data());
  const header& h = *db.header_;
  if (h.magic != format::magic) return core::error{core::errc::db_bad_magic, 0, 0, 0};
  if (h.version != format::version) return core::error{core::errc::unsupported_version, 8, 0, 0};
  if (h.header_bytes != sizeof(header)) return corrupt(offsetof(header, header_bytes));
  if (h.file_bytes != data.size()) {
    return core::error{core::errc::db_size_mismatch, offsetof(header, file_bytes), 0, 0};
  }
  // Element size of each section, in section order.
  static constexpr std::array<std::size_t, format::section_count> element = {
      2,
      2,
      4,
      4,
      2,  // MA-L keys, ids, index; CID keys, ids
      4,
      2,
      2,
      2,
      2,  // MA-M keys, ids; MA-S keys, ids; IAB keys
      2,
      4,
      1,
      1,
      sizeof(format::parent_block),
      4,
      2,
      8,
      1,
      sizeof(format::dense_block),
      sizeof(format::sub_run_table)};
  static_assert(std::find(element.begin(), element.end(), 0) == element.end(),
                "every section needs its element size");
  for (std::size_t s = 0; s < format::section_count; ++s) {
    const auto& ref = h.sections[s];
    if (ref.offset < sizeof(header) || ref.offset % 8 != 0 ||
        std::uint64_t{ref.offset} + ref.bytes > data.size() || ref.bytes % element[s] != 0) {
      return corrupt(offsetof(header, sections) + s * sizeof(format::section_ref));
    }
  }
  const auto pairs_match = [&](format::section k, format::section v, std::size_t key_bytes) {
    return h.sections[k].bytes / key_bytes == h.sections[v].bytes / 2;
  };
  if (!pairs_match(format::ma_l_keys, format::ma_l_ids, 2) ||
      !pairs_match(format::cid_keys, format::cid_ids, 4) ||
      !pairs_match(format::ma_m_keys, format::ma_m_ids, 4) ||
      !pairs_match(format::ma_s_keys, format::ma_s_ids, 2) ||
      !pairs_match(format::iab_keys, format::iab_ids, 2) ||
      h.sections[format::ma_l_index].bytes != format::ma_l_index_slots * 4 ||
      h.sections[format::parent_keys].bytes / 4 !=
          h.sections[format::parents].bytes / sizeof(format::parent_block) ||
      h.sections[format::parent_runs].bytes != (format::filter_bits + 1) * 2 ||
      h.sections[format::cid_filter].bytes != format::filter_bits / 8 ||
      h.sections[format::dense_slots].bytes != format::ma_l_index_slots - 1 ||
      h.sections[format::name_offsets].bytes / 4 != h.name_count ||
      h.sections[format::name_pairs].bytes != 512) {
    return corrupt(offsetof(header, sections));
  }
  if (verify_checksum) {
    const auto* body = reinterpret_cast<const Bytef*>(data.data() + sizeof(header));
    const auto crc = crc32(0, body, static_cast<uInt>(data.size() - sizeof(header)));
    if (crc != h.crc32) return core::error{core::errc::db_checksum, offsetof(header, crc32), 0, 0};
  }
  return db;
}

std::span<const std::uint16_t> database::ids_of(registry r) const noexcept {
  switch (r) {
    case registry::ma_l:
      return section<std::uint16_t>(format::ma_l_ids);
    case registry::ma_m:
      return section<std::uint16_t>(format::ma_m_ids);
    case registry::ma_s:
      return section<std::uint16_t>(format::ma_s_ids);
    case registry::iab:
      return section<std::uint16_t>(format::iab_ids);
    case registry::cid:
      return section<std::uint16_t>(format::cid_ids);
  }
  return {};
}

match database::lookup(core::mac_address mac, unsigned max_bits) const noexcept {
  const std::uint64_t v = mac.value();
  const auto key24 = static_cast<std::uint32_t>(v >> 24);
  const auto found = [&](registry r, unsigned bits, std::uint64_t prefix,
                         std::pair<std::size_t, std::size_t> range) {
    match m;
    m.status = match_status::assigned;
    m.reg = r;
    m.bits = static_cast<std::uint8_t>(bits);
    m.prefix = prefix;
    m.first = static_cast<std::uint32_t>(range.first);
    m.holders = static_cast<std::uint32_t>(range.second - range.first);
    m.is_private = ids_of(r)[range.first] == header_->private_name;
    return m;
  };

  // MA-L: the index narrows the search to the rows sharing the key's top 14 bits: at most 16,
  // except in crowded buckets (the legacy 00:xx:xx range, up to a thousand rows), whose block
  // gives the row where the key's run of 16 keys starts. Other buckets use an all-zero block,
  // so both kinds take the same branch-free path.
  constexpr unsigned low_bits = 24 - format::ma_l_index_bits;
  const auto low_keys = section<std::uint16_t>(format::ma_l_keys);
  const auto index = section<std::uint32_t>(format::ma_l_index);
  const std::size_t slot = key24 >> low_bits;
  const std::size_t lo = std::min<std::size_t>(index[slot], low_keys.size());
  const std::size_t hi = std::clamp<std::size_t>(index[slot + 1], lo, low_keys.size());
  const auto low = static_cast<std::uint16_t>(key24 & ((1U << low_bits) - 1));
  static constexpr format::dense_block sparse{};
  const std::uint8_t dense = section<std::uint8_t>(format::dense_slots)[slot];
  const auto blocks = section<format::dense_block>(format::dense_blocks);
  const format::dense_block& bucket =
      dense != 0 && dense <= blocks.size() ? blocks[dense - 1U] : sparse;
  const std::size_t start =
      std::min<std::size_t>(lo + bucket.run_start[low >> format::dense_run_bits], hi);
  const auto range = find_rows(low_keys, start, hi, low);
  const std::size_t first = range.first;
  const bool in_ma_l = first != range.second;
  if (in_ma_l &&
      (max_bits < 28 || section<std::uint16_t>(format::ma_l_ids)[first] != header_->ieee_ra_name)) {
    return found(registry::ma_l, 24, key24, range);
  }
  // Below a subdivided block (an IEEE RA row, though the IEEE omits a few from MA-L), the longest
  // matching sub-block names the holder; only the block's own rows are searched. The parents
  // are found like MA-L rows: a bucket of those sharing the key's top 12 bits, compared at once.
  const auto parents = section<format::parent_block>(format::parents);
  const auto parent_keys = section<std::uint32_t>(format::parent_keys);
  const auto runs = section<std::uint16_t>(format::parent_runs);
  const std::size_t run = key24 >> format::run_bits;
  const std::size_t run_lo = std::min<std::size_t>(runs[run], parent_keys.size());
  const std::size_t run_hi = std::clamp<std::size_t>(runs[run + 1], run_lo, parent_keys.size());
  const auto parent_hit = run_lo == run_hi ? std::pair<std::size_t, std::size_t>{}
                                           : find_rows(parent_keys, run_lo, run_hi, key24);
  const auto parent = parent_hit.first != parent_hit.second && parent_hit.first < parents.size()
                          ? parents.begin() + static_cast<std::ptrdiff_t>(parent_hit.first)
                          : parents.end();
  if (parent != parents.end()) {
    const std::uint64_t key36 = v >> 12;
    const auto low12 = static_cast<std::uint16_t>(key36 & 0xFFF);
    const auto k36s = section<std::uint16_t>(format::ma_s_keys);
    const auto k36i = section<std::uint16_t>(format::iab_keys);
    const auto sub_runs = section<format::sub_run_table>(format::sub_runs);
    const auto k28 = section<std::uint32_t>(format::ma_m_keys);
    const auto key28 = static_cast<std::uint32_t>(v >> 20);
    const auto bounded = [](std::size_t b, std::size_t e, std::size_t size) {
      return std::pair<std::size_t, std::size_t>{std::min(b, size),
                                                 std::clamp(e, std::min(b, size), size)};
    };
    // The 36-bit tables hold the low 12 bits below the parent; a large block's run table gives
    // the row where the key's run of 16 keys starts.
    const auto search36 = [&](std::span<const std::uint16_t> keys, std::uint32_t begin,
                              std::uint32_t end, std::uint16_t table) {
      const auto [b, e] = bounded(begin, end, keys.size());
      const std::size_t from =
          table != 0 && table <= sub_runs.size()
              ? std::min<std::size_t>(b + sub_runs[table - 1U].run_start[low12 >> 4], e)
              : b;
      return find_rows(keys, from, e, low12);
    };
    if (max_bits >= 36) {
      auto hit = search36(k36s, parent->ma_s_begin, parent->ma_s_end, parent->ma_s_runs);
      if (hit.first != hit.second) return found(registry::ma_s, 36, key36, hit);
      hit = search36(k36i, parent->iab_begin, parent->iab_end, parent->iab_runs);
      if (hit.first != hit.second) return found(registry::iab, 36, key36, hit);
    }
    if (max_bits >= 28) {
      const auto [b, e] = bounded(parent->ma_m_begin, parent->ma_m_end, k28.size());
      const auto hit = find_rows<std::uint32_t>(k28, b, e, key28);
      if (hit.first != hit.second) return found(registry::ma_m, 28, key28, hit);
    }
  }
  if (in_ma_l || parent != parents.end()) {
    match m;
    m.status = match_status::unassigned_subblock;
    m.reg = registry::ma_l;
    m.bits = 24;
    m.prefix = key24;
    m.first = static_cast<std::uint32_t>(range.first);
    m.holders = in_ma_l ? 1 : 0;
    return m;
  }
  const auto cid_filter = section<std::uint64_t>(format::cid_filter);
  if (((cid_filter[run / 64] >> (run % 64)) & 1U) == 0) return {};
  const auto cid = section<std::uint32_t>(format::cid_keys);
  const auto hit = equal_range<std::uint32_t>(cid, 0, cid.size(), key24);
  if (hit.first != hit.second) return found(registry::cid, 24, key24, hit);
  return {};
}

std::vector<match> database::within(core::mac_address mac, unsigned bits) const {
  std::vector<match> out;
  if (bits < 24 || bits >= 36) return out;
  const std::uint64_t v = mac.value();
  const auto key24 = static_cast<std::uint32_t>(v >> 24);
  const auto keys = section<std::uint32_t>(format::parent_keys);
  const auto parents = section<format::parent_block>(format::parents);
  const auto at = std::lower_bound(keys.begin(), keys.end(), key24);
  if (at == keys.end() || *at != key24) return out;
  const auto index = static_cast<std::size_t>(at - keys.begin());
  if (index >= parents.size()) return out;
  const format::parent_block& p = parents[index];
  // Rows [begin, end) of one registry whose keys (of key_bits) start with the queried bits;
  // equal keys are one assignment with several holders.
  const auto collect = [&](registry r, unsigned key_bits, std::uint32_t begin, std::uint32_t end,
                           auto key_of) {
    const auto ids = ids_of(r);
    end = std::min<std::uint32_t>(end, static_cast<std::uint32_t>(ids.size()));
    const std::uint64_t want = v >> (48 - bits);
    for (std::uint32_t i = begin; i < end;) {
      const std::uint64_t key = key_of(i);
      std::uint32_t last = i + 1;
      while (last < end && key_of(last) == key) ++last;
      if ((key >> (key_bits - bits)) == want) {
        match m;
        m.status = match_status::assigned;
        m.reg = r;
        m.bits = static_cast<std::uint8_t>(key_bits);
        m.prefix = key;
        m.first = i;
        m.holders = last - i;
        m.is_private = ids[i] == header_->private_name;
        out.push_back(m);
      }
      i = last;
    }
  };
  if (bits < 28) {
    const auto k28 = section<std::uint32_t>(format::ma_m_keys);
    collect(registry::ma_m, 28, p.ma_m_begin,
            std::min<std::uint32_t>(p.ma_m_end, static_cast<std::uint32_t>(k28.size())),
            [&](std::uint32_t i) { return std::uint64_t{k28[i]}; });
  }
  const auto under = [&](registry r, format::section s, std::uint32_t begin, std::uint32_t end) {
    const auto low = section<std::uint16_t>(s);
    collect(r, 36, begin, std::min<std::uint32_t>(end, static_cast<std::uint32_t>(low.size())),
            [&](std::uint32_t i) { return (std::uint64_t{p.key} << 12) | (low[i] & 0xFFFU); });
  };
  under(registry::ma_s, format::ma_s_keys, p.ma_s_begin, p.ma_s_end);
  under(registry::iab, format::iab_keys, p.iab_begin, p.iab_end);
  return out;
}

std::uint32_t database::name_id(const match& m, std::uint32_t i) const noexcept {
  const auto ids = ids_of(m.reg);
  const std::size_t row = std::size_t{m.first} + i;
  return row < ids.size() ? ids[row] : header_->name_count;
}

std::string_view database::organization(const match& m, std::uint32_t i,
                                        name_buffer& buf) const noexcept {
  if (m.status == match_status::not_found || i >= m.holders) return {};
  return name(name_id(m, i), buf);
}

std::string_view database::name(std::uint32_t id, name_buffer& buf) const noexcept {
  if (id >= header_->name_count) return {};
  const auto offsets = section<std::uint32_t>(format::name_offsets);
  const auto pool = section<std::uint8_t>(format::name_pool);
  const auto pairs = section<std::uint8_t>(format::name_pairs);
  const std::size_t at = offsets[id];
  if (at >= pool.size() || at + 1 + pool[at] > pool.size()) return {};
  // Expand each symbol through the pair table with an explicit stack; the output bound also
  // bounds the work, so a corrupt (cyclic) table cannot loop forever.
  std::array<std::uint8_t, format::max_name_bytes> stack;
  std::size_t out = 0;
  for (std::size_t k = 0; k < pool[at]; ++k) {
    std::size_t depth = 0;
    stack[depth++] = pool[at + 1 + k];
    while (depth > 0 && out < buf.size()) {
      const std::uint8_t s = stack[--depth];
      const std::uint8_t left = pairs[2 * std::size_t{s}];
      const std::uint8_t right = pairs[2 * std::size_t{s} + 1];
      if (left == 0 && right == 0) {
        buf[out++] = static_cast<char>(s);
      } else if (depth + 2 <= stack.size()) {
        stack[depth++] = right;
        stack[depth++] = left;
      } else {
        break;
      }
    }
  }
  return {buf.data(), out};
}

}  // namespace ouiscan::ouidb
