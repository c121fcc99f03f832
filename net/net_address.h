// Network addresses as peers exchange them: IPv4, IPv6, Tor v3, I2P and CJDNS (BIP-155), a
// Service (address + port), the legacy 16-byte encoding of `addr`/`version` and the BIP-155
// `addrv2` encoding. Plain values: copy freely, any thread.
#pragma once

#include "consensus/serialize.h"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace net {

/** The network of an address; the numbers are Core's (enum Network), used in address groups. */
enum class Network : uint8_t { UNROUTABLE = 0, IPV4 = 1, IPV6 = 2, ONION = 3, I2P = 4, CJDNS = 5 };

/** BIP-155 network ids as they appear in `addrv2`. TORV2 (3) is obsolete: read and skipped. */
enum class Bip155Net : uint8_t { IPV4 = 1, IPV6 = 2, TORV2 = 3, TORV3 = 4, I2P = 5, CJDNS = 6 };

/** Address sizes in bytes per network (BIP-155). */
inline constexpr size_t ADDR_IPV4_SIZE = 4;
inline constexpr size_t ADDR_IPV6_SIZE = 16;
inline constexpr size_t ADDR_TORV2_SIZE = 10;
inline constexpr size_t ADDR_TORV3_SIZE = 32;
inline constexpr size_t ADDR_I2P_SIZE = 32;
inline constexpr size_t ADDR_CJDNS_SIZE = 16;
/** Largest address an `addrv2` entry may claim (BIP-155); longer ones are a decode error. */
inline constexpr size_t MAX_ADDRV2_SIZE = 512;
/** Bytes of the legacy (v1) address encoding: an IPv6 address, IPv4 as ::ffff:a.b.c.d. */
inline constexpr size_t ADDR_V1_SIZE = 16;

/**
 * A network address without port. Default-constructed it is the IPv6 address :: which is not
 * valid; decoding gives that same placeholder for entries Core skips (Tor v2, unknown BIP-155
 * networks, Tor v2 inside IPv6), so a list keeps its length and the entry is never used.
 */
class NetAddress {
public:
    NetAddress();
    /** An IPv4 address from its 4 bytes in network order. */
    static NetAddress FromIPv4(std::array<uint8_t, 4> bytes);
    /** An IPv6 address from its 16 bytes; an IPv4-mapped one (::ffff:0:0/96) becomes IPv4. */
    static NetAddress FromIPv6(std::array<uint8_t, 16> bytes);
    /** An address of network net from its raw bytes; nullopt if the size is not net's. */
    static std::optional<NetAddress> FromBytes(Network net, std::vector<uint8_t> bytes);

    Network GetNetwork() const { return m_net; }
    /** The raw address bytes (4, 16 or 32 of them, by network). */
    const std::vector<uint8_t>& Bytes() const { return m_addr; }
    bool IsIPv4() const { return m_net == Network::IPV4; }
    bool IsIPv6() const { return m_net == Network::IPV6; }
    bool IsTor() const { return m_net == Network::ONION; }
    bool IsI2P() const { return m_net == Network::I2P; }
    bool IsCJDNS() const { return m_net == Network::CJDNS; }
    /** True if it fits the legacy 16-byte encoding (IPv4 and IPv6 only). */
    bool IsAddrV1Compatible() const { return IsIPv4() || IsIPv6(); }

    /** Not a placeholder: not ::, 0.0.0.0, 255.255.255.255 or IPv6 documentation space (2001:db8::/32), as Core. */
    bool IsValid() const;
    /** Loopback or "this network": 127.0.0.0/8, 0.0.0.0/8, ::1 (Core's IsLocal). */
    bool IsLocal() const;
    /**
     * Valid and reachable from the internet: not local and not in the private, link-local,
     * shared, benchmarking, documentation, ORCHID or unique-local ranges Core excludes
     * (RFC 1918, 2544, 3927, 4862, 6598, 5737, 4193, 4843, 7343).
     */
    bool IsRoutable() const;

