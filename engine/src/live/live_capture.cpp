#include "ouiscan/live/live_capture.h"

#include <pcap/pcap.h>
#include <poll.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <unordered_set>
#include <vector>

#include "ouiscan/capture/decode.h"
#include "ouiscan/capture/format.h"
#include "ouiscan/capture/writer.h"

namespace ouiscan::live {
namespace {

constexpr int kReadTimeoutMs = 100;  // how often a quiet capture checks its stop conditions

// Little-endian pcapng: one section, one interface (nanosecond timestamps), then EPBs.
class pcapng_writer {
 public:
  bool open(std::FILE* file, std::uint16_t link_type, std::uint32_t snaplen) {
    file_ = file;
    const capture::writer::option nanoseconds{capture::format::opt_if_tsresol, {std::byte{9}}};
    w_.section(false).interface(link_type, snaplen, {&nanoseconds, 1});
    return write();
  }
  bool packet(std::uint64_t ts_ns, const std::byte* data, std::uint32_t caplen, std::uint32_t len) {
    w_.enhanced_packet(0, ts_ns, {data, caplen}, len);
    return write();
  }
  ~pcapng_writer() {
    if (file_ != nullptr) std::fflush(file_);
  }

 private:
  bool write() {
    const bool ok = std::fwrite(w_.bytes().data(), 1, w_.size(), file_) == w_.size();
    w_.clear();
    return ok;
  }
  capture::writer w_;
  std::FILE* file_ = nullptr;
};

class live_stream final : public io::byte_stream {
 public:
  live_stream(pcap_t* handle, live_options options)
      : handle_(handle), options_(std::move(options)), start_(std::chrono::steady_clock::now()) {
    // A pcap file header (little-endian, nanoseconds) so the framer reads this as a capture.
    link_type_ = static_cast<std::uint16_t>(pcap_datalink(handle_));
    pending_.pcap_header(link_type_, /*nanoseconds=*/true, options_.snaplen);
  }
  live_stream(const live_stream&) = delete;
  live_stream& operator=(const live_stream&) = delete;
  ~live_stream() override {
    read_stats();
    pcap_close(handle_);
  }

  bool start_writer() {
    return options_.write_to == nullptr ||
           writer_.open(options_.write_to, link_type_, options_.snaplen);
  }

