#include "ouiscan/filter/bpf_filter.h"

#include <pcap/pcap.h>

namespace ouiscan::filter {
namespace {

constexpr int kSnaplen = 262144;
constexpr std::uint16_t linktype_raw = 101;  // LINKTYPE_RAW is DLT_RAW in libpcap's numbering

int dlt_of(std::uint16_t link_type) noexcept {
  return link_type == linktype_raw ? DLT_RAW : static_cast<int>(link_type);
}

}  // namespace

struct bpf_filter::program {
  bpf_program bpf{};
  bool applies = false;  // false: libpcap cannot apply the expression to this link type
  std::uint16_t link_type = 0;
  std::string why;
  ~program() {
    if (applies) pcap_freecode(&bpf);
  }
};

bpf_filter::bpf_filter(std::string expression)
    : expression_(std::move(expression)),
      programs_(std::make_unique<std::array<std::atomic<const program*>, 65536>>()) {}

bpf_filter::~bpf_filter() = default;

core::result<std::unique_ptr<bpf_filter>, core::failure> bpf_filter::compile(
    const std::string& expression) {
  std::unique_ptr<bpf_filter> f(new bpf_filter(expression));
  // Valid when it compiles for one of the common link layers ("wlan type data" does not on
  // Ethernet); the error reported is Ethernet's.
  const program* ethernet = f->program_for(DLT_EN10MB);
  if (ethernet->applies) return f;
  for (const int dlt : {DLT_IEEE802_11_RADIO, DLT_LINUX_SLL, DLT_RAW}) {
    if (f->program_for(static_cast<std::uint16_t>(dlt))->applies) return f;
  }
  return core::failure{ethernet->why};
}

const bpf_filter::program* bpf_filter::program_for(std::uint16_t link_type) const noexcept {
  auto& slot = (*programs_)[link_type];
  if (const program* p = slot.load(std::memory_order_acquire)) return p;
  std::lock_guard lock(compile_mutex_);
  if (const program* p = slot.load(std::memory_order_relaxed)) return p;
  auto p = std::make_unique<program>();
  p->link_type = link_type;
  pcap_t* dead = pcap_open_dead(dlt_of(link_type), kSnaplen);
  if (dead == nullptr) {
    p->why = "libpcap cannot open a handle for this link type";
  } else if (pcap_compile(dead, &p->bpf, expression_.c_str(), 1, PCAP_NETMASK_UNKNOWN) != 0) {
    p->why = pcap_geterr(dead);
  } else {
    p->applies = true;
  }
  if (dead != nullptr) pcap_close(dead);
  const program* raw = p.get();
  owned_.push_back(std::move(p));
  slot.store(raw, std::memory_order_release);
  return raw;
}

bool bpf_filter::keep(const capture::frame& f) const noexcept {
  const program* p = program_for(f.iface->link_type);
  if (!p->applies) return false;
  pcap_pkthdr header{};
  header.caplen = f.caplen;
  header.len = f.origlen;
  return pcap_offline_filter(&p->bpf, &header, reinterpret_cast<const u_char*>(f.data)) != 0;
}

std::vector<std::pair<std::uint16_t, std::string>> bpf_filter::inapplicable() const {
  std::lock_guard lock(compile_mutex_);
  std::vector<std::pair<std::uint16_t, std::string>> out;
  for (const auto& p : owned_) {
    if (!p->applies) out.emplace_back(p->link_type, p->why);
  }
  return out;
}

}  // namespace ouiscan::filter
