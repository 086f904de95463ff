// memory_floor: maps a file and sums it as 8-byte words on one thread, in four independent
// accumulators (so that the loop waits on memory, not on a chain of adds): the least work that
// reads every byte once, the floor the end-to-end comparison measures ouiscan against. Built
// with the same flags as ouiscan. On stderr it says how the page cache holds the file as this
// process sees it: the share of the mapping that is PMD-mapped (2 MiB pages), from
// /proc/self/smaps, because that share changes every mmap reader's speed.
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <cstring>

namespace {

// FilePmdMapped and Rss (kB) of the smaps entry that starts at `start`.
void pmd_share(const void* start, std::uint64_t& pmd_kb, std::uint64_t& rss_kb) {
  std::FILE* f = std::fopen("/proc/self/smaps", "r");
  if (f == nullptr) return;
  char line[512];
  char want[32];
  std::snprintf(want, sizeof want, "%" PRIxPTR "-", reinterpret_cast<std::uintptr_t>(start));
  bool inside = false;
  while (std::fgets(line, sizeof line, f) != nullptr) {
    const bool header = std::strncmp(line, want, std::strlen(want)) == 0;
    if (header) {
      inside = true;
      continue;
    }
    if (inside && std::strncmp(line, "VmFlags:", 8) == 0) break;
    unsigned long long v = 0;
    if (inside && std::sscanf(line, "Rss: %llu kB", &v) == 1) rss_kb = v;
    if (inside && std::sscanf(line, "FilePmdMapped: %llu kB", &v) == 1) pmd_kb = v;
  }
  std::fclose(f);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: memory_floor FILE\n");
    return 2;
  }
  const int fd = ::open(argv[1], O_RDONLY);
  struct stat st {};
  if (fd < 0 || ::fstat(fd, &st) != 0) {
    std::perror(argv[1]);
    return 3;
  }
  const auto size = static_cast<std::size_t>(st.st_size);
  void* map = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
  if (map == MAP_FAILED) {
    std::perror("mmap");
    return 3;
  }
  ::madvise(map, size, MADV_SEQUENTIAL);
  const auto* p = static_cast<const unsigned char*>(map);
  std::uint64_t sum[4] = {0, 0, 0, 0};
  std::size_t i = 0;
  for (; i + 32 <= size; i += 32) {
    for (std::size_t k = 0; k < 4; ++k) {
      std::uint64_t w;
      std::memcpy(&w, p + i + 8 * k, 8);
      sum[k] += w;
    }
  }
  std::uint64_t total = sum[0] + sum[1] + sum[2] + sum[3];
  for (; i < size; ++i) total += p[i];
  std::printf("%" PRIu64 "\n", total);
  std::uint64_t pmd_kb = 0;
  std::uint64_t rss_kb = 0;
  pmd_share(map, pmd_kb, rss_kb);
  std::fprintf(
      stderr,
      "page cache: %.1f%% of the file PMD-mapped (%" PRIu64 " of %" PRIu64 " kB resident)\n",
      rss_kb > 0 ? 100.0 * static_cast<double>(pmd_kb) / (static_cast<double>(size) / 1024.0) : 0.0,
      pmd_kb, rss_kb);
  return 0;
}