    /**
     * The group addrman buckets by, so that one operator's addresses share buckets: a class
     * byte (Core's Network numbers, UNROUTABLE for local and unroutable ones, which form one
     * group each) then the prefix: /16 for IPv4, /32 for IPv6 (/36 in Hurricane Electric's
     * 2001:470::/32), 4 bits for Tor and I2P (their bytes are random), 12 bits for CJDNS
     * (after its constant fc byte). As Core's GetGroup without -asmap; the IPv4 tunnels
     * (6to4, Teredo) are grouped as plain IPv6 here.
     */
    std::vector<uint8_t> GetGroup() const;

    /** Dotted quad for IPv4, RFC 5952 text for IPv6 and CJDNS, <base32>.onion, <base32>.b32.i2p. */
    std::string ToString() const;

    /** The 16-byte legacy encoding; std::logic_error if !IsAddrV1Compatible(). */
    std::array<uint8_t, ADDR_V1_SIZE> ToV1() const;
    /** From the 16-byte legacy encoding (IPv4-mapped → IPv4, Tor v2 in IPv6 → placeholder). */
    static NetAddress FromV1(std::span<const uint8_t, ADDR_V1_SIZE> bytes);

    /** Appends the BIP-155 encoding: network id, CompactSize length, address. */
    template <typename W>
    void SerializeV2(W& w) const
    {
        consensus::WriteLE8(w, static_cast<uint8_t>(GetBip155Net()));
        consensus::WriteBytes(w, m_addr);
    }
    /**
     * Reads a BIP-155 address. A length above MAX_ADDRV2_SIZE, or a known network with a
     * length other than its own, is a DecodeError (checked before allocating). Tor v2 and
     * unknown network ids are skipped and give the placeholder, as Core.
     */
    static NetAddress DeserializeV2(consensus::ByteReader& r);

    /** The BIP-155 network id of this address. */
    Bip155Net GetBip155Net() const;

    auto operator<=>(const NetAddress&) const = default;

private:
    Network m_net;
    std::vector<uint8_t> m_addr;
};

/** An address and a TCP port. */
class Service {
public:
    Service() = default;
    Service(NetAddress addr, uint16_t port) : m_addr(std::move(addr)), m_port(port) {}

    const NetAddress& Address() const { return m_addr; }
    uint16_t Port() const { return m_port; }
    /** "1.2.3.4:8333" or "[::1]:8333" (brackets for IPv6 and CJDNS). */
    std::string ToString() const;

    /** Legacy encoding: the 16-byte address then the port big-endian (18 bytes); logic_error off IP. */
    template <typename W>
    void SerializeV1(W& w) const
    {
        w.Write(m_addr.ToV1());
        WritePort(w);
    }
    static Service DeserializeV1(consensus::ByteReader& r);
    /** BIP-155 encoding: the address as NetAddress::SerializeV2, then the port big-endian. */
    template <typename W>
    void SerializeV2(W& w) const
    {
        m_addr.SerializeV2(w);
        WritePort(w);
    }
    static Service DeserializeV2(consensus::ByteReader& r);

    auto operator<=>(const Service&) const = default;

private:
    template <typename W>
    void WritePort(W& w) const
    {
        const uint8_t p[2] = {static_cast<uint8_t>(m_port >> 8), static_cast<uint8_t>(m_port)};
        w.Write(p);
    }
    NetAddress m_addr;
    uint16_t m_port{0};
};

/** Parses an IPv4 ("1.2.3.4") or IPv6 ("::1", also "[::1]") address; nullopt otherwise. No DNS. */
std::optional<NetAddress> ParseAddress(std::string_view text);

/**
 * Parses "1.2.3.4:8333", "[::1]:8333", or an address alone (then default_port). nullopt on
 * anything else: a bad port (not 1-5 digits up to 65535), a bare IPv6 with a port, a name.
 */
std::optional<Service> ParseService(std::string_view text, uint16_t default_port);

} // namespace net
