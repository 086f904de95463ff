#include "ouiscan/io/mapped_file.h"

#include <sys/mman.h>
#include <sys/stat.h>

#include <cerrno>
#include <utility>

namespace ouiscan::io {

core::result<mapped_file> mapped_file::open(int fd) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) return core::error{core::errc::io_error, 0, 0, errno};
  mapped_file m;
  m.size_ = static_cast<std::size_t>(st.st_size);
  if (m.size_ == 0) return m;  // mmap rejects empty files; an empty span says the same
  void* addr = ::mmap(nullptr, m.size_, PROT_READ, MAP_PRIVATE, fd, 0);
  if (addr == MAP_FAILED) return core::error{core::errc::io_error, 0, 0, errno};
  // Records are walked front to back: let the kernel read ahead aggressively.
  ::madvise(addr, m.size_, MADV_SEQUENTIAL);
  m.addr_ = addr;
  return m;
}

mapped_file::mapped_file(mapped_file&& other) noexcept
    : addr_(std::exchange(other.addr_, nullptr)), size_(std::exchange(other.size_, 0)) {}

mapped_file& mapped_file::operator=(mapped_file&& other) noexcept {
  if (this != &other) {
    if (addr_ != nullptr) ::munmap(addr_, size_);
    addr_ = std::exchange(other.addr_, nullptr);
    size_ = std::exchange(other.size_, 0);
  }
  return *this;
}

mapped_file::~mapped_file() {
  if (addr_ != nullptr) ::munmap(addr_, size_);
}

}  // namespace ouiscan::io
