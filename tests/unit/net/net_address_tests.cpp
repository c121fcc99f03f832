// Network addresses (net/net_address.h): text forms, the legacy 16-byte and BIP-155 encodings
// (bytes written by hand from BIP-155's table of network ids and sizes), the skipped networks,
// and the classification addrman will rely on.
#include "net/net_address.h"

#include "consensus/hex.h"

#include <catch2/catch.hpp>

namespace {

std::vector<uint8_t> Hex(std::string_view s)
{
    auto v = consensus::TryParseHex(s);
    REQUIRE(v);
    return *v;
}

net::NetAddress Addr(std::string_view text)
{
    auto a = net::ParseAddress(text);
    REQUIRE(a);
    return *a;
}

net::NetAddress DecodeV2(const std::vector<uint8_t>& bytes)
{
    consensus::ByteReader r(bytes);
    net::NetAddress a = net::NetAddress::DeserializeV2(r);
    CHECK(r.Empty());
    return a;
}

std::vector<uint8_t> EncodeV2(const net::NetAddress& a)
{
    std::vector<uint8_t> out;
    consensus::ByteWriter w(out);
    a.SerializeV2(w);
    return out;
}

// The Tor Project's own v3 onion service (torproject.org), as published; its checksum was
// checked against SHA3-256 outside this code. Bytes: the base32-decoded public key.
constexpr std::string_view TORPROJECT_ONION = "2gzyxa5ihm7nsggfxnu52rck2vv4rvmdlkiu3zzui5du4xyclen53wid.onion";
constexpr std::string_view TORPROJECT_PUBKEY = "d1b38b83a83b3ed918c5bb69dd444ad56bc8d5835a914de73447474e5f02591b";

} // namespace

TEST_CASE("Services parse and print as Core writes them", "[net]")
{
    auto s = net::ParseService("1.2.3.4:8333", 1);
    REQUIRE(s);
    CHECK(s->Address().IsIPv4());
    CHECK(s->Port() == 8333);
    CHECK(s->ToString() == "1.2.3.4:8333");

    s = net::ParseService("[::1]:18444", 1);
    REQUIRE(s);
    CHECK(s->Address().IsIPv6());
    CHECK(s->Address().IsLocal());
    CHECK(s->ToString() == "[::1]:18444");

    // Without a port: the default; a bare IPv6 address keeps all its colons.
    s = net::ParseService("::1", 8333);
    REQUIRE(s);
    CHECK(s->ToString() == "[::1]:8333");
    s = net::ParseService("10.0.0.1", 8333);
    REQUIRE(s);
    CHECK(s->ToString() == "10.0.0.1:8333");

    // RFC 5952: lower case, no leading zeros, the longest zero run (the first of equal ones) as ::.
    CHECK(Addr("2001:0DB8:0000:0000:0000:ff00:0042:8329").ToString() == "2001:db8::ff00:42:8329");
    CHECK(Addr("2001:db8:0:0:1:0:0:1").ToString() == "2001:db8::1:0:0:1");
    CHECK(Addr("2001:db8:0:1:1:1:1:1").ToString() == "2001:db8:0:1:1:1:1:1");
    CHECK(Addr("::").ToString() == "::");
    CHECK(Addr("fe80::").ToString() == "fe80::");
    // An IPv4-mapped IPv6 address is IPv4.
    CHECK(Addr("::ffff:1.2.3.4").IsIPv4());
    CHECK(Addr("::ffff:1.2.3.4").ToString() == "1.2.3.4");

    for (const char* bad : {"1.2.3.4:", "1.2.3.4:65536", "1.2.3.4:-1", "1.2.3.4:+1", "1.2.3.4:80x", "1.2.3",
                            "1.2.3.256", "localhost:8333", "[::1", "[::1]x", "[1.2.3.4:8333", "", ":8333", "::1::2"}) {
        INFO(bad);
        CHECK_FALSE(net::ParseService(bad, 8333));
    }
    CHECK(net::ParseService("1.2.3.4:65535", 1)->Port() == 65535);
}

TEST_CASE("Tor v3, I2P and CJDNS addresses print in their own forms", "[net]")
{
    auto tor = net::NetAddress::FromBytes(net::Network::ONION, Hex(TORPROJECT_PUBKEY));
    REQUIRE(tor);
    CHECK(tor->ToString() == TORPROJECT_ONION);
    // RFC 4648 base32 of 32 zero bytes is 52 'a's (no padding, as Core writes I2P names).
    auto i2p = net::NetAddress::FromBytes(net::Network::I2P, std::vector<uint8_t>(32, 0));
    REQUIRE(i2p);
    CHECK(i2p->ToString() == std::string(52, 'a') + ".b32.i2p");
    auto cjdns = net::NetAddress::FromBytes(net::Network::CJDNS, Hex("fc000000000000000000000000000001"));
    REQUIRE(cjdns);
    CHECK(cjdns->ToString() == "fc00::1");
    CHECK(net::Service(*cjdns, 8333).ToString() == "[fc00::1]:8333");
    // Wrong sizes are refused.
    CHECK_FALSE(net::NetAddress::FromBytes(net::Network::ONION, std::vector<uint8_t>(31, 1)));
    CHECK_FALSE(net::NetAddress::FromBytes(net::Network::IPV4, std::vector<uint8_t>(16, 1)));
}

