// Who a request comes from: the socket peer, or, behind a trusted reverse proxy, the address the
// proxy forwarded in X-Forwarded-For; and the key every per-client limit counts by.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/network_v4.hpp>
#include <boost/asio/ip/network_v6.hpp>

#include "core/error.hpp"

namespace ide::http {

using IpAddress = boost::asio::ip::address;

/// Addresses and networks, e.g. the reverse proxies whose X-Forwarded-For is believed.
class AddressSet {
 public:
  /// Parses entries like "10.0.0.1", "192.168.0.0/16", "::1", "fd00::/8".
  /// Errors: invalid_argument naming the first entry that is neither an address nor a network.
  static core::Result<AddressSet> parse(const std::vector<std::string>& entries);

  /// Whether `address` (IPv4-mapped IPv6 counts as IPv4) is one of the entries or in one.
  bool contains(const IpAddress& address) const;
  bool empty() const { return v4_.empty() && v6_.empty(); }

 private:
  std::vector<boost::asio::ip::network_v4> v4_;
  std::vector<boost::asio::ip::network_v6> v6_;
};

/// `address` with an IPv4-mapped IPv6 address (::ffff:a.b.c.d) turned into the IPv4 one.
IpAddress unmapped(const IpAddress& address);

/// The client of a request from `peer` carrying `forwarded` (every X-Forwarded-For value, joined
/// with ','). When `peer` is trusted, the list is walked from the right past trusted proxies: the
/// first address that is not trusted is the client (everything left of it was written by the
/// client and proves nothing). Otherwise, or when an entry on the way is not an address, the
/// header is ignored and the client is the last hop known for sure.
IpAddress client_address(const IpAddress& peer, std::string_view forwarded,
                         const AddressSet& trusted);

/// What per-client limits count by: the IPv4 address, or an IPv6 client's /64 network, since a
/// single IPv6 host usually holds a whole /64 and could otherwise pick a new address per request.
std::string client_key(const IpAddress& address);

}  // namespace ide::http