  core::result<std::size_t> read(std::span<std::byte> out) override {
    while (pos_ == pending_.size()) {
      pending_.clear();
      pos_ = 0;
      if (finished()) {
        read_stats();
        return std::size_t{0};
      }
      pcap_pkthdr* h = nullptr;
      const u_char* data = nullptr;
      const int rc = pcap_next_ex(handle_, &h, &data);
      if (rc == 0) {
        // Nothing yet (the handle is non-blocking): wait a little, then check the stop
        // conditions. A blocking read could wait forever on a quiet interface.
        pollfd pfd{pcap_get_selectable_fd(handle_), POLLIN, 0};
        ::poll(&pfd, 1, kReadTimeoutMs);
        report_status();
        continue;
      }
      if (rc < 0) {
        if (rc == PCAP_ERROR_BREAK) return std::size_t{0};
        return core::error{core::errc::io_error, raw_, 0, EIO};
      }
      const auto ts_ns = static_cast<std::uint64_t>(h->ts.tv_sec) * 1'000'000'000ULL +
                         static_cast<std::uint64_t>(h->ts.tv_usec) * 1000ULL;
      const auto* bytes = reinterpret_cast<const std::byte*>(data);
      pending_.pcap_record(static_cast<std::uint32_t>(ts_ns / 1'000'000'000ULL),
                           static_cast<std::uint32_t>(ts_ns % 1'000'000'000ULL), {bytes, h->caplen},
                           h->len);
      if (options_.write_to != nullptr) writer_.packet(ts_ns, bytes, h->caplen, h->len);
      ++frames_;
      watch(bytes, h->caplen, static_cast<std::int64_t>(ts_ns));
      report_status();
    }
    const std::size_t n = std::min(out.size(), pending_.size() - pos_);
    std::memcpy(out.data(), pending_.bytes().data() + pos_, n);
    pos_ += n;
    raw_ += n;
    return n;
  }
  std::uint64_t raw_bytes_read() const noexcept override { return raw_; }

 private:
  bool finished() const {
    if (options_.count != 0 && frames_ >= options_.count) return true;
    if (options_.stop != nullptr && options_.stop->load(std::memory_order_relaxed)) return true;
    if (options_.duration_s > 0) {
      const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start_;
      if (elapsed.count() >= options_.duration_s) return true;
    }
    return false;
  }

  // New addresses, for the status line and --format jsonl's "new station" records. Decoded
  // here once more (the scan decodes every frame too) because the scan's tables are merged only
  // when the capture ends; a live capture's rate is far below what decoding twice costs.
  void watch(const std::byte* data, std::uint32_t caplen, std::int64_t ts_ns) {
    if (!options_.on_new_address && !options_.on_status) return;
    capture::frame_addresses hits;
    capture::decode(link_type_, core::bytes(data, caplen), hits);
    for (const capture::address_hit& hit : hits.addresses()) {
      if (seen_.insert(hit.mac.value()).second && options_.on_new_address) {
        options_.on_new_address(hit.mac, ts_ns);
      }
    }
  }
  void report_status() {
    if (!options_.on_status) return;
    const auto now = std::chrono::steady_clock::now();
    if (now - last_status_ < std::chrono::milliseconds(100)) return;
    last_status_ = now;
    options_.on_status(
        {frames_, seen_.size(), std::chrono::duration<double>(now - start_).count()});
  }
  void read_stats() {
    if (options_.stats == nullptr) return;
    pcap_stat st{};
    if (pcap_stats(handle_, &st) != 0) return;
    *options_.stats = {true, st.ps_recv, st.ps_drop, st.ps_ifdrop};
  }

  pcap_t* handle_;
  live_options options_;
  std::unordered_set<std::uint64_t> seen_;
  std::chrono::steady_clock::time_point last_status_{};
  std::chrono::steady_clock::time_point start_;
  std::uint16_t link_type_ = 0;
  capture::writer pending_;  // pcap bytes not yet read: the file header, then one record
  std::size_t pos_ = 0;
  std::uint64_t frames_ = 0;
  std::uint64_t raw_ = 0;
  pcapng_writer writer_;
};

}  // namespace

core::result<std::unique_ptr<io::byte_stream>, core::failure> open_live(
    const live_options& options) {
  char err[PCAP_ERRBUF_SIZE] = {};
  pcap_t* p = pcap_create(options.interface.c_str(), err);
  if (p == nullptr) return core::failure{err};
  pcap_set_snaplen(p, static_cast<int>(options.snaplen));
  pcap_set_promisc(p, 1);
  pcap_set_timeout(p, kReadTimeoutMs);
  pcap_set_tstamp_precision(p, PCAP_TSTAMP_PRECISION_MICRO);
  const int rc = pcap_activate(p);
  if (rc < 0) {
    std::string why = pcap_geterr(p);
    if (rc == PCAP_ERROR_PERM_DENIED) {
      why += " (capturing needs root, or: setcap cap_net_raw,cap_net_admin=eip ouiscan)";
    } else if (rc == PCAP_ERROR_NO_SUCH_DEVICE) {
      why = "no such interface";
    }
    pcap_close(p);
    return core::failure{why};
  }
  if (pcap_setnonblock(p, 1, err) != 0 || pcap_get_selectable_fd(p) < 0) {
    pcap_close(p);
    return core::failure{std::string("cannot poll the capture handle: ") + err};
  }
  auto stream = std::make_unique<live_stream>(p, options);
  if (!stream->start_writer()) return core::failure{"cannot write the capture file"};
  return std::unique_ptr<io::byte_stream>(std::move(stream));
}

core::result<std::vector<interface_info>, core::failure> list_interfaces() {
  char err[PCAP_ERRBUF_SIZE] = {};
  pcap_if_t* all = nullptr;
  if (pcap_findalldevs(&all, err) != 0) return core::failure{err};
  std::vector<interface_info> out;
  for (const pcap_if_t* d = all; d != nullptr; d = d->next) {
    interface_info i;
    i.name = d->name;
    if (d->description != nullptr) i.description = d->description;
    i.up = (d->flags & PCAP_IF_UP) != 0;
    i.running = (d->flags & PCAP_IF_RUNNING) != 0;
    i.loopback = (d->flags & PCAP_IF_LOOPBACK) != 0;
    out.push_back(std::move(i));
  }
  pcap_freealldevs(all);
  return out;
}

}  // namespace ouiscan::live