TEST_CASE("The legacy encoding maps IPv4 into IPv6 and refuses other networks", "[net]")
{
    // 16 bytes: ten zeros, ffff, then the IPv4 address; the port follows big-endian.
    const net::Service s(Addr("10.0.0.1"), 8333);
    std::vector<uint8_t> out;
    consensus::ByteWriter w(out);
    s.SerializeV1(w);
    CHECK(consensus::HexStr(out) == "00000000000000000000ffff0a000001208d");
    consensus::ByteReader r(out);
    CHECK(net::Service::DeserializeV1(r) == s);

    const auto v6 = Hex("20010db8000000000000000000000001");
    const auto a6 = net::NetAddress::FromV1(std::span<const uint8_t, 16>(v6.data(), 16));
    CHECK(a6.IsIPv6());
    CHECK(a6.ToString() == "2001:db8::1");

    // Tor v2 inside IPv6 (fd87:d87e:eb43::/48) is obsolete: read as the invalid placeholder.
    const auto torv2 = Hex("fd87d87eeb430102030405060708090a");
    const auto skipped = net::NetAddress::FromV1(std::span<const uint8_t, 16>(torv2.data(), 16));
    CHECK_FALSE(skipped.IsValid());
    CHECK(skipped == net::NetAddress());

    auto tor = net::NetAddress::FromBytes(net::Network::ONION, Hex(TORPROJECT_PUBKEY));
    CHECK_FALSE(tor->IsAddrV1Compatible());
    CHECK_THROWS_AS(tor->ToV1(), std::logic_error);
}

TEST_CASE("BIP-155 encodings: each network with its id and size", "[net]")
{
    // network id, CompactSize length, the address bytes (BIP-155's table).
    CHECK(consensus::HexStr(EncodeV2(Addr("1.2.3.4"))) == "010401020304");
    CHECK(consensus::HexStr(EncodeV2(Addr("2001:db8::1"))) == "021020010db8000000000000000000000001");
    const auto tor_bytes = "0420" + std::string(TORPROJECT_PUBKEY);
    auto tor = net::NetAddress::FromBytes(net::Network::ONION, Hex(TORPROJECT_PUBKEY));
    CHECK(consensus::HexStr(EncodeV2(*tor)) == tor_bytes);
    CHECK(DecodeV2(Hex(tor_bytes)) == *tor);
    const auto i2p_bytes = "0520" + std::string(64, '7');
    CHECK(DecodeV2(Hex(i2p_bytes)).IsI2P());
    const auto cjdns = DecodeV2(Hex("0610fc000000000000000000000000000001"));
    CHECK(cjdns.IsCJDNS());
    CHECK(consensus::HexStr(EncodeV2(cjdns)) == "0610fc000000000000000000000000000001");
    CHECK(DecodeV2(Hex("010401020304")) == Addr("1.2.3.4"));
}

TEST_CASE("BIP-155 decoding refuses bad sizes and skips Tor v2 and unknown networks", "[net]")
{
    using Catch::Matchers::Contains;
    auto decode = [](std::string_view hex) {
        const auto bytes = Hex(hex);
        consensus::ByteReader r(bytes);
        return net::NetAddress::DeserializeV2(r);
    };
    SECTION("a known network with another size is an error")
    {
        CHECK_THROWS_WITH(decode("01050102030405"), Contains("does not match"));
        CHECK_THROWS_WITH(decode("0203010203"), Contains("does not match"));
        CHECK_THROWS_WITH(decode("0410" + std::string(32, '0')), Contains("does not match"));
        CHECK_THROWS_WITH(decode("0500"), Contains("does not match"));
        CHECK_THROWS_WITH(decode("0604fc000001"), Contains("does not match"));
    }
    SECTION("a length over 512 is refused before reading or allocating, whatever the network")
    {
        // 513 claimed, only 2 bytes present: the length check fires, not the truncation.
        CHECK_THROWS_WITH(decode("01fd01020102"), Contains("too long"));
        CHECK_THROWS_WITH(decode("42fd01020102"), Contains("too long"));
        CHECK_THROWS_WITH(decode("42fe00000001"), Contains("too long"));
        // 512 for an unknown network is fine (skipped), if the bytes are there.
        const auto ok = decode("42fd0002" + std::string(1024, 'a'));
        CHECK_FALSE(ok.IsValid());
    }
    SECTION("Tor v2 and unknown ids are skipped: the placeholder, and the reader moves past them")
    {
        const auto bytes = Hex("030a0102030405060708090a"
                               "4203aabbcc"
                               "010401020304");
        consensus::ByteReader r(bytes);
        CHECK(net::NetAddress::DeserializeV2(r) == net::NetAddress());
        CHECK(net::NetAddress::DeserializeV2(r) == net::NetAddress());
        CHECK(net::NetAddress::DeserializeV2(r) == Addr("1.2.3.4"));
        CHECK(r.Empty());
    }
    SECTION("IPv4 or Tor v2 embedded in an IPv6 entry is skipped")
    {
        CHECK(decode("021000000000000000000000ffff01020304") == net::NetAddress());
        CHECK(decode("0210fd87d87eeb430102030405060708090a") == net::NetAddress());
    }
    SECTION("truncated input is an error")
    {
        CHECK_THROWS_AS(decode("01"), consensus::DecodeError);
        CHECK_THROWS_AS(decode("0104010203"), consensus::DecodeError);
        CHECK_THROWS_AS(decode("4205aabb"), consensus::DecodeError);
    }
}

