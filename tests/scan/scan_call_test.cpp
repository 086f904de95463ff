// The one scan call, through the public API alone (<ouiscan/ouiscan.h>): the bundled sample's
// address sets against tshark's answers (tests/data/*.macs), what the observer hears, and the
// summary's fields that only the call fills in. Also a capture the test writes itself.
#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <string>
#include <vector>

#include "capture_builder.h"
#include "ouiscan/ouiscan.h"

namespace ouiscan {
namespace {

std::set<std::string> read_set(const std::string& path) {
  std::ifstream in(path);
  std::set<std::string> out;
  for (std::string a; in >> a;) out.insert(a);
  return out;
}

class recorder final : public scan::observer {
 public:
  std::atomic<std::uint64_t>* input_started(const std::string& name, std::uint64_t size) override {
    started.emplace_back(name, size);
    return &bytes;
  }
  void input_finished() override { ++finished; }
  void message(severity level, std::string_view line) override {
    messages.emplace_back(level, std::string(line));
  }
  std::vector<std::pair<std::string, std::uint64_t>> started;
  int finished = 0;
  std::vector<std::pair<severity, std::string>> messages;
  std::atomic<std::uint64_t> bytes{0};
};

const ouidb::database& embedded() {
  static const auto db = ouidb::database::open(ouidb::embedded());
  return *db;
}

TEST(ScanCall, TheSampleGivesTsharksAddressSets) {
  const std::string sample = std::string(OUISCAN_TEST_DATA_DIR) + "/sample.pcapng";
  scan::request req;
  req.inputs = {sample};
  req.database = &embedded();
  recorder heard;
  auto done = scan::run(std::move(req), heard);
  ASSERT_TRUE(done.has_value());
  const report::inventory& inv = done->inventory;
  std::set<std::string> frame, arp;
  for (const auto& e : inv.entries) {
    if ((e.stats->roles() & capture::frame_roles) != 0) frame.insert(e.mac().to_string());
    if ((e.stats->roles() & capture::arp_roles) != 0) arp.insert(e.mac().to_string());
  }
  EXPECT_EQ(frame, read_set(sample + ".macs"));
  EXPECT_EQ(arp, read_set(sample + ".arp.macs"));
  EXPECT_EQ(inv.totals.frames, 170U);
  EXPECT_EQ(done->worst, scan::outcome::ok);
  // The observer heard the input start (with its size on disk: 38,940 bytes), its bytes
  // counted to the end, and nothing to warn about.
  ASSERT_EQ(heard.started.size(), 1U);
  EXPECT_EQ(heard.started[0], (std::pair<std::string, std::uint64_t>{sample, 38940}));
  EXPECT_EQ(heard.bytes.load(), 38940U);
  EXPECT_EQ(heard.finished, 1);
  EXPECT_TRUE(heard.messages.empty());
  // What only the call fills in: the database named and dated, the addresses busiest first.
  EXPECT_EQ(inv.database, "embedded");
  EXPECT_EQ(inv.database_date, embedded().header().registries[0].snapshot_date);
  for (std::size_t i = 1; i < inv.entries.size(); ++i) {
    EXPECT_GE(inv.entries[i - 1].stats->frames(), inv.entries[i].stats->frames());
  }
}

TEST(ScanCall, FaultsAreOutcomesAndMessagesNotPrints) {
  // Two records from 00:1b:21:00:00:01 (an Intel MA-L prefix), then a record cut short.
  const auto frame = testing::ethernet("ffffffffffff", "001b21000001", 0x0800);
  testing::pcap_builder b(false, false, 1);
  b.record(1, 0, frame).record(2, 0, frame);
  auto bytes = b.bytes();
  bytes.erase(bytes.end() - 10, bytes.end());
  const std::string path = ::testing::TempDir() + "/cut.pcap";
  std::ofstream(path, std::ios::binary)
      .write(reinterpret_cast<const char*>(bytes.data()),
             static_cast<std::streamsize>(bytes.size()));

  scan::request req;
  req.inputs = {path, ::testing::TempDir() + "/no-such-file.pcap"};
  req.database = &embedded();
  recorder heard;
  auto done = scan::run(std::move(req), heard);
  ASSERT_TRUE(done.has_value());
  EXPECT_EQ(done->worst, scan::outcome::unreadable);  // the missing file outweighs the cut
  ASSERT_EQ(done->inventory.inputs.size(), 2U);
  EXPECT_EQ(done->inventory.inputs[0].counters.frames, 1U);
  EXPECT_EQ(report::input_status(done->inventory.inputs[0]), "truncated");
  EXPECT_EQ(report::input_status(done->inventory.inputs[1]), "io_error");
  ASSERT_EQ(heard.messages.size(), 2U);
  EXPECT_EQ(heard.messages[0].first, scan::observer::severity::warning);
  EXPECT_NE(heard.messages[0].second.find("warning: " + path), std::string::npos);
  EXPECT_EQ(heard.messages[1].first, scan::observer::severity::error);
  EXPECT_NE(heard.messages[1].second.find("cannot open"), std::string::npos);
  ASSERT_EQ(done->inventory.entries.size(), 2U);  // the source and the broadcast address
  const auto& intel = done->inventory.entries[0].mac().to_string() == "00:1b:21:00:00:01"
                          ? done->inventory.entries[0]
                          : done->inventory.entries[1];
  EXPECT_EQ(intel.vendor->organization, "Intel Corporate");
}

TEST(ScanCall, AFilterThatDoesNotCompileIsRefused) {
  scan::request req;
  req.inputs = {std::string(OUISCAN_TEST_DATA_DIR) + "/sample.pcapng"};
  req.database = &embedded();
  req.filter = "vlan and and";
  scan::observer quiet;
  auto done = scan::run(std::move(req), quiet);
  ASSERT_FALSE(done.has_value());
  EXPECT_EQ(done.error().why, scan::refusal::kind::usage);
  EXPECT_NE(done.error().message.find("syntax error"), std::string::npos);
}

}  // namespace
}  // namespace ouiscan
