// gen_pcap: writes a deterministic synthetic capture (bench/datagen) for benchmarks and tests.
#include <CLI/CLI.hpp>
#include <cstdio>

#include "datagen.h"

int main(int argc, char** argv) {
  using ouiscan::datagen::container;
  ouiscan::datagen::options o;
  std::string output = "-";
  std::string format = "pcap";
  std::string sizes = "64:7,576:4,1500:1";
  std::string links = "ethernet";
  double megabytes = 64;
  CLI::App cli{"gen_pcap: write a synthetic capture; the same options and seed give the same bytes",
               "gen_pcap"};
  cli.add_option("-o,--output", output, "output file (- for standard output)")
      ->capture_default_str();
  cli.add_option("-s,--size-mb", megabytes, "stop at this many MB (10^6 bytes)")
      ->capture_default_str();
  cli.add_option("--frames", o.max_frames, "stop after this many frames (0: no limit)");
  cli.add_option("--seed", o.seed, "random seed")->capture_default_str();
  cli.add_option("--hosts", o.hosts, "distinct stations")->capture_default_str();
  cli.add_option("--zipf", o.zipf_s, "skew of host activity (0: uniform)")->capture_default_str();
  cli.add_option("--vlan-share", o.vlan_share, "fraction of 802.1Q-tagged frames")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  cli.add_option("--arp-share", o.arp_share, "fraction of ARP requests")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  cli.add_flag("--ipv4", o.ipv4, "IPv4 headers in the frames, and ARP sender addresses");
  cli.add_option("--identity-share", o.identity_share,
                 "fraction of DHCP, NDP, mDNS and LLDP frames (implies --ipv4)")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  cli.add_option("--sizes", sizes, "frame size mix BYTES:WEIGHT,...")->capture_default_str();
  cli.add_option("--snaplen", o.snaplen, "captured bytes per frame at most")->capture_default_str();
  cli.add_option("-F,--format", format, "pcap or pcapng")
      ->check(CLI::IsMember({"pcap", "pcapng"}))
      ->capture_default_str();
  cli.add_option("--links", links,
                 "link types, one interface each (pcapng; pcap takes one): "
                 "ethernet, linux_sll, radiotap")
      ->capture_default_str();
  cli.add_flag("--ns", o.nanoseconds, "nanosecond timestamps");
  cli.add_flag("--big-endian", o.big_endian, "write big-endian headers");
  CLI11_PARSE(cli, argc, argv);

  o.format = format == "pcapng" ? container::pcapng : container::pcap;
  if (o.identity_share > 0) o.ipv4 = true;
  o.target_bytes = static_cast<std::uint64_t>(megabytes * 1e6);
  o.sizes = ouiscan::datagen::parse_sizes(sizes);
  o.links = ouiscan::datagen::parse_links(links);
  if (o.sizes.empty() || o.hosts == 0 || o.links.empty() ||
      (o.format == container::pcap && o.links.size() > 1)) {
    std::fprintf(stderr, "gen_pcap: bad --sizes, --hosts or --links (pcap takes one link type)\n");
    return 2;
  }
  std::FILE* out = output == "-" ? stdout : std::fopen(output.c_str(), "wb");
  if (out == nullptr) {
    std::perror(output.c_str());
    return 3;
  }
  const auto r = ouiscan::datagen::write(o, out);
  if (out != stdout && std::fclose(out) != 0) return 3;
  if (r.bytes == 0) {
    std::fprintf(stderr, "gen_pcap: write failed\n");
    return 3;
  }
  std::fprintf(stderr, "gen_pcap: %llu frames, %llu bytes, %llu distinct hosts\n",
               static_cast<unsigned long long>(r.frames), static_cast<unsigned long long>(r.bytes),
               static_cast<unsigned long long>(r.distinct_hosts));
  return 0;
}
