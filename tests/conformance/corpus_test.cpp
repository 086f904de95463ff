// Conformance: every capture of the shared corpus gives the same address sets as tshark
// (../shared/corpus/README.md has the rules), except the differences listed with their reasons
// in exceptions.tsv, which must still differ (so that a fixed difference is noticed).
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "ouiscan/pipeline/scan.h"

namespace ouiscan {
namespace {

namespace fs = std::filesystem;
using address_set = std::set<std::string>;

std::vector<std::vector<std::string>> read_tsv(const fs::path& path) {
  std::vector<std::vector<std::string>> rows;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string> cols;
    std::stringstream ss(line);
    std::string col;
    while (std::getline(ss, col, '\t')) cols.push_back(col);
    rows.push_back(std::move(cols));
  }
  return rows;
}

address_set read_set(const fs::path& path) {
  address_set s;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty()) s.insert(line);
  }
  return s;
}

std::string describe(const address_set& ours, const address_set& theirs) {
  std::string d;
  int shown = 0;
  for (const auto& a : ours) {
    if (!theirs.contains(a) && shown++ < 5) d += " +" + a;
  }
  for (const auto& a : theirs) {
    if (!ours.contains(a) && shown++ < 10) d += " -" + a;
  }
  return d;
}

// Every statistic of every address, as text, so that two scans compare in one EXPECT_EQ.
std::map<std::string, std::string> all_stats(const pipeline::address_table& t) {
  std::map<std::string, std::string> out;
  t.for_each([&](core::mac_address mac, const pipeline::address_stats& s) {
    std::ostringstream v;
    v << s.frames() << ' ' << s.src_frames() << ' ' << s.src_bytes() << ' ' << s.dst_frames() << ' '
      << s.dst_bytes() << ' ' << s.arp_frames() << ' ' << s.roles() << ' ' << s.first_ns() << ' '
      << s.last_ns() << " vlans";
    for (const auto id : s.vlans()) v << ' ' << id;
    v << " links";
    for (const auto lt : s.link_types()) v << ' ' << lt;
    out[mac.to_string()] = v.str();
  });
  return out;
}

TEST(Corpus, AddressSetsMatchTshark) {
  const fs::path corpus = OUISCAN_CORPUS_DIR;
  if (!fs::exists(corpus / "MANIFEST.tsv")) {
    GTEST_SKIP() << "corpus not found at " << corpus << ": conformance not checked";
  }
  // (path, set) -> how the difference is checked (exceptions.tsv's fourth column).
  std::map<std::pair<std::string, std::string>, std::string> excepted;
  const fs::path here = fs::path(OUISCAN_TEST_DATA_DIR) / "../conformance";
  for (const auto& row : read_tsv(here / "exceptions.tsv")) {
    ASSERT_EQ(row.size(), 4U);
    excepted[{row[0], row[1]}] = row[3];
  }
  std::map<std::string, std::string> packets_read;
  for (const auto& row : read_tsv(corpus / "expected/tshark_status.tsv")) {
    packets_read[row.at(0)] = row.at(3);
  }

  const auto manifest = read_tsv(corpus / "MANIFEST.tsv");
  ASSERT_EQ(manifest.size(), 319U);  // a header and 318 captures
  std::size_t files = 0, matched = 0, explained = 0;
  for (std::size_t i = 1; i < manifest.size(); ++i) {
    const std::string& path = manifest[i].at(0);
    const std::string& status = manifest[i].at(10);
    const std::string name = path.substr(std::string("captures/").size());
    SCOPED_TRACE(path);

    pipeline::scanner scanner({.threads = 2, .chunk_bytes = 64 << 10});
    auto in = io::open_input((corpus / path).string());
    ASSERT_TRUE(in);
    const pipeline::input_report report = scanner.scan(*in);
    // The parallel segment walk (forced with tiny segments) must agree with the serial cut.
    pipeline::scanner segmented(
        {.threads = 2, .chunk_bytes = 4096, .segment_bytes = 1024, .segments_per_thread = 4});
    auto again = io::open_input((corpus / path).string());
    ASSERT_TRUE(again);
    const pipeline::input_report seg_report = segmented.scan(*again);
    EXPECT_EQ(seg_report.counters.frames, report.counters.frames);
    EXPECT_EQ(seg_report.error.has_value(), report.error.has_value());
    if (seg_report.error && report.error) {
      EXPECT_EQ(seg_report.error->offset, report.error->offset);
      EXPECT_EQ(seg_report.error->record, report.error->record);
    }
    EXPECT_EQ(seg_report.counters.wire_bytes, report.counters.wire_bytes);
    EXPECT_EQ(all_stats(segmented.addresses()), all_stats(scanner.addresses()));
    address_set macs, arp;
    scanner.addresses().for_each([&](core::mac_address mac, const pipeline::address_stats& s) {
      if ((s.roles() & capture::frame_roles) != 0) macs.insert(mac.to_string());
      if ((s.roles() & capture::arp_roles) != 0) arp.insert(mac.to_string());
    });
    ++files;
    bool same = true;
    bool listed = false;
    const auto check = [&](const char* set, const address_set& ours, const std::string& file) {
      const address_set theirs = read_set(corpus / "expected" / (name + file));
      if (const auto rule = excepted.find({path, set}); rule != excepted.end()) {
        listed = true;
        EXPECT_NE(ours, theirs) << set << ": listed in exceptions.tsv but now agrees: remove it";
        std::string flat = name;
        std::replace(flat.begin(), flat.end(), '/', '_');
        const address_set tcpdump = read_set(here / "tcpdump" / (flat + ".macs"));
        if (rule->second == "tcpdump") {
          EXPECT_EQ(ours, tcpdump) << set << " differs from tcpdump -e:" << describe(ours, tcpdump);
        } else if (rule->second == "within-tcpdump") {
          EXPECT_FALSE(ours.empty());
          for (const auto& a : ours) {
            EXPECT_TRUE(tcpdump.contains(a) || a == "00:00:00:00:00:00")
                << set << ": " << a << " is no frame address tcpdump -e prints";
          }
        } else {
          ASSERT_EQ(rule->second, "fewer");
          EXPECT_LT(ours.size(), theirs.size());
          EXPECT_TRUE(std::includes(theirs.begin(), theirs.end(), ours.begin(), ours.end()));
        }
        return;
      }
      if (ours != theirs) same = false;
      EXPECT_EQ(ours, theirs) << set << " differ:" << describe(ours, theirs);
    };
    check("macs", macs, ".macs");
    check("arp", arp, ".arp.macs");
    if (status != "unsupported") {
      // Where tshark reads the file, it must also agree on how many frames there are and
      // whether the file is damaged.
      EXPECT_EQ(std::to_string(report.counters.frames), packets_read[path]);
      EXPECT_EQ(report.error.has_value(), status == "truncated" || status == "damaged")
          << (report.error ? core::to_string(*report.error) : std::string("no error"))
          << " / tshark: " << status;
    }
    if (listed) {
      ++explained;
    } else if (same) {
      ++matched;
    }
  }
  std::printf("corpus: %zu files: %zu agree with tshark, %zu differ as listed in exceptions.tsv\n",
              files, matched, explained);
  EXPECT_EQ(files, 318U);
  EXPECT_EQ(matched, 312U);
  EXPECT_EQ(explained, 6U);  // the files of exceptions.tsv's nine rows
}

}  // namespace
}  // namespace ouiscan
