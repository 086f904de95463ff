// scan_capture CAPTURE...: every MAC address in the captures with its vendor, one per line,
// through the ouiscan library (the same one call that the ouiscan program makes).
#include <ouiscan/ouiscan.h>

#include <cstdio>
#include <string>
#include <utility>

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s CAPTURE...\n", argv[0]);
    return 2;
  }
  const auto db = ouiscan::ouidb::database::open(ouiscan::ouidb::embedded());
  if (!db) return 3;
  ouiscan::scan::request req;
  for (int i = 1; i < argc; ++i) req.inputs.emplace_back(argv[i]);
  req.database = &*db;
  ouiscan::scan::observer quiet;  // no progress, no warnings
  auto done = ouiscan::scan::run(std::move(req), quiet);
  if (!done) {
    std::fprintf(stderr, "%s\n", done.error().message.c_str());
    return 3;
  }
  for (const auto& e : done->inventory.entries) {  // busiest first
    const std::string& vendor = e.vendor->organization;
    std::printf("%s %s\n", e.mac().to_string().c_str(), vendor.empty() ? "-" : vendor.c_str());
  }
  return 0;
}
