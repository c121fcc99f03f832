// A subnet of IP addresses (Core's CSubNet): the ban list and -whitelist match peers against
// these. IPv4 and IPv6 only, as Core (a Tor, I2P or CJDNS "subnet" is one whole address).
// A plain value: copy freely, any thread.
#pragma once

#include "net/net_address.h"

#include <array>
#include <optional>
#include <string>
#include <string_view>

namespace net {

class SubNet {
public:
    /** An invalid subnet (matches nothing). */
    SubNet() = default;
    /** The single address addr (/32 for IPv4, /128 for IPv6). */
    explicit SubNet(const NetAddress& addr);

    /** True if addr is in this subnet (same network and equal under the mask). */
    bool Match(const NetAddress& addr) const;
    bool IsValid() const { return m_valid; }
    /** "1.2.3.0/24", "::1/128"; a mask that is not a prefix is written out ("1.2.3.4/255.0.255.0"), as Core. */
    std::string ToString() const;

    auto operator<=>(const SubNet&) const = default;

private:
    friend std::optional<SubNet> ParseSubNet(std::string_view text);
    NetAddress m_network;             // the address with the host bits cleared
    std::array<uint8_t, 16> m_mask{}; // the first 4 (IPv4) or 16 (IPv6) bytes are used
    bool m_valid{false};
};

/**
 * Parses "addr", "addr/prefix" or "addr/netmask" (Core's LookupSubNet without DNS). The
 * address's host bits are cleared. nullopt when malformed, or the prefix is out of range.
 */
std::optional<SubNet> ParseSubNet(std::string_view text);

} // namespace net
