#include "ouiscan/core/mac_address.h"

#include <gtest/gtest.h>

namespace ouiscan::core {
namespace {

TEST(MacAddress, ParsesCommonNotations) {
  const std::uint64_t want = 0x001B210A0B0C;
  for (const char* text :
       {"00:1b:21:0a:0b:0c", "00-1B-21-0A-0B-0C", "001b.210a.0b0c", "001b210a0b0c"}) {
    const auto m = mac_address::parse(text);
    ASSERT_TRUE(m) << text;
    EXPECT_EQ(m->value(), want) << text;
  }
  for (const char* bad : {"", "00:1b:21:0a:0b", "00:1b:21:0a:0b:0c:0d", "00:1b-21:0a:0b:0c",
                          "0:1b:21:0a:0b:0c0", "zz:1b:21:0a:0b:0c", "001b.210a0b0c"}) {
    EXPECT_FALSE(mac_address::parse(bad)) << bad;
  }
}

TEST(MacAddress, FormatsLowercaseColons) {
  EXPECT_EQ(mac_address(0xA1B2C3D4E5F6).to_string(), "a1:b2:c3:d4:e5:f6");
  EXPECT_EQ(mac_address(0).to_string(), "00:00:00:00:00:00");
}

TEST(MacAddress, ClassFromBits) {
  EXPECT_EQ(class_of(mac_address(0xFFFFFFFFFFFF)), address_class::broadcast);
  EXPECT_EQ(class_of(*mac_address::parse("01:00:5e:00:00:fb")), address_class::multicast);
  EXPECT_EQ(class_of(*mac_address::parse("33:33:00:00:00:01")), address_class::multicast);
  EXPECT_EQ(class_of(*mac_address::parse("00:1b:21:0a:0b:0c")), address_class::unicast);
  EXPECT_TRUE(mac_address::parse("02:00:00:00:00:01")->is_local());
  EXPECT_TRUE(mac_address::parse("da:a1:19:00:00:01")->is_local());
  EXPECT_FALSE(mac_address::parse("00:1b:21:0a:0b:0c")->is_local());
}

}  // namespace
}  // namespace ouiscan::core
