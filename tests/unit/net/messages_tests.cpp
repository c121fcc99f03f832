// Message payloads (net/messages.h): published real messages where they exist, every
// fixed-layout message against hex written by hand from the documented field layout (noted
// at each), round trips of every type, and the malformed encodings a hostile peer can send.
#include "net/messages.h"

#include "consensus/hex.h"
#include "consensus/params.h"
#include "net/frame.h"

#include "net_test_util.h"

#include <catch2/catch.hpp>

namespace {

using net_test::DecodeAll;
using net_test::Encode;
using net_test::Hex;

template <typename T>
void RequireRoundTrip(const T& m)
{
    const auto bytes = Encode(m);
    CHECK(DecodeAll<T>(bytes) == m);
}

template <typename T>
void Decode(const std::vector<uint8_t>& bytes)
{
    consensus::ByteReader r(bytes);
    (void)T::Deserialize(r);
}

net::Service Svc(std::string_view text)
{
    auto s = net::ParseService(text, 8333);
    REQUIRE(s);
    return *s;
}

/** The mainnet genesis block header as published (its hash is checked where it is used). */
const char* GenesisHeaderHex()
{
    return "0100000000000000000000000000000000000000000000000000000000000000000000003ba3edfd7a7b12b27ac72c3e67768f61"
           "7fc81bc3888a51323a9fb8aa4b1e5e4a29ab5f49ffff001d1dac2b7c";
}

} // namespace

TEST_CASE("A published version message from a 0.7.2 node decodes field by field", "[net]")
{
    // The version message hexdump of the Bitcoin wiki's "Protocol documentation" page
    // (a Satoshi 0.7.2 node, protocol 60002): whole message, header included. Its checksum
    // 358d4932 is the payload's, so the bytes are as sent; no relay byte (before BIP-37).
    const auto message =
        Hex("f9beb4d976657273696f6e000000000064000000358d4932" // header: magic, "version", 100, checksum
            "62ea0000"
            "0100000000000000"
            "11b2d05000000000" // 60002, NODE_NETWORK, time
            "0100000000000000"
            "00000000000000000000ffff00000000"
            "0000" // addr_recv
            "0000000000000000"
            "00000000000000000000ffff00000000"
            "0000"                             // addr_from
            "3b2eb35d8ce61765"                 // nonce
            "0f2f5361746f7368693a302e372e322f" // "/Satoshi:0.7.2/"
            "c03e0300");                       // start height 212672
    REQUIRE(message.size() == 24 + 100);
    const std::vector<uint8_t> payload(message.begin() + 24, message.end());
    CHECK(net::FrameMessage(consensus::Params(consensus::ChainType::MAIN).message_start, net::msg_type::VERSION,
                            payload) == message);

    const auto v = DecodeAll<net::VersionMessage>(payload);
    CHECK(v.version == 60002);
    CHECK(v.services == net::NODE_NETWORK);
    CHECK(v.time == 1355854353); // 2012-12-18 18:12:33 UTC
    CHECK(v.addr_recv_services == net::NODE_NETWORK);
    CHECK(v.addr_recv.Address().IsIPv4());
    CHECK(v.addr_recv.ToString() == "0.0.0.0:0");
    CHECK(v.addr_from_services == 0);
    CHECK(v.addr_from.ToString() == "0.0.0.0:0");
    CHECK(v.nonce == 0x6517e68c5db32e3bULL);
    CHECK(v.user_agent == "/Satoshi:0.7.2/");
    CHECK(v.start_height == 212672);
    CHECK_FALSE(v.relay.has_value());
    CHECK(Encode(v) == payload);
}

TEST_CASE("A version message captured from btcd decodes field by field", "[net]")
{
    // The payload btcd v0.25.0 (an independent Go node; the shared tools' binary) sent when it
    // connected out to a loopback listener on regtest, captured byte for byte on 2026-12-04.
    const auto payload = Hex("801101004d040000000000000334126b00000000000000000000000000000000000000000000ffff7f000001"
                             "835f4d04000000000000000000000000000000000000000000000000d80a0fec42178c7a1b2f627463776972"
                             "653a302e352e302f627463643a302e32352e302f0000000001");
    const auto v = DecodeAll<net::VersionMessage>(payload);
    CHECK(v.version == 70016);
    CHECK(v.services == (net::NODE_NETWORK | net::NODE_BLOOM | net::NODE_WITNESS | net::NODE_COMPACT_FILTERS |
                         net::NODE_NETWORK_LIMITED));
    CHECK(v.time == 1796355075); // 2026-12-04 03:31 UTC
    CHECK(v.addr_recv_services == 0);
    CHECK(v.addr_recv.ToString() == "127.0.0.1:33631");
    CHECK(v.addr_from_services == v.services);
    CHECK(v.addr_from.ToString() == "[::]:0");
    CHECK(v.nonce == 0x7a8c1742ec0f0ad8ULL);
    CHECK(v.user_agent == "/btcwire:0.5.0/btcd:0.25.0/");
    CHECK(v.start_height == 0);
    CHECK(v.relay == true);
    CHECK(Encode(v) == payload);
}

