// Network addresses and their encodings (net_address.h). Written from BIP-155 and Core's
// documented behaviour (netaddress.h): which ids are skipped, which prefixes are special.
#include "net/net_address.h"

#include <arpa/inet.h>
#include <openssl/evp.h>

#include <algorithm>
#include <charconv>
#include <stdexcept>

namespace net {

namespace {

/** ::ffff:0:0/96, the IPv4-mapped IPv6 prefix of the legacy encoding. */
constexpr std::array<uint8_t, 12> IPV4_IN_IPV6_PREFIX{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
/** fd87:d87e:eb43::/48, where legacy (pre-BIP-155) nodes put Tor v2 addresses. */
constexpr std::array<uint8_t, 6> TORV2_IN_IPV6_PREFIX{0xfd, 0x87, 0xd8, 0x7e, 0xeb, 0x43};

template <size_t N>
bool HasPrefix(const std::vector<uint8_t>& addr, const std::array<uint8_t, N>& prefix)
{
    return addr.size() >= N && std::equal(prefix.begin(), prefix.end(), addr.begin());
}

size_t NetSize(Network net)
{
    switch (net) {
    case Network::IPV4: return ADDR_IPV4_SIZE;
    case Network::IPV6: return ADDR_IPV6_SIZE;
    case Network::ONION: return ADDR_TORV3_SIZE;
    case Network::I2P: return ADDR_I2P_SIZE;
    case Network::CJDNS: return ADDR_CJDNS_SIZE;
    case Network::UNROUTABLE: break;
    }
    return 0;
}

/** RFC 4648 base32, lower case, no padding (Tor and I2P names). */
std::string Base32(std::span<const uint8_t> data)
{
    static constexpr char ALPHABET[] = "abcdefghijklmnopqrstuvwxyz234567";
    std::string out;
    uint32_t acc = 0;
    int bits = 0;
    for (const uint8_t b : data) {
        acc = (acc << 8 | b) & 0xfff;
        bits += 8;
        while (bits >= 5) {
            bits -= 5;
            out += ALPHABET[(acc >> bits) & 31];
        }
    }
    if (bits > 0) out += ALPHABET[(acc << (5 - bits)) & 31];
    return out;
}

/** RFC 5952 text of 16 bytes: lower-case groups, the first longest run of 2+ zero groups as "::". */
std::string IPv6Text(std::span<const uint8_t> a)
{
    uint16_t g[8];
    for (int i = 0; i < 8; ++i) g[i] = static_cast<uint16_t>(a[2 * i] << 8 | a[2 * i + 1]);
    int best = -1, best_len = 1;
    for (int i = 0; i < 8;) {
        int j = i;
        while (j < 8 && g[j] == 0) ++j;
        if (j - i > best_len) {
            best = i;
            best_len = j - i;
        }
        i = j == i ? i + 1 : j;
    }
    std::string out;
    char buf[8];
    for (int i = 0; i < 8; ++i) {
        if (i == best) {
            out += "::";
            i += best_len - 1;
            continue;
        }
        if (!out.empty() && out.back() != ':') out += ':';
        const auto res = std::to_chars(buf, buf + sizeof(buf), g[i], 16);
        out.append(buf, res.ptr);
    }
    return out;
}

/** Tor v3 name: base32(pubkey || checksum[2] || version 3) ".onion", checksum = SHA3-256(".onion checksum" || pubkey || 3). */
std::string OnionText(std::span<const uint8_t> pubkey)
{
    static constexpr std::string_view PREFIX = ".onion checksum";
    const uint8_t version = 3;
    uint8_t digest[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    const bool ok = ctx && EVP_DigestInit_ex(ctx, EVP_sha3_256(), nullptr) == 1 &&
                    EVP_DigestUpdate(ctx, PREFIX.data(), PREFIX.size()) == 1 &&
                    EVP_DigestUpdate(ctx, pubkey.data(), pubkey.size()) == 1 &&
                    EVP_DigestUpdate(ctx, &version, 1) == 1 && EVP_DigestFinal_ex(ctx, digest, &len) == 1;
    EVP_MD_CTX_free(ctx);
    if (!ok) throw std::runtime_error("SHA3-256 unavailable");
    std::vector<uint8_t> all(pubkey.begin(), pubkey.end());
    all.push_back(digest[0]);
    all.push_back(digest[1]);
    all.push_back(version);
    return Base32(all) + ".onion";
}

} // namespace

NetAddress::NetAddress() : m_net(Network::IPV6), m_addr(ADDR_IPV6_SIZE, 0) {}

NetAddress NetAddress::FromIPv4(std::array<uint8_t, 4> bytes)
{
    NetAddress a;
    a.m_net = Network::IPV4;
    a.m_addr.assign(bytes.begin(), bytes.end());
    return a;
}

NetAddress NetAddress::FromIPv6(std::array<uint8_t, 16> bytes)
{
    NetAddress a;
    a.m_addr.assign(bytes.begin(), bytes.end());
    if (HasPrefix(a.m_addr, IPV4_IN_IPV6_PREFIX)) {
        a.m_net = Network::IPV4;
        a.m_addr.erase(a.m_addr.begin(), a.m_addr.begin() + IPV4_IN_IPV6_PREFIX.size());
    }
    return a;
}

std::optional<NetAddress> NetAddress::FromBytes(Network net, std::vector<uint8_t> bytes)
{
    if (net == Network::UNROUTABLE || bytes.size() != NetSize(net)) return std::nullopt;
    NetAddress a;
    a.m_net = net;
    a.m_addr = std::move(bytes);
    return a;
}

Bip155Net NetAddress::GetBip155Net() const
{
    switch (m_net) {
    case Network::IPV4: return Bip155Net::IPV4;
    case Network::ONION: return Bip155Net::TORV3;
    case Network::I2P: return Bip155Net::I2P;
    case Network::CJDNS: return Bip155Net::CJDNS;
    case Network::IPV6:
    case Network::UNROUTABLE: break;
    }
    return Bip155Net::IPV6;
}

bool NetAddress::IsValid() const
{
    const auto& a = m_addr;
    if (IsIPv4()) {
        const bool any = std::all_of(a.begin(), a.end(), [](uint8_t b) { return b == 0; });
        const bool none = std::all_of(a.begin(), a.end(), [](uint8_t b) { return b == 0xff; });
        return !any && !none;
    }
    if (IsIPv6()) {
        if (std::all_of(a.begin(), a.end(), [](uint8_t b) { return b == 0; })) return false;
        return !(a[0] == 0x20 && a[1] == 0x01 && a[2] == 0x0d && a[3] == 0xb8); // RFC 3849
    }
    return true;
}

bool NetAddress::IsLocal() const
{
    if (IsIPv4()) return m_addr[0] == 127 || m_addr[0] == 0;
    if (IsIPv6()) {
        return std::all_of(m_addr.begin(), m_addr.end() - 1, [](uint8_t b) { return b == 0; }) && m_addr[15] == 1;
    }
    return false;
}

bool NetAddress::IsRoutable() const
{
    if (!IsValid() || IsLocal()) return false;
    const auto& a = m_addr;
    if (IsIPv4()) {
        if (a[0] == 10 || (a[0] == 192 && a[1] == 168) || (a[0] == 172 && a[1] >= 16 && a[1] <= 31))
            return false;                                            // 1918
        if (a[0] == 198 && (a[1] == 18 || a[1] == 19)) return false; // 2544
        if (a[0] == 169 && a[1] == 254) return false;                // 3927
        if (a[0] == 100 && (a[1] & 0xc0) == 64) return false;        // 6598
        if ((a[0] == 192 && a[1] == 0 && a[2] == 2) || (a[0] == 198 && a[1] == 51 && a[2] == 100) ||
            (a[0] == 203 && a[1] == 0 && a[2] == 113)) {
            return false; // RFC 5737
        }
        return true;
    }
    if (IsIPv6()) {
        if (a[0] == 0xfe && a[1] == 0x80 &&
            std::all_of(a.begin() + 2, a.begin() + 8, [](uint8_t b) { return b == 0; })) {
            return false; // RFC 4862 link-local fe80::/64
        }
        if ((a[0] & 0xfe) == 0xfc) return false; // RFC 4193 unique local fc00::/7
        if (a[0] == 0x20 && a[1] == 0x01 && a[2] == 0x00 && (a[3] & 0xf0) == 0x10) return false; // RFC 4843
        if (a[0] == 0x20 && a[1] == 0x01 && a[2] == 0x00 && (a[3] & 0xf0) == 0x20) return false; // RFC 7343
        return true;
    }
    return true;
}

std::vector<uint8_t> NetAddress::GetGroup() const
{
    if (!IsRoutable()) return {static_cast<uint8_t>(Network::UNROUTABLE)};
    std::vector<uint8_t> out{static_cast<uint8_t>(m_net)};
    int bits = 32;
    if (IsIPv4()) {
        bits = 16;
    } else if (IsTor() || IsI2P()) {
        bits = 4;
    } else if (IsCJDNS()) {
        bits = 12;
    } else if (m_addr[0] == 0x20 && m_addr[1] == 0x01 && m_addr[2] == 0x04 && m_addr[3] == 0x70) {
        bits = 36; // Hurricane Electric's tunnel broker hands out /48s from 2001:470::/32
    }
    const size_t whole = static_cast<size_t>(bits / 8);
    out.insert(out.end(), m_addr.begin(), m_addr.begin() + static_cast<std::ptrdiff_t>(whole));
    if (bits % 8 != 0) out.push_back(static_cast<uint8_t>(m_addr[whole] | ((1 << (8 - bits % 8)) - 1)));
    return out;
}

std::string NetAddress::ToString() const
{
    switch (m_net) {
    case Network::IPV4:
        return std::to_string(m_addr[0]) + '.' + std::to_string(m_addr[1]) + '.' + std::to_string(m_addr[2]) + '.' +
               std::to_string(m_addr[3]);
    case Network::IPV6:
    case Network::CJDNS: return IPv6Text(m_addr);
    case Network::ONION: return OnionText(m_addr);
    case Network::I2P: return Base32(m_addr) + ".b32.i2p";
    case Network::UNROUTABLE: break;
    }
    return "";
}

std::array<uint8_t, ADDR_V1_SIZE> NetAddress::ToV1() const
{
    std::array<uint8_t, ADDR_V1_SIZE> out{};
    if (IsIPv4()) {
        std::copy(IPV4_IN_IPV6_PREFIX.begin(), IPV4_IN_IPV6_PREFIX.end(), out.begin());
        std::copy(m_addr.begin(), m_addr.end(), out.begin() + IPV4_IN_IPV6_PREFIX.size());
    } else if (IsIPv6()) {
        std::copy(m_addr.begin(), m_addr.end(), out.begin());
    } else {
        throw std::logic_error("NetAddress::ToV1: not an IP address");
    }
    return out;
}

NetAddress NetAddress::FromV1(std::span<const uint8_t, ADDR_V1_SIZE> bytes)
{
    std::array<uint8_t, 16> a;
    std::copy(bytes.begin(), bytes.end(), a.begin());
    NetAddress out = FromIPv6(a);
    if (HasPrefix(out.m_addr, TORV2_IN_IPV6_PREFIX)) return NetAddress(); // Tor v2: obsolete, skipped
    return out;
}

NetAddress NetAddress::DeserializeV2(consensus::ByteReader& r)
{
    const uint8_t id = consensus::ReadLE8(r);
    const uint64_t size = consensus::ReadCompactSize(r);
    if (size > MAX_ADDRV2_SIZE) throw consensus::DecodeError("addrv2 address too long");
    Network net = Network::UNROUTABLE;
    switch (static_cast<Bip155Net>(id)) {
    case Bip155Net::IPV4: net = Network::IPV4; break;
    case Bip155Net::IPV6: net = Network::IPV6; break;
    case Bip155Net::TORV3: net = Network::ONION; break;
    case Bip155Net::I2P: net = Network::I2P; break;
    case Bip155Net::CJDNS: net = Network::CJDNS; break;
    case Bip155Net::TORV2: break; // obsolete since Core 22: skipped like an unknown id
    }
    if (net == Network::UNROUTABLE) {
        (void)r.ReadSpan(static_cast<size_t>(size));
        return NetAddress();
    }
    if (size != NetSize(net)) throw consensus::DecodeError("addrv2 address size does not match its network");
    const auto bytes = r.ReadSpan(static_cast<size_t>(size));
    NetAddress out;
    out.m_net = net;
    out.m_addr.assign(bytes.begin(), bytes.end());
    // IPv4 and Tor v2 are not to be embedded in IPv6 in addrv2: such entries are skipped.
    if (net == Network::IPV6 &&
        (HasPrefix(out.m_addr, IPV4_IN_IPV6_PREFIX) || HasPrefix(out.m_addr, TORV2_IN_IPV6_PREFIX))) {
        return NetAddress();
    }
    return out;
}

namespace {

uint16_t ReadPort(consensus::ByteReader& r)
{
    const auto p = r.ReadSpan(2);
    return static_cast<uint16_t>(p[0] << 8 | p[1]);
}

} // namespace

Service Service::DeserializeV1(consensus::ByteReader& r)
{
    const auto bytes = r.ReadSpan(ADDR_V1_SIZE);
    NetAddress addr = NetAddress::FromV1(std::span<const uint8_t, ADDR_V1_SIZE>(bytes.data(), ADDR_V1_SIZE));
    return Service(std::move(addr), ReadPort(r));
}

Service Service::DeserializeV2(consensus::ByteReader& r)
{
    NetAddress addr = NetAddress::DeserializeV2(r);
    return Service(std::move(addr), ReadPort(r));
}

std::string Service::ToString() const
{
    const std::string host = m_addr.ToString();
    if (m_addr.IsIPv6() || m_addr.IsCJDNS()) return '[' + host + "]:" + std::to_string(m_port);
    return host + ':' + std::to_string(m_port);
}

std::optional<NetAddress> ParseAddress(std::string_view text)
{
    if (text.size() >= 2 && text.front() == '[' && text.back() == ']') text = text.substr(1, text.size() - 2);
    if (text.empty() || text.size() > 45) return std::nullopt; // longest IPv6 text is 45 characters
    const std::string s(text);
    std::array<uint8_t, 4> v4;
    if (inet_pton(AF_INET, s.c_str(), v4.data()) == 1) return NetAddress::FromIPv4(v4);
    std::array<uint8_t, 16> v6;
    if (inet_pton(AF_INET6, s.c_str(), v6.data()) == 1) return NetAddress::FromIPv6(v6);
    return std::nullopt;
}

std::optional<Service> ParseService(std::string_view text, uint16_t default_port)
{
    std::string_view host = text;
    uint16_t port = default_port;
    const size_t colon = text.rfind(':');
    const bool bracketed = !text.empty() && text.front() == '[';
    // A port follows the last colon only if the host has no other colon (IPv4) or is bracketed.
    if (colon != std::string_view::npos &&
        (bracketed ? colon > 0 && text[colon - 1] == ']' : text.find(':') == colon)) {
        const std::string_view digits = text.substr(colon + 1);
        if (digits.empty() || digits.size() > 5) return std::nullopt;
        uint32_t p = 0;
        const auto res = std::from_chars(digits.data(), digits.data() + digits.size(), p);
        if (res.ec != std::errc() || res.ptr != digits.data() + digits.size() || p > 0xffff) return std::nullopt;
        port = static_cast<uint16_t>(p);
        host = text.substr(0, colon);
    }
    if (!host.empty() && host.front() == '[' && host.back() != ']') return std::nullopt;
    auto addr = ParseAddress(host);
    if (!addr) return std::nullopt;
    return Service(std::move(*addr), port);
}

} // namespace net