TEST_CASE("Local, routable and valid addresses as Core classifies them", "[net]")
{
    CHECK(Addr("127.0.0.1").IsLocal());
    CHECK(Addr("0.1.2.3").IsLocal());
    CHECK(Addr("::1").IsLocal());
    CHECK_FALSE(Addr("::2").IsLocal());
    CHECK_FALSE(Addr("8.8.8.8").IsLocal());

    for (const char* routable : {"8.8.8.8", "1.2.3.4", "2001:4860::8888", "100.128.0.1", "172.32.0.1", "2001:30::1"}) {
        INFO(routable);
        CHECK(Addr(routable).IsValid());
        CHECK(Addr(routable).IsRoutable());
    }
    for (const char* unroutable : {"127.0.0.1",       "10.1.2.3",     "192.168.1.1", "172.16.0.1", "172.31.255.255",
                                   "198.18.0.1",      "198.19.1.1",   "169.254.1.1", "100.64.0.1", "100.127.255.255",
                                   "192.0.2.1",       "198.51.100.1", "203.0.113.1", "fe80::1",    "fc00::1",
                                   "fd12::1",         "2001:10::1",   "2001:20::1",  "::1",        "0.0.0.0",
                                   "255.255.255.255", "::",           "2001:db8::1"}) {
        INFO(unroutable);
        CHECK_FALSE(Addr(unroutable).IsRoutable());
    }
    CHECK_FALSE(Addr("0.0.0.0").IsValid());
    CHECK_FALSE(Addr("255.255.255.255").IsValid());
    CHECK_FALSE(Addr("::").IsValid());
    CHECK_FALSE(Addr("2001:db8::1").IsValid());
    auto tor = net::NetAddress::FromBytes(net::Network::ONION, Hex(TORPROJECT_PUBKEY));
    CHECK(tor->IsRoutable());
}

TEST_CASE("Address groups: /16 for IPv4, /32 for IPv6, a few bits for Tor, I2P and CJDNS", "[net]")
{
    using V = std::vector<uint8_t>;
    CHECK(Addr("8.8.8.8").GetGroup() == V{1, 8, 8});
    CHECK(Addr("8.8.200.1").GetGroup() == Addr("8.8.8.8").GetGroup());
    CHECK(Addr("8.9.8.8").GetGroup() != Addr("8.8.8.8").GetGroup());
    CHECK(Addr("2001:4860:1234::1").GetGroup() == V{2, 0x20, 0x01, 0x48, 0x60});
    // Hurricane Electric's 2001:470::/32 is split further, to /36: the low 4 bits of byte 4 set.
    CHECK(Addr("2001:470:1234::1").GetGroup() == V{2, 0x20, 0x01, 0x04, 0x70, 0x1f});
    auto tor = net::NetAddress::FromBytes(net::Network::ONION, Hex(TORPROJECT_PUBKEY));
    CHECK(tor->GetGroup() == V{3, 0xdf});
    auto i2p = net::NetAddress::FromBytes(net::Network::I2P, V(32, 0x12));
    CHECK(i2p->GetGroup() == V{4, 0x1f});
    auto cjdns = net::NetAddress::FromBytes(net::Network::CJDNS, Hex("fc123000000000000000000000000001"));
    CHECK(cjdns->GetGroup() == V{5, 0xfc, 0x1f});
    // Every local or unroutable address is in one group.
    CHECK(Addr("127.0.0.1").GetGroup() == V{0});
    CHECK(Addr("10.0.0.1").GetGroup() == V{0});
    CHECK(Addr("fe80::1").GetGroup() == V{0});
}