TEST_CASE("A protocol 70016 version message matches the documented layout", "[net]")
{
    // Written by hand from the field layout (Core's version message, BIP-37 relay byte):
    const auto payload = Hex("80110100"         // version 70016
                             "0904000000000000" // NETWORK|WITNESS|NETWORK_LIMITED
                             "00e1f50500000000" // time 100000000
                             "0000000000000000" // addr_recv services
                             "00000000000000000000ffff7f000001"
                             "479d"             // 127.0.0.1:18333
                             "0904000000000000" // addr_from services
                             "00000000000000000000000000000000"
                             "0000"                               // [::]:0
                             "efbeadde00000000"                   // nonce 0xdeadbeef
                             "102f6d696e69636173683a302e312e302f" // 16, "/minicash:0.1.0/"
                             "d2040000"                           // start height 1234
                             "01");                               // relay
    net::VersionMessage v;
    v.version = 70016;
    v.services = net::NODE_NETWORK | net::NODE_WITNESS | net::NODE_NETWORK_LIMITED;
    v.time = 100000000;
    v.addr_recv = Svc("127.0.0.1:18333");
    v.addr_from_services = v.services;
    v.nonce = 0xdeadbeef;
    v.user_agent = "/minicash:0.1.0/";
    v.start_height = 1234;
    v.relay = true;
    CHECK(consensus::HexStr(Encode(v)) == consensus::HexStr(payload));
    CHECK(DecodeAll<net::VersionMessage>(payload) == v);

    SECTION("a relay byte other than 0 or 1 reads as true, as Core's bool")
    {
        auto p = payload;
        p.back() = 0x02;
        CHECK(DecodeAll<net::VersionMessage>(p).relay == true);
        p.back() = 0x00;
        CHECK(DecodeAll<net::VersionMessage>(p).relay == false);
    }
    SECTION("bytes after the relay flag are ignored, as Core ignores them")
    {
        auto p = payload;
        p.push_back(0x55);
        consensus::ByteReader r(p);
        CHECK(net::VersionMessage::Deserialize(r) == v);
        CHECK(r.Remaining() == 1);
    }
    SECTION("every truncation before the relay flag is an error")
    {
        for (size_t n = 0; n + 1 < payload.size(); ++n) {
            INFO(n);
            CHECK_THROWS_AS(Decode<net::VersionMessage>({payload.begin(), payload.begin() + static_cast<long>(n)}),
                            consensus::DecodeError);
        }
    }
}

TEST_CASE("A user agent longer than 256 bytes is refused before it is read", "[net]")
{
    net::VersionMessage v;
    v.user_agent = std::string(256, 'x');
    RequireRoundTrip(v);
    v.user_agent.push_back('x');
    CHECK_THROWS_AS(Decode<net::VersionMessage>(Encode(v)), net::LimitError);
    // A claimed length far beyond the payload: the limit, not the truncation, refuses it.
    auto bytes = Encode(net::VersionMessage{});
    const size_t ua_at = 4 + 8 + 8 + 26 + 26 + 8;
    bytes.resize(ua_at);
    for (uint8_t b : Hex("fe00000001")) bytes.push_back(b); // 16,777,216
    CHECK_THROWS_AS(Decode<net::VersionMessage>(bytes), net::LimitError);
}

