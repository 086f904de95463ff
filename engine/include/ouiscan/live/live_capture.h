// File: live_capture.h
// Live capture through libpcap as a byte_stream of pcap-format bytes, so that the scan engine
// reads an interface exactly as it reads a pipe. Optionally writes what it captured as pcapng.
//
//   auto cap = live::open_live({.interface = "eth0", .duration_s = 10});
//   if (const std::string* why = cap ? nullptr : &cap.error().message) fail(*why);
//   io::input in{.name = "eth0", .stream = std::move(std::get<0>(cap))};
#pragma once

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "ouiscan/core/error.h"
#include "ouiscan/core/mac_address.h"
#include "ouiscan/io/byte_stream.h"

namespace ouiscan::live {

// What the kernel says about a capture (pcap_stats), read when it ends.
struct capture_stats {
  bool known = false;
  std::uint64_t received = 0;  // packets the filter received
  std::uint64_t dropped = 0;   // dropped by the kernel for lack of buffer room
  std::uint64_t if_dropped = 0;
};

// How a running capture is going, for a status line.
struct live_status {
  std::uint64_t frames = 0;
  std::uint64_t addresses = 0;  // distinct addresses in frame headers and ARP so far
  double seconds = 0;
};

struct live_options {
  std::string interface;
  double duration_s = 0;    // stop after this long (0: no limit)
  std::uint64_t count = 0;  // stop after this many frames (0: no limit)
  std::uint32_t snaplen = 262144;
  std::FILE* write_to = nullptr;  // also write the frames here as pcapng (opened by the caller)
  const std::atomic<bool>* stop = nullptr;  // set (e.g. by SIGINT) to end the capture cleanly
  // Called on the reading thread for each address the moment it is first seen (arpwatch's
  // "new station"), and about ten times a second with the status; either may be empty.
  std::function<void(core::mac_address, std::int64_t ts_ns)> on_new_address;
  std::function<void(const live_status&)> on_status;
  capture_stats* stats = nullptr;  // filled in when the capture ends
};

struct interface_info {
  std::string name;
  std::string description;  // libpcap's, often empty on Linux
  bool up = false;
  bool running = false;
  bool loopback = false;
};

// The interfaces libpcap can capture on (-D), or why they cannot be listed.
[[nodiscard]] core::result<std::vector<interface_info>, core::failure> list_interfaces();

// Opens the interface; the error says why it cannot (no such device, no privileges, ...).
[[nodiscard]] core::result<std::unique_ptr<io::byte_stream>, core::failure> open_live(
    const live_options& options);

}  // namespace ouiscan::live
