// Subnets of IP addresses (subnet.h).
#include "net/subnet.h"

#include <algorithm>
#include <charconv>

namespace net {

namespace {

size_t AddrSize(const NetAddress& a) { return a.Bytes().size(); }

/** The prefix length of mask if it is one (ones then zeros), else -1. */
int PrefixLength(const std::array<uint8_t, 16>& mask, size_t size)
{
    int bits = 0;
    size_t i = 0;
    for (; i < size && mask[i] == 0xff; ++i) bits += 8;
    if (i < size) {
        uint8_t m = mask[i];
        while (m & 0x80) {
            ++bits;
            m = static_cast<uint8_t>(m << 1);
        }
        if (m != 0) return -1;
        for (++i; i < size; ++i)
            if (mask[i] != 0) return -1;
    }
    return bits;
}

NetAddress Masked(const NetAddress& addr, const std::array<uint8_t, 16>& mask)
{
    std::vector<uint8_t> bytes = addr.Bytes();
    for (size_t i = 0; i < bytes.size() && i < mask.size(); ++i) bytes[i] &= mask[i];
    return *NetAddress::FromBytes(addr.GetNetwork(), std::move(bytes));
}

} // namespace

SubNet::SubNet(const NetAddress& addr) : m_network(addr), m_valid(addr.IsValid())
{
    std::fill(m_mask.begin(), m_mask.begin() + static_cast<long>(std::min<size_t>(AddrSize(addr), 16)), 0xff);
}

bool SubNet::Match(const NetAddress& addr) const
{
    if (!m_valid || !addr.IsValid() || addr.GetNetwork() != m_network.GetNetwork()) return false;
    if (!(m_network.IsIPv4() || m_network.IsIPv6())) return addr == m_network;
    const auto& a = addr.Bytes();
    const auto& n = m_network.Bytes();
    for (size_t i = 0; i < a.size(); ++i)
        if ((a[i] & m_mask[i]) != n[i]) return false;
    return true;
}

std::string SubNet::ToString() const
{
    std::string out = m_network.ToString();
    if (!(m_network.IsIPv4() || m_network.IsIPv6())) return out;
    const size_t size = AddrSize(m_network);
    const int prefix = PrefixLength(m_mask, size);
    if (prefix >= 0) return out + "/" + std::to_string(prefix);
    std::array<uint8_t, 16> mask16{};
    std::copy(m_mask.begin(), m_mask.begin() + static_cast<long>(size), mask16.begin());
    if (size == 4) {
        return out + "/" + NetAddress::FromIPv4({m_mask[0], m_mask[1], m_mask[2], m_mask[3]}).ToString();
    }
    return out + "/" + NetAddress::FromIPv6(mask16).ToString();
}

std::optional<SubNet> ParseSubNet(std::string_view text)
{
    const size_t slash = text.find('/');
    const auto addr = ParseAddress(text.substr(0, slash));
    if (!addr || !(addr->IsIPv4() || addr->IsIPv6())) return std::nullopt;
    SubNet s(*addr);
    // A single address must be a valid one; with a mask any address is (Core: "0.0.0.0/0").
    if (slash == std::string_view::npos) return s.m_valid ? std::optional<SubNet>(s) : std::nullopt;
    s.m_valid = true;
    const std::string_view rest = text.substr(slash + 1);
    const size_t size = AddrSize(*addr);
    if (!rest.empty() && std::all_of(rest.begin(), rest.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        int prefix = -1;
        const auto [p, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), prefix);
        if (ec != std::errc{} || p != rest.data() + rest.size() || rest.size() > 3) return std::nullopt;
        if (prefix < 0 || prefix > static_cast<int>(size * 8)) return std::nullopt;
        s.m_mask.fill(0);
        for (int i = 0; i < prefix; ++i) s.m_mask[static_cast<size_t>(i / 8)] |= static_cast<uint8_t>(0x80 >> (i % 8));
    } else {
        // A netmask of the same network ("255.255.255.0"); Core accepts any mask, not only prefixes.
        const auto mask = ParseAddress(rest);
        if (!mask || mask->GetNetwork() != addr->GetNetwork()) return std::nullopt;
        s.m_mask.fill(0);
        std::copy(mask->Bytes().begin(), mask->Bytes().end(), s.m_mask.begin());
    }
    s.m_network = Masked(*addr, s.m_mask);
    return s;
}

} // namespace net