TEST_CASE("Fixed-layout messages match hand-written bytes of their documented fields", "[net]")
{
    // ping/pong: the nonce as 8 little-endian bytes.
    CHECK(DecodeAll<net::PingMessage>(Hex("0102030405060708")).nonce == 0x0807060504030201ULL);
    CHECK(consensus::HexStr(Encode(net::PingMessage{0x1122334455667788ULL})) == "8877665544332211");
    CHECK_THROWS_AS(Decode<net::PingMessage>(Hex("01020304050607")), consensus::DecodeError);

    // sendcmpct: announce byte, version LE64 (Core sends 00 + version 2 first).
    const auto sc = DecodeAll<net::SendCmpctMessage>(Hex("000200000000000000"));
    CHECK_FALSE(sc.announce);
    CHECK(sc.version == 2);
    CHECK(consensus::HexStr(Encode(net::SendCmpctMessage{true, 2})) == "010200000000000000");
    CHECK_THROWS_AS(Decode<net::SendCmpctMessage>(Hex("0102000000000000")), consensus::DecodeError);

    // feefilter: int64 LE, satoshis per 1000 vbytes.
    CHECK(DecodeAll<net::FeeFilterMessage>(Hex("e803000000000000")).fee_rate == consensus::Amount(1000));
    CHECK(DecodeAll<net::FeeFilterMessage>(Hex("ffffffffffffffff")).fee_rate == consensus::Amount(-1));

    // inv: count, then type LE32 + hash (internal byte order) per entry.
    const auto inv = DecodeAll<net::InvMessage>(Hex("02"
                                                    "02000040" +
                                                    std::string(64, '1') +               // MSG_WITNESS_BLOCK
                                                    "05000000" + std::string(64, '2'))); // MSG_WTX
    REQUIRE(inv.items.size() == 2);
    CHECK(inv.items[0].type == net::MSG_WITNESS_BLOCK);
    CHECK(inv.items[0].hash.data()[0] == 0x11);
    CHECK(inv.items[1].type == net::MSG_WTX);

    // getheaders: version LE32, locator count and hashes, hash_stop.
    const auto gh = DecodeAll<net::GetHeadersMessage>(Hex("80110100"
                                                          "01" +
                                                          std::string(64, 'a') + std::string(64, '0')));
    CHECK(gh.version == 70016);
    REQUIRE(gh.locator.size() == 1);
    CHECK(gh.locator[0].data()[31] == 0xaa);
    CHECK(gh.hash_stop.IsNull());

    // Empty messages read nothing; a payload after them is ignored (Core never checks).
    consensus::ByteReader r(Hex("00"));
    (void)net::EmptyMessage::Deserialize(r);
    CHECK(r.Remaining() == 1);
    CHECK(Encode(net::EmptyMessage{}).empty());
}

TEST_CASE("A headers message carries the genesis header and an ignored transaction count", "[net]")
{
    // One header (mainnet genesis, bytes as published) followed by its transaction count.
    const auto bytes = Hex(std::string("01") + GenesisHeaderHex() + "00");
    const auto h = DecodeAll<net::HeadersMessage>(bytes);
    REQUIRE(h.headers.size() == 1);
    CHECK(h.headers[0].GetHash().GetHex() == "000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f");
    CHECK(Encode(h) == bytes);
    // Core reads the count and ignores it: a non-zero count decodes to the same header.
    auto with_count = bytes;
    with_count.back() = 0x01;
    CHECK(DecodeAll<net::HeadersMessage>(with_count) == h);
    // A missing count is a truncation.
    CHECK_THROWS_AS(Decode<net::HeadersMessage>({bytes.begin(), bytes.end() - 1}), consensus::DecodeError);
}

TEST_CASE("A published addr message decodes to its one entry", "[net]")
{
    // The addr payload of the Bitcoin wiki's "Protocol documentation" hexdump: one entry,
    // time 0x4d1015e2 (2010-12-21), NODE_NETWORK, 10.0.0.1:8333.
    const auto bytes = Hex("01e215104d010000000000000000000000000000000000ffff0a000001208d");
    const auto m = [&] {
        consensus::ByteReader r(bytes);
        auto out = net::AddrMessage::DeserializeV1(r);
        CHECK(r.Empty());
        return out;
    }();
    REQUIRE(m.entries.size() == 1);
    CHECK(m.entries[0].time == 0x4d1015e2);
    CHECK(m.entries[0].services == net::NODE_NETWORK);
    CHECK(m.entries[0].service.ToString() == "10.0.0.1:8333");
    std::vector<uint8_t> out;
    consensus::ByteWriter w(out);
    m.SerializeV1(w);
    CHECK(out == bytes);
}

