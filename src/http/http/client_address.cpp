#include "http/client_address.hpp"

#include <algorithm>
#include <array>

#include <boost/algorithm/string/trim.hpp>

namespace ide::http {

namespace ip = boost::asio::ip;

namespace {

/// `text` as an address or, with a '/', a network; false when it is neither.
bool add_entry(std::string_view text, std::vector<ip::network_v4>& v4,
               std::vector<ip::network_v6>& v6) {
  boost::system::error_code ec;
  const std::string entry(text);
  if (entry.find('/') == std::string::npos) {
    const IpAddress address = unmapped(ip::make_address(entry, ec));
    if (ec) return false;
    if (address.is_v4()) {
      v4.emplace_back(address.to_v4(), 32);
    } else {
      v6.emplace_back(address.to_v6(), 128);
    }
    return true;
  }
  if (entry.find(':') == std::string::npos) {
    const ip::network_v4 network = ip::make_network_v4(entry, ec);
    if (ec) return false;
    v4.push_back(network.canonical());
  } else {
    const ip::network_v6 network = ip::make_network_v6(entry, ec);
    if (ec) return false;
    v6.push_back(network.canonical());
  }
  return true;
}

/// One X-Forwarded-For entry as an address; nullopt-like false when it is not one. Accepts the
/// bracketed "[v6]" and "v4:port" forms some proxies write.
bool parse_hop(std::string_view text, IpAddress& out) {
  std::string hop(text);
  boost::algorithm::trim(hop);
  if (hop.size() > 2 && hop.front() == '[') {
    const auto close = hop.find(']');
    if (close == std::string::npos) return false;
    hop = hop.substr(1, close - 1);
  } else if (std::count(hop.begin(), hop.end(), ':') == 1) {
    hop.resize(hop.find(':'));
  }
  boost::system::error_code ec;
  out = unmapped(ip::make_address(hop, ec));
  return !ec;
}

}  // namespace

core::Result<AddressSet> AddressSet::parse(const std::vector<std::string>& entries) {
  AddressSet set;
  for (const std::string& entry : entries) {
    if (!add_entry(entry, set.v4_, set.v6_)) {
      return core::fail(core::ErrorCode::invalid_argument,
                        "'" + entry + "' is neither an IP address nor a network like 10.0.0.0/8");
    }
  }
  return set;
}

bool AddressSet::contains(const IpAddress& address) const {
  const IpAddress plain = unmapped(address);
  if (plain.is_v4()) {
    const ip::address_v4 v4 = plain.to_v4();
    return std::any_of(v4_.begin(), v4_.end(), [&](const ip::network_v4& network) {
      return (v4.to_uint() & network.netmask().to_uint()) == network.network().to_uint();
    });
  }
  const ip::network_v6 host(plain.to_v6(), 128);
  return std::any_of(v6_.begin(), v6_.end(), [&](const ip::network_v6& network) {
    return host == network || host.is_subnet_of(network);
  });
}

IpAddress unmapped(const IpAddress& address) {
  if (address.is_v6() && address.to_v6().is_v4_mapped()) {
    return ip::make_address_v4(ip::v4_mapped, address.to_v6());
  }
  return address;
}

IpAddress client_address(const IpAddress& peer, std::string_view forwarded,
                         const AddressSet& trusted) {
  IpAddress client = unmapped(peer);
  while (trusted.contains(client) && !forwarded.empty()) {
    const std::size_t comma = forwarded.rfind(',');
    const std::string_view hop =
        comma == std::string_view::npos ? forwarded : forwarded.substr(comma + 1);
    forwarded = comma == std::string_view::npos ? std::string_view() : forwarded.substr(0, comma);
    IpAddress next;
    if (!parse_hop(hop, next)) break;
    client = next;
  }
  return client;
}

std::string client_key(const IpAddress& address) {
  const IpAddress plain = unmapped(address);
  if (plain.is_v4()) return plain.to_string();
  const ip::network_v6 network(plain.to_v6(), 64);
  return network.canonical().to_string();
}

}  // namespace ide::http
