// File: format.h
// The capture formats' numbers, in one place: pcap's file magics and header sizes
// (libpcap's pcap-savefile(5)) and pcapng's block types and option codes (draft-ietf-opsawg-
// pcapng). The framer reads by them; the writer (writer.h) writes by them.
#pragma once

#include <cstddef>
#include <cstdint>

namespace ouiscan::capture::format {

// pcap
inline constexpr std::uint32_t pcap_magic_us = 0xA1B2C3D4;
inline constexpr std::uint32_t pcap_magic_ns = 0xA1B23C4D;
inline constexpr std::uint32_t pcap_magic_modified = 0xA1B2CD34;  // Kuznetzov's
inline constexpr std::size_t pcap_file_header = 24;
inline constexpr std::size_t pcap_record_header = 16;
inline constexpr std::size_t pcap_modified_record = 24;  // Kuznetzov's record header
// The link type field: low 16 bits the type, bits 16-25 reserved, bit 26 says that bits 28-31
// give the FCS length in 16-bit words.
inline constexpr std::uint32_t pcap_lt_reserved = 0x03FF0000;
inline constexpr std::uint32_t pcap_lt_fcs_present = 0x04000000;

// pcapng block types
inline constexpr std::uint32_t block_section_header = 0x0A0D0D0A;
inline constexpr std::uint32_t block_interface = 1;
inline constexpr std::uint32_t block_packet = 2;  // obsolete
inline constexpr std::uint32_t block_simple_packet = 3;
inline constexpr std::uint32_t block_interface_statistics = 5;
inline constexpr std::uint32_t block_enhanced_packet = 6;
inline constexpr std::uint32_t byte_order_magic = 0x1A2B3C4D;
inline constexpr std::size_t block_header = 8;  // type and total length
inline constexpr std::size_t min_section_header = 28;
inline constexpr std::size_t min_interface = 20;
inline constexpr std::size_t min_simple_packet = 16;
inline constexpr std::size_t min_enhanced_packet = 32;

// pcapng option codes
inline constexpr std::uint16_t opt_endofopt = 0;
inline constexpr std::uint16_t opt_comment = 1;
inline constexpr std::uint16_t opt_if_tsresol = 9;
inline constexpr std::uint16_t opt_if_fcslen = 13;
inline constexpr std::uint16_t opt_if_tsoffset = 14;

}  // namespace ouiscan::capture::format
