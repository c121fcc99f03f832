// BIP-39 against the English vectors of Trezor's python-mnemonic (passphrase "TREZOR"):
// entropy -> mnemonic -> entropy, mnemonic -> seed -> BIP-32 master xprv; and the errors.
#include "vectors.h"

#include "common/bip39.h"
#include "consensus/hex.h"
#include "consensus/script/bip32.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>

using namespace consensus;
using namespace common;

TEST_CASE("BIP-39 English vectors: mnemonic, seed and master key", "[rpc][vectors][desc]")
{
    REQUIRE_VECTOR(path, "bips/bip39-vectors.json");
    const auto vectors = nlohmann::json::parse(testutil::ReadFile(path)).at("english");
    size_t ran = 0;
    for (const auto& v : vectors) {
        const std::string entropy_hex = v.at(0).get<std::string>();
        const std::string mnemonic = v.at(1).get<std::string>();
        INFO(mnemonic);
        const auto entropy = testutil::ParseHexOrFail(entropy_hex);
        CHECK(Bip39FromEntropy(entropy) == mnemonic);
        std::string error;
        const auto back = Bip39ToEntropy(mnemonic, error);
        REQUIRE(back);
        CHECK(*back == entropy);
        const auto seed = Bip39ToSeed(mnemonic, "TREZOR");
        CHECK(HexStr(seed) == v.at(2).get<std::string>());
        const auto master = Bip32Master(seed);
        REQUIRE(master);
        CHECK(EncodeExtKey(*master, BIP32_XPRV) == v.at(3).get<std::string>());
        ++ran;
    }
    testutil::RequireCaseCount("bips/bip39-vectors.json", 24, vectors.size(), ran);
}

TEST_CASE("BIP-39 word list and refused mnemonics", "[rpc][desc]")
{
    const auto& words = Bip39EnglishWords();
    CHECK(words.front() == "abandon");
    CHECK(words.back() == "zoo");
    CHECK(std::is_sorted(words.begin(), words.end()));
    std::string error;
    const std::string good = "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon "
                             "abandon about";
    CHECK(Bip39ToEntropy(good, error));
    // The last word carries the checksum: "abandon" x 12 fails it.
    CHECK_FALSE(Bip39ToEntropy("abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon "
                               "abandon abandon",
                               error));
    CHECK(error == "Invalid mnemonic checksum");
    CHECK_FALSE(Bip39ToEntropy("abandon abandon abandon", error));
    CHECK(error == "Invalid mnemonic word count");
    CHECK_FALSE(Bip39ToEntropy(good + " about", error));
    CHECK(error == "Invalid mnemonic word count");
    CHECK_FALSE(Bip39ToEntropy("abandon bitcoin abandon", error));
    CHECK(error == "Unknown word 'bitcoin'");
    CHECK_FALSE(Bip39ToEntropy("abandon  abandon", error));
    CHECK(error == "Unknown word ''");
    CHECK_FALSE(Bip39ToEntropy(std::string(100000, 'a'), error));
    CHECK_FALSE(Bip39FromEntropy(std::vector<uint8_t>(15)));
    CHECK_FALSE(Bip39FromEntropy(std::vector<uint8_t>(18)));
    CHECK_FALSE(Bip39FromEntropy(std::vector<uint8_t>(36)));
    CHECK(Bip39FromEntropy(std::vector<uint8_t>(32)));
    // The passphrase is part of the salt.
    CHECK(Bip39ToSeed(good, "") != Bip39ToSeed(good, "TREZOR"));
}