TEST_CASE("addrv2 entries of every network, with skipped ones keeping their place", "[net]")
{
    // Hand-written from BIP-155: time LE32, services CompactSize, network id, length, address, port BE.
    const auto bytes = Hex("05"
                           "01000000"
                           "09"
                           "01"
                           "04"
                           "01020304"
                           "208d" // 1.2.3.4:8333
                           "02000000"
                           "fd0904"
                           "02"
                           "10"
                           "20014860000000000000000000008888"
                           "208d" // services 0x409
                           "03000000"
                           "00"
                           "04"
                           "20" +
                           std::string(64, 'a') +
                           "0050" // Tor v3, port 80
                           "04000000"
                           "00"
                           "03"
                           "0a"
                           "0102030405060708090a"
                           "208d" // Tor v2: skipped
                           "05000000"
                           "00"
                           "2a"
                           "02"
                           "abcd"
                           "208d"); // unknown id 42
    consensus::ByteReader r(bytes);
    const auto m = net::AddrMessage::DeserializeV2(r);
    CHECK(r.Empty());
    REQUIRE(m.entries.size() == 5);
    CHECK(m.entries[0].service.ToString() == "1.2.3.4:8333");
    CHECK(m.entries[0].services == 9);
    CHECK(m.entries[1].services == 0x409);
    CHECK(m.entries[1].service.ToString() == "[2001:4860::8888]:8333");
    CHECK(m.entries[2].service.Address().IsTor());
    CHECK(m.entries[2].service.Port() == 80);
    CHECK(m.entries[3].time == 4);
    CHECK_FALSE(m.entries[3].service.Address().IsValid());
    CHECK_FALSE(m.entries[4].service.Address().IsValid());

    // The entries that were not skipped re-encode to their bytes.
    net::AddrMessage first3{{m.entries[0], m.entries[1], m.entries[2]}};
    std::vector<uint8_t> out;
    consensus::ByteWriter w(out);
    first3.SerializeV2(w);
    CHECK(consensus::HexStr(out) == "03" + consensus::HexStr(std::span(bytes).subspan(1, out.size() - 1)));
    // A Tor address cannot go in a legacy addr message.
    std::vector<uint8_t> v1;
    consensus::ByteWriter w1(v1);
    CHECK_THROWS_AS(first3.SerializeV1(w1), std::logic_error);
}

TEST_CASE("Counts over the protocol limits are refused before anything is read", "[net]")
{
    // Each payload claims limit + 1 entries but holds none: the LimitError (not a truncation)
    // shows the count was checked before reading or allocating.
    auto count = [](uint64_t n) {
        std::vector<uint8_t> out;
        consensus::ByteWriter w(out);
        consensus::WriteCompactSize(w, n);
        return out;
    };
    auto with_prefix = [](std::string_view prefix, std::vector<uint8_t> rest) {
        auto out = Hex(prefix);
        out.insert(out.end(), rest.begin(), rest.end());
        return out;
    };
    CHECK_THROWS_AS(Decode<net::InvMessage>(count(net::MAX_INV_SZ + 1)), net::LimitError);
    CHECK_THROWS_AS(Decode<net::InvMessage>(count(0x02000000)), net::LimitError);
    CHECK_THROWS_AS(Decode<net::GetHeadersMessage>(with_prefix("80110100", count(net::MAX_LOCATOR_SZ + 1))),
                    net::LimitError);
    CHECK_THROWS_AS(Decode<net::HeadersMessage>(count(net::MAX_HEADERS_RESULTS + 1)), net::LimitError);
    auto addr_v1 = [](const std::vector<uint8_t>& b) {
        consensus::ByteReader r(b);
        (void)net::AddrMessage::DeserializeV1(r);
    };
    auto addr_v2 = [](const std::vector<uint8_t>& b) {
        consensus::ByteReader r(b);
        (void)net::AddrMessage::DeserializeV2(r);
    };
    CHECK_THROWS_AS(addr_v1(count(net::MAX_ADDR_TO_SEND + 1)), net::LimitError);
    CHECK_THROWS_AS(addr_v2(count(net::MAX_ADDR_TO_SEND + 1)), net::LimitError);

    // At the limit with the entries missing, it is a plain truncation (not a LimitError).
    auto truncated = [](auto fn) {
        try {
            fn();
        } catch (const net::LimitError&) {
            return false;
        } catch (const consensus::DecodeError&) {
            return true;
        }
        return false;
    };
    CHECK(truncated([&] { Decode<net::InvMessage>(count(net::MAX_INV_SZ)); }));
    CHECK(truncated([&] { Decode<net::HeadersMessage>(count(net::MAX_HEADERS_RESULTS)); }));
    CHECK(truncated([&] { addr_v1(count(net::MAX_ADDR_TO_SEND)); }));
    CHECK(truncated([&] { addr_v2(count(net::MAX_ADDR_TO_SEND)); }));
    CHECK(truncated([&] { Decode<net::GetHeadersMessage>(with_prefix("80110100", count(net::MAX_LOCATOR_SZ))); }));

    // Exactly at the limit, with the entries, decodes.
    net::InvMessage full;
    full.items.resize(net::MAX_INV_SZ, net::Inv{net::MSG_TX, {}});
    RequireRoundTrip(full);
    net::GetHeadersMessage loc;
    loc.locator.resize(net::MAX_LOCATOR_SZ);
    RequireRoundTrip(loc);
}

