// common/message: the "Bitcoin Signed Message" scheme (signmessage / verifymessage) — a
// known signature (Core's rpc_signmessagewithprivkey test key and message), round trips with compressed
// and uncompressed keys, and each verification outcome.
#include "common/key_io.h"
#include "common/message.h"
#include "consensus/hash.h"
#include "consensus/hex.h"
#include "consensus/params.h"
#include "consensus/script/key.h"
#include "util/strencodings.h"

#include <catch2/catch.hpp>

using namespace common;
using util::ChainType;

namespace {

std::string P2pkhAddress(const SecretKey& key, const consensus::ChainParams& params)
{
    const auto pub = *consensus::PubKeyFromSecret(key.bytes, key.compressed);
    const consensus::Uint160 id = consensus::Hash160(pub);
    consensus::Script script;
    const uint8_t pre[] = {0x76, 0xa9, 0x14};
    script.insert(script.end(), pre, pre + 3);
    script.insert(script.end(), id.data(), id.data() + 20);
    script.push_back(0x88);
    script.push_back(0xac);
    return *EncodeAddress(script, params);
}

} // namespace

TEST_CASE("message: known signatures and their verification", "[rpc][message]")
{
    const auto& params = consensus::Params(ChainType::REGTEST);
    const std::string message = "This is just a test message";
    // Core's rpc_signmessagewithprivkey test key and signature (RFC 6979 makes it reproducible).
    const auto key = DecodeSecret("cUUuHBXPzhaFnny2gCBzZZzYtFyps9B1sDJbtJMC8ssjUhNMq9xk", params);
    REQUIRE(key);
    const std::string address = P2pkhAddress(*key, params);
    const std::string expected =
        "H9Dk+Y13ybD+hH7okYJemWs0N9cIJ23Zn5T+lDFo+ZO3G9QSb6Qla2TATXFji29uip6vKsi8TJRZQHbCTu85/74=";
    CHECK(MessageSign(*key, message) == expected);
    CHECK(MessageVerify(address, expected, message, params) == MessageVerificationResult::OK);
    CHECK(MessageVerify(address, expected, message + ".", params) == MessageVerificationResult::ERR_NOT_SIGNED);
}

TEST_CASE("message: the hash commits to the magic prefix and the length", "[rpc][message]")
{
    // Hash256(0x18 "Bitcoin Signed Message:\n" 0x00) for the empty message, computed by hand.
    std::string ser = "\x18";
    ser += MESSAGE_MAGIC;
    ser.push_back('\0');
    const auto expected = consensus::Hash256({reinterpret_cast<const uint8_t*>(ser.data()), ser.size()});
    CHECK(MessageHash("") == expected);
    CHECK(MessageHash("a") != MessageHash(""));
}

TEST_CASE("message: round trips and every verification outcome", "[rpc][message]")
{
    const auto& params = consensus::Params(ChainType::REGTEST);
    for (bool compressed : {true, false}) {
        SecretKey key;
        key.bytes.fill(0x42);
        key.compressed = compressed;
        const std::string address = P2pkhAddress(key, params);
        const auto sig = MessageSign(key, "hello");
        REQUIRE(sig);
        const auto raw = *util::DecodeBase64(*sig);
        REQUIRE(raw.size() == 65);
        const int header = static_cast<uint8_t>(raw[0]);
        CHECK(header >= (compressed ? 31 : 27));
        CHECK(header <= (compressed ? 34 : 30));
        CHECK(MessageVerify(address, *sig, "hello", params) == MessageVerificationResult::OK);
        // The other key form hashes to another address: the signature does not sign it.
        SecretKey other = key;
        other.compressed = !compressed;
        CHECK(MessageVerify(P2pkhAddress(other, params), *sig, "hello", params) ==
              MessageVerificationResult::ERR_NOT_SIGNED);
    }
    SecretKey key;
    key.bytes.fill(0x42);
    const std::string address = P2pkhAddress(key, params);
    const std::string sig = *MessageSign(key, "hello");
    CHECK(MessageVerify("notanaddress", sig, "hello", params) == MessageVerificationResult::ERR_INVALID_ADDRESS);
    CHECK(MessageVerify("bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080", sig, "hello", params) ==
          MessageVerificationResult::ERR_ADDRESS_NO_KEY);
    CHECK(MessageVerify(address, "not base64!", "hello", params) == MessageVerificationResult::ERR_MALFORMED_SIGNATURE);
    CHECK(MessageVerify(address, util::EncodeBase64("short"), "hello", params) ==
          MessageVerificationResult::ERR_PUBKEY_NOT_RECOVERED);
    // r = s = 0 does not parse: nothing is recovered.
    CHECK(MessageVerify(address, util::EncodeBase64(std::string(1, '\x1f') + std::string(64, '\0')), "hello", params) ==
          MessageVerificationResult::ERR_PUBKEY_NOT_RECOVERED);
    // An invalid secret key cannot sign.
    SecretKey zero;
    CHECK_FALSE(MessageSign(zero, "hello"));
}
