// Message framing (net/frame.h) against real bytes: a mainnet verack as every node sends it,
// and headers a peer could send that Core refuses.
#include "net/frame.h"

#include "consensus/hex.h"
#include "consensus/params.h"

#include "net_test_util.h"

#include <catch2/catch.hpp>

namespace {

using net_test::Hex;

const net::MessageStart& MainMagic() { return consensus::Params(consensus::ChainType::MAIN).message_start; }

net::HeaderError Decode(const std::vector<uint8_t>& bytes, net::MessageHeader& out)
{
    REQUIRE(bytes.size() >= net::MESSAGE_HEADER_SIZE);
    return net::DecodeHeader(std::span<const uint8_t, net::MESSAGE_HEADER_SIZE>(bytes.data(), net::MESSAGE_HEADER_SIZE),
                             MainMagic(), out);
}

} // namespace

TEST_CASE("A verack frames as the 24 bytes mainnet nodes send", "[net]")
{
    // Magic f9beb4d9, "verack" NUL-padded to 12 bytes, length 0, checksum of the empty
    // payload 5df6e0e2 (first 4 bytes of SHA256d("")), as captured from any mainnet node.
    const auto expected = Hex("f9beb4d976657261636b000000000000000000005df6e0e2");
    CHECK(net::FrameMessage(MainMagic(), "verack", {}) == expected);
    net::MessageHeader h;
    REQUIRE(Decode(expected, h) == net::HeaderError::NONE);
    CHECK(h.command == "verack");
    CHECK(h.length == 0);
    CHECK(h.checksum == net::PayloadChecksum({}));
}

TEST_CASE("A framed payload decodes to its command, length and checksum", "[net]")
{
    const std::vector<uint8_t> payload{0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08};
    const auto framed = net::FrameMessage(MainMagic(), "ping", payload);
    REQUIRE(framed.size() == net::MESSAGE_HEADER_SIZE + payload.size());
    net::MessageHeader h;
    REQUIRE(Decode(framed, h) == net::HeaderError::NONE);
    CHECK(h.command == "ping");
    CHECK(h.length == payload.size());
    CHECK(h.checksum == net::PayloadChecksum(payload));
    CHECK(std::equal(payload.begin(), payload.end(), framed.begin() + net::MESSAGE_HEADER_SIZE));
}

TEST_CASE("Headers Core refuses are refused with Core's reason", "[net]")
{
    net::MessageHeader h;
    SECTION("another network's magic ends the connection")
    {
        const auto testnet =
            net::FrameMessage(consensus::Params(consensus::ChainType::TESTNET).message_start, "ping", {});
        CHECK(Decode(testnet, h) == net::HeaderError::WRONG_MAGIC);
    }
    SECTION("a length above 4,000,000 bytes ends the connection, whatever the command")
    {
        auto bytes = net::FrameMessage(MainMagic(), "block", {});
        const uint32_t len = net::MAX_PROTOCOL_MESSAGE_LENGTH + 1;
        for (int i = 0; i < 4; ++i) bytes[16 + i] = static_cast<uint8_t>(len >> (8 * i));
        CHECK(Decode(bytes, h) == net::HeaderError::OVERSIZED);
        bytes[4] = 0x01; // and with a malformed command too: the length decides
        CHECK(Decode(bytes, h) == net::HeaderError::OVERSIZED);
        // Exactly the limit is allowed.
        for (int i = 0; i < 4; ++i) bytes[16 + i] = static_cast<uint8_t>(net::MAX_PROTOCOL_MESSAGE_LENGTH >> (8 * i));
        bytes[4] = 'b';
        CHECK(Decode(bytes, h) == net::HeaderError::NONE);
    }
    SECTION("a command with bytes after its NUL, a control character or no characters is malformed")
    {
        auto bytes = net::FrameMessage(MainMagic(), "verack", {});
        bytes[4 + 7] = 'x'; // "verack\0x..."
        CHECK(Decode(bytes, h) == net::HeaderError::BAD_COMMAND);
        CHECK(h.length == 0); // still known, so the payload can be skipped
        bytes = net::FrameMessage(MainMagic(), "verack", {});
        bytes[4] = 0x07;
        CHECK(Decode(bytes, h) == net::HeaderError::BAD_COMMAND);
        bytes = net::FrameMessage(MainMagic(), "verack", {});
        std::fill(bytes.begin() + 4, bytes.begin() + 16, 0);
        CHECK(Decode(bytes, h) == net::HeaderError::BAD_COMMAND);
    }
    SECTION("a 12-character command fills the field with no NUL")
    {
        const auto bytes = net::FrameMessage(MainMagic(), "abcdefghijkl", {});
        CHECK(Decode(bytes, h) == net::HeaderError::NONE);
        CHECK(h.command == "abcdefghijkl");
    }
    CHECK_THROWS_AS(net::FrameMessage(MainMagic(), "much-too-long-command", {}), std::invalid_argument);
}
