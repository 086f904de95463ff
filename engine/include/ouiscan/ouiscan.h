// File: ouiscan.h
// The library's public API in one include: one scan of captures (files, stdin, S3, a live
// interface) into an inventory of MAC addresses with their vendors, and its renderings. Link
// ouiscan::ouiscan.
//
//   #include <ouiscan/ouiscan.h>
//
//   auto db = ouiscan::ouidb::database::open(ouiscan::ouidb::embedded());
//   ouiscan::scan::request req;
//   req.inputs = {"capture.pcapng"};
//   req.database = &*db;
//   ouiscan::scan::observer quiet;
//   auto done = ouiscan::scan::run(std::move(req), quiet);
//   if (done) ouiscan::report::write(stdout, done->inventory, ouiscan::report::format::json);
//
// The stages, in the order data flows: capture (framing and link-layer decoding), pipeline
// (the parallel scan into an address table), vendors (registry lookup, classification, the
// optional online fallback), report (table, JSON, JSON lines, CSV). docs/architecture.md
// describes each.
#pragma once

#include "ouiscan/capture/decode.h"
#include "ouiscan/capture/framer.h"
#include "ouiscan/capture/walk.h"
#include "ouiscan/capture/writer.h"
#include "ouiscan/core/error.h"
#include "ouiscan/core/mac_address.h"
#include "ouiscan/ouidb/classify.h"
#include "ouiscan/ouidb/database.h"
#include "ouiscan/pipeline/scan.h"
#include "ouiscan/report/inventory.h"
#include "ouiscan/scan/scan.h"
#include "ouiscan/text/json.h"
#include "ouiscan/text/time.h"
#include "ouiscan/vendors/naming.h"
#include "ouiscan/vendors/vendor.h"
#include "ouiscan/vendors/wireshark_files.h"
