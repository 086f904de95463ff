// libpcap_baseline: the obvious C++ program, for the end-to-end comparison: pcap_next_ex over
// the file and a std::unordered_set of source and destination addresses (Ethernet only).
#include <pcap/pcap.h>

#include <cstdint>
#include <cstdio>
#include <unordered_set>

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: libpcap_baseline FILE\n");
    return 2;
  }
  char err[PCAP_ERRBUF_SIZE];
  pcap_t* p = pcap_open_offline(argv[1], err);
  if (p == nullptr) {
    std::fprintf(stderr, "%s\n", err);
    return 3;
  }
  std::unordered_set<std::uint64_t> seen;
  pcap_pkthdr* h = nullptr;
  const u_char* data = nullptr;
  std::uint64_t frames = 0;
  const auto mac = [](const u_char* b) {
    std::uint64_t v = 0;
    for (int i = 0; i < 6; ++i) v = (v << 8) | b[i];
    return v;
  };
  while (pcap_next_ex(p, &h, &data) == 1) {
    ++frames;
    if (h->caplen < 14) continue;
    seen.insert(mac(data));
    seen.insert(mac(data + 6));
  }
  pcap_close(p);
  std::printf("%llu frames, %zu addresses\n", static_cast<unsigned long long>(frames), seen.size());
  return 0;
}
