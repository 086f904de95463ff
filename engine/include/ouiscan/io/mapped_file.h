// File: mapped_file.h
// A read-only, private memory map of a whole file. The file must not shrink while mapped
// (reading a page past a truncated end raises SIGBUS; see docs/formats.md).
//
//   auto m = ouiscan::io::mapped_file::open(fd);
//   if (m) parse(m->data());
#pragma once

#include <cstddef>

#include "ouiscan/core/bytes.h"
#include "ouiscan/core/error.h"

namespace ouiscan::io {

class mapped_file {
 public:
  // Maps the regular file open on fd (the descriptor may be closed afterwards).
  [[nodiscard]] static core::result<mapped_file> open(int fd);

  mapped_file() noexcept = default;
  mapped_file(mapped_file&& other) noexcept;
  mapped_file& operator=(mapped_file&& other) noexcept;
  mapped_file(const mapped_file&) = delete;
  mapped_file& operator=(const mapped_file&) = delete;
  ~mapped_file();

  [[nodiscard]] core::bytes data() const noexcept {
    return {static_cast<const std::byte*>(addr_), size_};
  }

 private:
  void* addr_ = nullptr;
  std::size_t size_ = 0;
};

}  // namespace ouiscan::io
