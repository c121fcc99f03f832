// BIP-340 Schnorr signatures: the BIP's test vectors for verification (VerifySchnorr) and
// signing (key.h), plus checks of the ECDSA and public key helpers of key.h.
#include "vectors.h"

#include "consensus/hash.h"
#include "consensus/hex.h"
#include "consensus/script/key.h"
#include "consensus/script/pubkey.h"

#include <catch2/catch.hpp>

#include <cctype>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

using namespace consensus;

namespace {

std::vector<std::string> SplitCsvLine(const std::string& line, size_t fields)
{
    std::vector<std::string> out;
    size_t pos = 0;
    while (out.size() + 1 < fields) {
        const size_t comma = line.find(',', pos);
        if (comma == std::string::npos) break;
        out.push_back(line.substr(pos, comma - pos));
        pos = comma + 1;
    }
    out.push_back(line.substr(pos)); // the comment may hold anything
    return out;
}

std::string Lower(std::string s)
{
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

} // namespace

TEST_CASE("Schnorr verification and signing reproduce every BIP-340 test vector", "[vectors][script]")
{
    REQUIRE_VECTOR(path, "bips/bip340-test-vectors.csv");
    std::istringstream in(testutil::ReadFile(path));
    std::string line;
    REQUIRE(std::getline(in, line)); // header
    REQUIRE(line.rfind("index,secret key,public key,aux_rand,message,signature,verification result", 0) == 0);

    size_t in_file = 0, verified = 0, signed_count = 0, failures = 0;
    std::ostringstream first;
    auto fail = [&](const std::string& msg) {
        if (++failures <= 25) first << "  " << msg << "\n";
    };

    while (std::getline(in, line)) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (line.empty()) continue;
        ++in_file;
        const auto f = SplitCsvLine(line, 8);
        if (f.size() < 7) {
            fail("bad line: " + line);
            continue;
        }
        const std::string& index = f[0];
        const auto pubkey = testutil::ParseHexOrFail(f[2]);
        const auto msg = testutil::ParseHexOrFail(f[4]);
        const auto sig = testutil::ParseHexOrFail(f[5]);
        const bool expected = f[6] == "TRUE";
        if (!expected && f[6] != "FALSE") {
            fail("bad result field: " + line);
            continue;
        }

        ++verified;
        if (VerifySchnorr(pubkey, sig, msg) != expected) {
            fail("vector " + index + ": VerifySchnorr returned " + (expected ? "false" : "true"));
        }
        // Keys that are not x coordinates on the curve (vectors 5 and 14) are invalid keys.
        if (expected && !IsValidXOnly(pubkey)) fail("vector " + index + ": IsValidXOnly rejected a valid key");

        if (f[1].empty()) continue; // verification-only vector
        const auto seckey = testutil::ParseHexOrFail(f[1]);
        const auto aux = testutil::ParseHexOrFail(f[3]);
        const auto xonly = XOnlyFromSecret(seckey);
        if (!xonly || HexStr(*xonly) != Lower(f[2])) fail("vector " + index + ": wrong x-only public key");
        const auto made = SignSchnorr(seckey, msg, aux);
        ++signed_count;
        if (!made) {
            fail("vector " + index + ": SignSchnorr failed");
        } else if (HexStr(*made) != Lower(f[5])) {
            fail("vector " + index + ": signature " + HexStr(*made) + " expected " + Lower(f[5]));
        }
    }

    std::cout << "bip340: " << verified << " verifications, " << signed_count << " signatures, " << failures
              << " failures" << std::endl;
    if (failures) std::cout << first.str() << std::flush;
    CHECK(failures == 0);
    testutil::RequireCaseCount("bips/bip340-test-vectors.csv", 19, in_file, verified);
    REQUIRE(signed_count == 8);
}

TEST_CASE("The key helpers derive public keys and make verifiable low-S ECDSA signatures", "[vectors][script]")
{
    // Secret key 1: its public key is the generator G.
    std::vector<uint8_t> one(32, 0);
    one[31] = 1;
    const auto compressed = PubKeyFromSecret(one, true);
    const auto uncompressed = PubKeyFromSecret(one, false);
    REQUIRE(compressed);
    REQUIRE(uncompressed);
    CHECK(HexStr(*compressed) == "0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798");
    CHECK(HexStr(*uncompressed) == "0479be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798"
                                   "483ada7726a3c4655da4fbfc0e1108a8fd17b448a68554199c47d08ffb10d4b8");
    CHECK(!PubKeyFromSecret(std::vector<uint8_t>(32, 0), true)); // zero is not a key
    CHECK(!XOnlyFromSecret(std::vector<uint8_t>(31, 1)));

    // RFC 6979 is deterministic: the same key and hash give the same signature.
    const std::string text = "Satoshi Nakamoto";
    const Uint256 hash =
        Sha256Hash(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(text.data()), text.size()));
    const auto sig = SignEcdsa(one, hash);
    REQUIRE(sig);
    CHECK(SignEcdsa(one, hash) == sig);
    CHECK(IsLowDERSignature(*sig));
    CHECK(VerifyEcdsa(*compressed, *sig, hash));
    CHECK(VerifyEcdsa(*uncompressed, *sig, hash));
    Uint256 other = hash;
    other.data()[0] ^= 1;
    CHECK(!VerifyEcdsa(*compressed, *sig, other));
    // The widely published RFC 6979 signature of sha256("Satoshi Nakamoto") by key 1.
    CHECK(HexStr(*sig) == "3045022100934b1ea10a4b3c1757e2b0c017d0b6143ce3c9a7e6a4a49860d7a6ab210ee3d8"
                          "02202442ce9d2b916064108014783e923ec36b49743e2ffa1c4496f01a512aafd9e5");
}
