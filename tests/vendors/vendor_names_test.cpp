// Short and canonical vendor names. The expected short names are Wireshark's, read from its
// manuf file (Wireshark 4.0, /usr/share/wireshark/manuf): an independent source.
#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "ouiscan/ouidb/database.h"
#include "ouiscan/pipeline/address_table.h"
#include "ouiscan/vendors/naming.h"
#include "ouiscan/vendors/vendor.h"

namespace ouiscan::vendors {
namespace {

TEST(ShortName, AsWiresharkShortensTheBigVendors) {
  EXPECT_EQ(short_name("Cisco Systems, Inc"), "Cisco");
  EXPECT_EQ(short_name("Apple, Inc."), "Apple");
  EXPECT_EQ(short_name("Hewlett Packard"), "HewlettP");
  EXPECT_EQ(short_name("Samsung Electronics Co.,Ltd"), "SamsungE");
  EXPECT_EQ(short_name("Huawei Technologies Co.,Ltd"), "HuaweiTe");
  EXPECT_EQ(short_name("Intel Corporate"), "IntelCor");
  EXPECT_EQ(short_name("Dell Inc."), "Dell");
  EXPECT_EQ(short_name("Tp-Link Technologies Co.,Ltd."), "Tp-LinkT");
  EXPECT_EQ(short_name("Xerox Corporation"), "Xerox");
  EXPECT_EQ(short_name("zte corporation"), "zte");
}

TEST(ShortName, DropsDottedAndSlashedLegalForms) {
  EXPECT_EQ(short_name("Sadel S.p.A."), "Sadel");
  EXPECT_EQ(short_name("Triax A/S"), "Triax");
  EXPECT_EQ(short_name("B.E.A.R. Solutions (Australasia) Pty, Ltd"), "BEARSolu");
}

TEST(ShortName, CountsCharactersNotBytes) {
  // "JägerCom": eight characters, nine bytes.
  EXPECT_EQ(short_name("J\xc3\xa4ger Computergesteuerte Me\xc3\x9ftechnik GmbH."),
            "J\xc3\xa4gerCom");
}

TEST(ShortName, KeepsANameMadeOnlyOfGeneralWords) {
  EXPECT_EQ(short_name("The Company"), "TheCompa");
  EXPECT_EQ(short_name(""), "");
}

TEST(CanonicalName, OneCompanyWhateverTheSpelling) {
  EXPECT_EQ(canonical_name("Apple, Inc."), "apple");
  EXPECT_EQ(canonical_name("APPLE INC"), "apple");
  EXPECT_EQ(canonical_name("Cisco Systems, Inc"), canonical_name("CISCO SYSTEMS, INC."));
  EXPECT_NE(canonical_name("Hewlett Packard"), canonical_name("Hewlett Packard Enterprise"));
}

// The embedded registry (IEEE oui.csv, 2026-05-21) spells Microsoft three ways: 70:F8:AE
// "Microsoft Corporation", 7C:ED:8D "Microsoft", 00:50:F2 "MICROSOFT CORP.".
TEST(PerVendor, CountsOneCompanyOnceUnderItsCommonestSpelling) {
  auto db = ouidb::database::open(ouidb::embedded());
  ASSERT_TRUE(db.has_value());
  pipeline::address_table table;
  for (const std::uint64_t mac : {0x70f8ae000001ULL, 0x70f8ae000002ULL, 0x7ced8d000001ULL,
                                  0x0050f2000001ULL, 0x001b67000001ULL}) {
    table.upsert(core::mac_address(mac));
  }
  const naming named = name_addresses(table, &*db);
  ASSERT_EQ(named.per_vendor.size(), 2U);
  EXPECT_EQ(named.per_vendor[0].name, "Microsoft Corporation");
  EXPECT_EQ(named.per_vendor[0].addresses, 4U);
  EXPECT_EQ(named.per_vendor[1].name, "Cisco Systems Inc");
  EXPECT_EQ(named.per_vendor[1].addresses, 1U);
}

// The whole manuf file, when Wireshark's data is installed (it is where tshark is).
TEST(ShortName, AgreesWithWiresharksManufFile) {
  std::ifstream manuf("/usr/share/wireshark/manuf");
  if (!manuf) GTEST_SKIP() << "/usr/share/wireshark/manuf not installed: skipped";
  std::size_t rows = 0;
  std::size_t same = 0;
  for (std::string line; std::getline(manuf, line);) {
    if (line.empty() || line[0] == '#') continue;
    const auto a = line.find('\t');
    const auto b = line.find('\t', a + 1);
    if (a == std::string::npos || b == std::string::npos || b + 1 >= line.size()) continue;
    ++rows;
    if (short_name(line.substr(b + 1)) == line.substr(a + 1, b - a - 1)) ++same;
  }
  ASSERT_GT(rows, 10000U);
  EXPECT_GE(static_cast<double>(same) / static_cast<double>(rows), 0.97)
      << same << " of " << rows << " rows";
}

}  // namespace
}  // namespace ouiscan::vendors
