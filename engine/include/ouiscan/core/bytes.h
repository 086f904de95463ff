// File: bytes.h
// Unaligned little- and big-endian loads from byte spans, the only way the parsers read fields.
//
//   std::uint32_t magic = ouiscan::core::load_le<std::uint32_t>(data + 0);
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>

namespace ouiscan::core {

using bytes = std::span<const std::byte>;

// std::byteswap is C++23; this covers the unsigned widths the parsers read.
template <typename T>
[[nodiscard]] constexpr T byteswap(T v) noexcept {
  if constexpr (sizeof(T) == 1) {
    return v;
  } else if constexpr (sizeof(T) == 2) {
    return static_cast<T>(__builtin_bswap16(v));
  } else if constexpr (sizeof(T) == 4) {
    return static_cast<T>(__builtin_bswap32(v));
  } else {
    static_assert(sizeof(T) == 8);
    return static_cast<T>(__builtin_bswap64(v));
  }
}

template <typename T>
[[nodiscard]] inline T load_le(const std::byte* p) noexcept {
  T v;
  std::memcpy(&v, p, sizeof v);
  if constexpr (std::endian::native == std::endian::big) v = byteswap(v);
  return v;
}

template <typename T>
[[nodiscard]] inline T load_be(const std::byte* p) noexcept {
  T v;
  std::memcpy(&v, p, sizeof v);
  if constexpr (std::endian::native == std::endian::little) v = byteswap(v);
  return v;
}

// Loads in the byte order chosen at run time (once per file or pcapng section).
template <typename T>
[[nodiscard]] inline T load(const std::byte* p, bool big_endian) noexcept {
  return big_endian ? load_be<T>(p) : load_le<T>(p);
}

[[nodiscard]] inline std::uint8_t u8(const std::byte* p) noexcept {
  return std::to_integer<std::uint8_t>(*p);
}

}  // namespace ouiscan::core
