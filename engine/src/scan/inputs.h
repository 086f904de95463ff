// s3:// inputs for a scan: settings resolved and the client made on first use, so that runs
// without S3 never look for credentials; prefixes expanded to the captures under them.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "ouiscan/core/error.h"
#include "ouiscan/io/input.h"
#include "ouiscan/pipeline/scan.h"
#include "ouiscan/s3/client.h"
#include "ouiscan/s3/config.h"

namespace ouiscan::scan {

class remote_inputs {
 public:
  remote_inputs(const s3::overrides& o, std::shared_ptr<s3::client> client)
      : overrides_(o), client_(std::move(client)) {}

  // Objects under a prefix that look like captures, or the one object named; empty (with
  // last_failure() saying why) when a prefix cannot be listed or holds no capture.
  std::vector<std::string> expand(const std::string& uri);
  core::result<io::input> open(const std::string& uri);
  // The whole object as text (a JSON result), or why not.
  core::result<std::string, core::failure> read_text(const std::string& uri);
  // --range of an object (the scanner's options hold the range): HEAD, its first bytes, the
  // range in one GET (longer when the record that crosses its end needs it), and pcapng blocks
  // before it when asked for. Compressed objects cannot be cut.
  core::result<pipeline::input_report> scan_range(const std::string& uri,
                                                  pipeline::scanner& scanner);
  [[nodiscard]] const std::string& last_failure() const noexcept { return failure_; }

 private:
  bool ready();
  core::error fail(std::string message);

  s3::overrides overrides_;
  std::shared_ptr<s3::client> client_;
  std::string failure_;
};

}  // namespace ouiscan::scan
