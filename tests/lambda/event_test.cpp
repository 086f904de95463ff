// Lambda event shapes, from the S3 and EventBridge documentation's examples.
#include "ouiscan/lambda/event.h"

#include <gtest/gtest.h>

namespace ouiscan::lambda {
namespace {

std::vector<s3::location> objects(std::string_view json) {
  auto r = parse_event(json);
  if (const auto* why = r ? nullptr : &r.error()) ADD_FAILURE() << why->message;
  return !r.has_value() ? std::vector<s3::location>{} : *r;
}

std::string error_of(std::string_view json) {
  auto r = parse_event(json);
  return !r.has_value() ? r.error().message : "";
}

TEST(LambdaEvent, S3NotificationEveryRecordKeysDecoded) {
  const auto o = objects(R"({"Records":[
    {"eventSource":"aws:s3","eventName":"ObjectCreated:Put",
     "s3":{"bucket":{"name":"captures"},"object":{"key":"2026/11/edge+router%2B1%3D.pcapng"}}},
    {"eventSource":"aws:s3",
     "s3":{"bucket":{"name":"captures"},"object":{"key":"caf%C3%A9/a%20b.pcap"}}}]})");
  ASSERT_EQ(o.size(), 2U);
  EXPECT_EQ(o[0].bucket, "captures");
  EXPECT_EQ(o[0].key, "2026/11/edge router+1=.pcapng");
  EXPECT_EQ(o[1].key, "caf\xC3\xA9/a b.pcap");
}

TEST(LambdaEvent, EventBridgeObjectCreatedKeyAsIs) {
  const auto o = objects(R"({"version":"0","source":"aws.s3","detail-type":"Object Created",
    "detail":{"bucket":{"name":"b"},"object":{"key":"a+b%20c.pcap","size":5}}})");
  ASSERT_EQ(o.size(), 1U);
  EXPECT_EQ(o[0].key, "a+b%20c.pcap");
  EXPECT_NE(error_of(R"({"source":"aws.s3","detail-type":"Object Deleted","detail":{}})"), "");
}

TEST(LambdaEvent, DirectInvocations) {
  auto o = objects(R"({"bucket":"b","key":"k.pcap"})");
  ASSERT_EQ(o.size(), 1U);
  EXPECT_EQ(o[0].uri(), "s3://b/k.pcap");
  o = objects(R"({"uri":"s3://b/dir/k.pcap"})");
  ASSERT_EQ(o.size(), 1U);
  EXPECT_EQ(o[0].key, "dir/k.pcap");
  o = objects(R"({"objects":[{"uri":"s3://b/1"},{"bucket":"c","key":"2"}]})");
  ASSERT_EQ(o.size(), 2U);
  EXPECT_EQ(o[1].bucket, "c");
}

TEST(LambdaEvent, BadEventsSayWhy) {
  EXPECT_NE(error_of("{not json").find("not valid JSON"), std::string::npos);
  EXPECT_EQ(error_of(std::string_view(nullptr, 0)), "the event is empty");
  EXPECT_NE(error_of("[1,2]").find("not a JSON object"), std::string::npos);
  EXPECT_NE(error_of(R"({"hello":1})").find("no \"bucket\""), std::string::npos);
  EXPECT_NE(error_of(R"({"uri":"s3://b"})").find("not an s3://bucket/key"), std::string::npos);
  EXPECT_NE(error_of(R"({"Records":[]})"), "");
  EXPECT_NE(error_of(R"({"Records":[{"eventSource":"aws:s3","s3":{}}]})"), "");
  // The message never repeats the event (which may hold anything).
  EXPECT_EQ(error_of(R"({"secret":"hunter2"})").find("hunter2"), std::string::npos);
}

TEST(LambdaEvent, KeyDecoding) {
  EXPECT_EQ(decode_event_key("a+b%2Bc%3d%25"), "a b+c=%");
  EXPECT_EQ(decode_event_key("dot%2eend%zz%4"), "dot.end%zz%4");
}

}  // namespace
}  // namespace ouiscan::lambda
