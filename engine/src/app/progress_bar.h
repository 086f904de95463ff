// The CLI's progress line for one input.
#pragma once

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <mutex>
#include <string>
#include <thread>

namespace ouiscan::app {

// Draws a progress line on stderr from its own thread, so the pipeline never waits on a
// terminal. It appears only after a short delay: quick runs print nothing.
class progress_bar {
 public:
  progress_bar(const std::string& name, std::uint64_t total)
      : name_(name),
        total_(total),
        start_(std::chrono::steady_clock::now()),
        thread_([this] { loop(); }) {}
  progress_bar(const progress_bar&) = delete;
  progress_bar& operator=(const progress_bar&) = delete;
  ~progress_bar() {
    {
      std::lock_guard lock(mutex_);
      done_ = true;
    }
    wake_.notify_one();
    thread_.join();
    if (drawn_) std::fputs("\r\033[K", stderr);
  }
  std::atomic<std::uint64_t>* counter() noexcept { return &bytes_; }

 private:
  static constexpr auto delay = std::chrono::milliseconds(500);
  static constexpr auto period = std::chrono::milliseconds(100);
  static constexpr int width = 30;

  void loop() {
    std::unique_lock lock(mutex_);
    if (wake_.wait_for(lock, delay, [this] { return done_; })) return;
    while (!done_) {
      draw();
      wake_.wait_for(lock, period, [this] { return done_; });
    }
  }
  void draw() {
    const double secs =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    const auto done = bytes_.load(std::memory_order_relaxed);
    const double rate = secs > 0 ? static_cast<double>(done) / secs / 1e6 : 0;
    std::string line;
    if (total_ > 0) {
      const double frac = std::min(1.0, static_cast<double>(done) / static_cast<double>(total_));
      const int filled = static_cast<int>(frac * width);
      line = fmt::format("\r[{:=<{}}{:<{}}] {:3.0f}% {:.0f}/{:.0f} MB {:.0f} MB/s  {}", "", filled,
                         "", width - filled, frac * 100, static_cast<double>(done) / 1e6,
                         static_cast<double>(total_) / 1e6, rate, name_);
    } else {
      line = fmt::format("\r{:.0f} MB read, {:.0f} MB/s  {}", static_cast<double>(done) / 1e6, rate,
                         name_);
    }
    std::fputs(line.c_str(), stderr);
    std::fputs("\033[K", stderr);
    std::fflush(stderr);
    drawn_ = true;
  }

  std::string name_;
  std::uint64_t total_;
  std::chrono::steady_clock::time_point start_;
  std::atomic<std::uint64_t> bytes_{0};
  std::mutex mutex_;
  std::condition_variable wake_;
  bool done_ = false;
  bool drawn_ = false;
  std::thread thread_;
};

}  // namespace ouiscan::app