TEST_CASE("Every message type survives a round trip", "[net]")
{
    net::VersionMessage v;
    v.version = 70016;
    v.services = net::NODE_NETWORK | net::NODE_WITNESS;
    v.time = -5; // any int64 is carried; Core clamps a negative time when it handles it
    v.addr_recv = Svc("[2001:4860::1]:8333");
    v.addr_from = Svc("1.2.3.4:1");
    v.user_agent = std::string("/with\0nul/", 10);
    v.start_height = -1;
    RequireRoundTrip(v);
    v.relay = false;
    RequireRoundTrip(v);

    RequireRoundTrip(net::EmptyMessage{});
    RequireRoundTrip(net::PingMessage{~uint64_t{0}});
    RequireRoundTrip(net::SendCmpctMessage{true, 1});
    RequireRoundTrip(net::FeeFilterMessage{consensus::Amount(-7)});

    net::InvMessage inv;
    RequireRoundTrip(inv);
    for (uint32_t t : {1u, 2u, 3u, 4u, 5u, 0x40000001u, 0x40000002u, 0u, 0xffffffffu}) {
        consensus::Uint256 h;
        h.data()[0] = static_cast<uint8_t>(t);
        inv.items.push_back({t, h});
    }
    RequireRoundTrip(inv);

    net::GetHeadersMessage gh;
    gh.version = 70016;
    gh.locator = {consensus::Params(consensus::ChainType::MAIN).genesis.GetHash(), consensus::Uint256::ONE};
    gh.hash_stop = consensus::Uint256::ONE;
    RequireRoundTrip(gh);

    net::HeadersMessage hm;
    hm.headers.push_back(DecodeAll<net::HeadersMessage>(Hex(std::string("01") + GenesisHeaderHex() + "00")).headers[0]);
    hm.headers.push_back(hm.headers[0]);
    hm.headers[1].nonce = 7;
    RequireRoundTrip(hm);

    net::AddrMessage am;
    am.entries.push_back({1, 1, Svc("1.2.3.4:8333")});
    am.entries.push_back({2, 0x409, Svc("[2001:4860::1]:18333")});
    std::vector<uint8_t> v1, v2;
    consensus::ByteWriter w1(v1), w2(v2);
    am.SerializeV1(w1);
    am.SerializeV2(w2);
    consensus::ByteReader r1(v1), r2(v2);
    CHECK(net::AddrMessage::DeserializeV1(r1) == am);
    CHECK(net::AddrMessage::DeserializeV2(r2) == am);
    CHECK((r1.Empty() && r2.Empty()));
    CHECK(v1.size() == 1 + 2 * 30);
}

TEST_CASE("Every message type name is a command the frame accepts", "[net]")
{
    namespace t = net::msg_type;
    for (std::string_view name :
         {t::VERSION,    t::VERACK,       t::ADDR,        t::ADDRV2,      t::SENDADDRV2, t::INV,
          t::GETDATA,    t::MERKLEBLOCK,  t::GETBLOCKS,   t::GETHEADERS,  t::TX,         t::HEADERS,
          t::BLOCK,      t::GETADDR,      t::MEMPOOL,     t::PING,        t::PONG,       t::NOTFOUND,
          t::FILTERLOAD, t::FILTERADD,    t::FILTERCLEAR, t::SENDHEADERS, t::FEEFILTER,  t::SENDCMPCT,
          t::CMPCTBLOCK, t::GETBLOCKTXN,  t::BLOCKTXN,    t::GETCFILTERS, t::CFILTER,    t::GETCFHEADERS,
          t::CFHEADERS,  t::GETCFCHECKPT, t::CFCHECKPT,   t::WTXIDRELAY,  t::SENDTXRCNCL}) {
        INFO(name);
        CHECK(net::IsValidCommand(name));
        CHECK(std::all_of(name.begin(), name.end(),
                          [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }));
    }
}
