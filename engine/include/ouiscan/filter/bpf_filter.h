// File: bpf_filter.h
// tcpdump / BPF capture filters applied to the zero-copy frames: libpcap compiles the
// expression once per link type met (on first use, lock-free afterwards) and
// pcap_offline_filter runs it on each frame.
//
//   auto f = filter::bpf_filter::compile("vlan 100 and not arp");
//   if (const std::string* why = f ? nullptr : &f.error().message) usage_error(*why);
//   options.filter = &*f;
#pragma once

#include <array>
#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "ouiscan/core/error.h"
#include "ouiscan/pipeline/scan.h"

namespace ouiscan::filter {

class bpf_filter final : public pipeline::frame_filter {
 public:
  // Checks that the expression compiles for a common link layer; the error is libpcap's own.
  [[nodiscard]] static core::result<std::unique_ptr<bpf_filter>, core::failure> compile(
      const std::string& expression);

  bpf_filter(const bpf_filter&) = delete;
  bpf_filter& operator=(const bpf_filter&) = delete;
  ~bpf_filter() override;

  [[nodiscard]] bool keep(const capture::frame& f) const noexcept override;
  // Link types the expression cannot apply to (their frames are all rejected), with libpcap's
  // reason: for the summary.
  [[nodiscard]] std::vector<std::pair<std::uint16_t, std::string>> inapplicable() const;
  [[nodiscard]] const std::string& expression() const noexcept { return expression_; }

 private:
  struct program;
  explicit bpf_filter(std::string expression);
  const program* program_for(std::uint16_t link_type) const noexcept;

  std::string expression_;
  // One slot per LINKTYPE value, filled on first use under the mutex, then read lock-free.
  mutable std::unique_ptr<std::array<std::atomic<const program*>, 65536>> programs_;
  mutable std::mutex compile_mutex_;
  mutable std::vector<std::unique_ptr<program>> owned_;
};

}  // namespace ouiscan::filter
