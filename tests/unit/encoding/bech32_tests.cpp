// Bech32 / Bech32m and segwit addresses against the example vectors of BIP-173 and BIP-350,
// read at run time from the BIP texts in shared/specs.
#include "vectors.h"

#include "consensus/encoding/bech32.h"
#include "consensus/hex.h"

#include <catch2/catch.hpp>

#include <cctype>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

using namespace consensus;
using namespace consensus::encoding;

namespace {

/** One bullet of a BIP's test vector list: the string (with 0xNN prefix/suffix bytes applied) and the rest. */
struct Bullet {
    std::string value;
    std::string rest;
};

/**
 * The consecutive "* " lines that follow the first line containing marker, each reduced
 * to the <tt>...</tt> text (with "0xNN + " / " + 0xNN" bytes applied) and what follows it.
 */
std::vector<Bullet> BulletsAfter(const std::string& text, const std::string& marker)
{
    std::vector<Bullet> out;
    const size_t at = text.find(marker);
    if (at == std::string::npos) return out;
    std::istringstream in(text.substr(at));
    std::string line;
    std::getline(in, line); // the marker line
    bool started = false;
    while (std::getline(in, line)) {
        if (line.rfind("* ", 0) != 0) {
            if (started) break;
            continue;
        }
        started = true;
        const size_t open = line.find("<tt>"), close = line.find("</tt>");
        if (open == std::string::npos || close == std::string::npos) continue;
        Bullet b;
        std::string prefix = line.substr(2, open - 2);
        b.value = line.substr(open + 4, close - open - 4);
        b.rest = line.substr(close + 5);
        if (prefix.rfind("0x", 0) == 0)
            b.value.insert(b.value.begin(), static_cast<char>(std::stoi(prefix.substr(2, 2), nullptr, 16)));
        if (b.rest.rfind(" + 0x", 0) == 0)
            b.value.push_back(static_cast<char>(std::stoi(b.rest.substr(5, 2), nullptr, 16)));
        out.push_back(b);
    }
    return out;
}

/** "<tt>hex</tt>" at the start of a bullet's rest (after ": "). */
std::string SecondTt(const std::string& rest)
{
    const size_t open = rest.find("<tt>"), close = rest.find("</tt>");
    if (open == std::string::npos || close == std::string::npos) return {};
    return rest.substr(open + 4, close - open - 4);
}

std::string Lower(std::string s)
{
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

/** Checks the valid and invalid plain strings of one encoding. */
void CheckStrings(const std::string& text, const std::string& valid_marker, const std::string& invalid_marker,
                  Bech32Encoding encoding, size_t& in_file, size_t& count)
{
    const auto valid = BulletsAfter(text, valid_marker);
    const auto invalid = BulletsAfter(text, invalid_marker);
    in_file += valid.size() + invalid.size();
    REQUIRE(valid.size() >= 7);
    REQUIRE(invalid.size() >= 10);
    for (const auto& b : valid) {
        INFO("valid: " << b.value);
        const Bech32Decoded dec = Bech32Decode(b.value);
        CHECK(dec.encoding == encoding);
        // Re-encoding gives the lower-case form back.
        CHECK(Bech32Encode(encoding, dec.hrp, dec.data) == Lower(b.value));
        // One changed character breaks the checksum.
        std::string damaged = b.value;
        const size_t sep = damaged.rfind('1');
        char& c = damaged[sep + 1];
        c = (c == 'q' || c == 'Q') ? (c == 'q' ? 'p' : 'P') : (std::islower(static_cast<unsigned char>(c)) ? 'q' : 'Q');
        CHECK(Bech32Decode(damaged).encoding != encoding);
        ++count;
    }
    for (const auto& b : invalid) {
        INFO("invalid: " << b.value << b.rest);
        CHECK(Bech32Decode(b.value).encoding != encoding);
        ++count;
    }
}

/** Checks the valid and invalid segwit addresses of one BIP; only_v0 skips v1+ valid ones (BIP-173's are Bech32). */
void CheckAddresses(const std::string& text, bool only_v0, size_t& in_file, size_t& count)
{
    const auto valid = BulletsAfter(text, "The following list gives valid segwit addresses");
    const auto invalid = BulletsAfter(text, "The following list gives invalid segwit addresses");
    in_file += valid.size() + invalid.size();
    REQUIRE(valid.size() >= 6);
    REQUIRE(invalid.size() >= 10);
    for (const auto& b : valid) {
        INFO("valid address: " << b.value);
        const std::string hrp = Lower(b.value.substr(0, b.value.rfind('1')));
        const auto spk = TryParseHex(SecondTt(b.rest));
        REQUIRE(spk);
        REQUIRE(spk->size() >= 4);
        const int version = (*spk)[0] == 0 ? 0 : (*spk)[0] - 0x50;
        const std::vector<uint8_t> program(spk->begin() + 2, spk->end());
        const auto decoded = DecodeSegwitAddress(hrp, b.value);
        if (only_v0 && version != 0) {
            // BIP-173 gave Bech32 addresses for v1+; BIP-350 made them invalid.
            CHECK(!decoded);
            ++count;
            continue;
        }
        REQUIRE(decoded);
        CHECK(decoded->first == version);
        CHECK(decoded->second == program);
        CHECK(EncodeSegwitAddress(hrp, version, program) == Lower(b.value));
        CHECK(!DecodeSegwitAddress(hrp == "bc" ? "tb" : "bc", b.value));
        ++count;
    }
    for (const auto& b : invalid) {
        INFO("invalid address: " << b.value << b.rest);
        CHECK(!DecodeSegwitAddress("bc", b.value));
        CHECK(!DecodeSegwitAddress("tb", b.value));
        ++count;
    }
}

} // namespace

TEST_CASE("Bech32 and Bech32m strings and segwit addresses follow the BIP-173 and BIP-350 examples",
          "[vectors][encoding]")
{
    REQUIRE_VECTOR(bip173, "../specs/bip-0173.mediawiki");
    REQUIRE_VECTOR(bip350, "../specs/bip-0350.mediawiki");
    const std::string text173 = testutil::ReadFile(bip173);
    const std::string text350 = testutil::ReadFile(bip350);
    size_t in173 = 0, ran173 = 0, in350 = 0, ran350 = 0;
    CheckStrings(text173, "The following strings are valid Bech32:", "The following string are not valid Bech32",
                 Bech32Encoding::BECH32, in173, ran173);
    CheckStrings(text350, "The following strings are valid Bech32m:", "The following string are not valid Bech32m",
                 Bech32Encoding::BECH32M, in350, ran350);
    CheckAddresses(text173, /*only_v0=*/true, in173, ran173);
    CheckAddresses(text350, /*only_v0=*/false, in350, ran350);
    std::cout << "bech32: " << ran173 + ran350 << " BIP-173/350 examples" << std::endl;
    testutil::RequireCaseCount("../specs/bip-0173.mediawiki", 35, in173, ran173);
    testutil::RequireCaseCount("../specs/bip-0350.mediawiki", 44, in350, ran350);
}

TEST_CASE("Segwit address encoding refuses invalid versions and program lengths", "[encoding]")
{
    const std::vector<uint8_t> p20(20, 0x11), p32(32, 0x22), p1(1, 0x33), p41(41, 0x44), p40(40, 0x55);
    CHECK(!EncodeSegwitAddress("bc", 0, p20).empty());
    CHECK(!EncodeSegwitAddress("bc", 0, p32).empty());
    CHECK(EncodeSegwitAddress("bc", 0, p40).empty());
    CHECK(EncodeSegwitAddress("bc", 1, p1).empty());
    CHECK(EncodeSegwitAddress("bc", 1, p41).empty());
    CHECK(!EncodeSegwitAddress("bc", 16, p40).empty());
    CHECK(EncodeSegwitAddress("bc", 17, p32).empty());
    CHECK(EncodeSegwitAddress("bc", -1, p32).empty());
    const std::string v1 = EncodeSegwitAddress("bc", 1, p32);
    CHECK(Bech32Decode(v1).encoding == Bech32Encoding::BECH32M);
    CHECK(Bech32Decode(EncodeSegwitAddress("bc", 0, p20)).encoding == Bech32Encoding::BECH32);
}
