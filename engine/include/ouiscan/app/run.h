// File: run.h
// What the ouiscan command does, as a library call: main() parses argv into run_options and
// returns run()'s exit code.
//
//   ouiscan::app::run_options o;
//   o.inputs = {"capture.pcapng"};
//   return ouiscan::app::run(o);
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ouiscan/report/inventory.h"

namespace ouiscan::app {

// Exit codes (docs/output.md). A damaged input still produces the full report.
enum exit_code : int {
  exit_ok = 0,
  exit_input_damaged = 1,  // an input was truncated or corrupt; addresses before the fault kept
  exit_usage = 2,          // bad command line
  exit_io_error = 3,       // an input or the output could not be opened, read or written
};

enum class progress_mode : std::uint8_t { automatic, always, never };

struct run_options {
  std::vector<std::string> inputs;  // "-" is standard input
  report::format output_format = report::format::table;
  std::string output_path;  // empty: standard output
  unsigned threads = 0;     // 0: all cores
  std::size_t chunk_bytes = 1U << 20;
  progress_mode progress = progress_mode::automatic;
  bool quiet = false;  // no warnings or summary on stderr
};

[[nodiscard]] int run(const run_options& options);

}  // namespace ouiscan::app
