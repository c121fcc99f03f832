// Descriptors against the test vectors of BIP-380 (key expressions), BIP-382 (wpkh,
// sh(wpkh)) and BIP-386 (tr), parsed at run time from the BIP texts in shared/specs.
#include "vectors.h"

#include "consensus/hex.h"
#include "consensus/params.h"
#include "common/descriptor.h"
#include "common/descriptor_util.h"

#include <catch2/catch.hpp>

#include <iostream>
#include <sstream>

using namespace consensus;
using namespace common;

namespace {

struct DescVector {
    std::string desc;
    std::vector<std::vector<std::string>> scripts; // hex: per position, the scripts at it
    bool valid{true};
};

/** The text of the last <tt>...</tt> on a line (a description may quote code first), or "". */
std::string Tt(const std::string& line)
{
    const size_t a = line.rfind("<tt>");
    const size_t b = line.rfind("</tt>");
    if (a == std::string::npos || b == std::string::npos || b < a) return "";
    return line.substr(a + 4, b - a - 4);
}

/**
 * "* <tt>desc</tt>" items after "==Test Vectors==" (and after start_marker if given); items
 * after a line starting with "Invalid" are invalid. Their scripts: each "** <tt>script</tt>"
 * is one position, except for combo(), where they are the scripts of position 0; a "** Child
 * N" line opens position N, whose scripts are the "*** <tt>script</tt>" lines below it.
 */
std::vector<DescVector> ParseVectors(const std::string& text, const std::string& start_marker = "")
{
    std::vector<DescVector> out;
    std::istringstream in(text);
    std::string line;
    bool in_vectors = false, started = start_marker.empty(), invalid = false;
    while (std::getline(in, line)) {
        if (line.rfind("==Test Vectors==", 0) == 0) {
            in_vectors = true;
            continue;
        }
        if (!in_vectors) continue;
        if (line.rfind("==", 0) == 0) break; // the next section
        if (!started) {
            started = line.rfind(start_marker, 0) == 0;
            continue;
        }
        if (line.rfind("Invalid", 0) == 0) invalid = true;
        if (line.rfind("* ", 0) == 0 && !Tt(line).empty()) {
            out.push_back({Tt(line), {}, !invalid});
        } else if (line.rfind("** ", 0) == 0 && !out.empty()) {
            auto& v = out.back();
            if (Tt(line).empty()) {
                v.scripts.emplace_back(); // "** Child N"
            } else if (v.desc.rfind("combo(", 0) == 0) {
                if (v.scripts.empty()) v.scripts.emplace_back();
                v.scripts.back().push_back(Tt(line));
            } else {
                v.scripts.push_back({Tt(line)});
            }
        } else if (line.rfind("*** ", 0) == 0 && !out.empty() && !out.back().scripts.empty()) {
            out.back().scripts.back().push_back(Tt(line));
        }
    }
    return out;
}

/** Runs one BIP's vectors; expected: its case count, unscripted: valid cases the BIP gives no script for. */
void CheckVectorFile(const std::string& rel, size_t expected, size_t unscripted)
{
    REQUIRE_VECTOR(path, rel);
    const auto& main = Params(ChainType::MAIN);
    const auto vectors = ParseVectors(testutil::ReadFile(path));
    size_t valid = 0, invalid = 0, no_script = 0;
    for (const auto& v : vectors) {
        INFO(v.desc);
        std::string error;
        const auto d = ParseDescriptor(v.desc, main, error);
        if (!v.valid) {
            CHECK_FALSE(d);
            CHECK_FALSE(error.empty());
            ++invalid;
            continue;
        }
        REQUIRE(d);
        ++valid;
        if (v.scripts.empty()) {
            ++no_script;
            std::vector<Script> scripts;
            FlatSigningProvider out;
            CHECK(d->Expand(0, FlatSigningProvider{}, scripts, out, error));
            continue;
        }
        CHECK(d->IsRange() == (v.scripts.size() > 1));
        // The public form parses back to the same scripts.
        const auto again_public = ParseDescriptor(d->ToString(), main, error, /*require_checksum=*/true);
        REQUIRE(again_public);
        for (size_t i = 0; i < v.scripts.size(); ++i) {
            std::vector<Script> scripts;
            FlatSigningProvider out;
            REQUIRE(d->Expand(static_cast<uint32_t>(i), FlatSigningProvider{}, scripts, out, error));
            REQUIRE(scripts.size() == v.scripts[i].size());
            for (size_t j = 0; j < scripts.size(); ++j) {
                CHECK(HexStr(scripts[j]) == v.scripts[i][j]);
                // The inferred descriptor (with its origins) names the same script.
                const std::string inferred = d->InferAt(static_cast<uint32_t>(i), j);
                INFO(inferred);
                const auto again = ParseDescriptor(inferred, main, error, /*require_checksum=*/true);
                REQUIRE(again);
                CHECK_FALSE(again->IsRange());
                const auto script2 = again->Expand(0, error);
                REQUIRE(script2);
                CHECK(*script2 == scripts[j]);
            }
            // The public form gives the same scripts, unless a hardened step needed the private key.
            std::vector<Script> scripts2;
            if (again_public->Expand(static_cast<uint32_t>(i), FlatSigningProvider{}, scripts2, out, error)) {
                CHECK(scripts2 == scripts);
            } else {
                CHECK(d->HasPrivateKeys());
                CHECK(error == "Cannot derive script without private keys");
            }
        }
    }
    std::cout << rel << ": " << valid << " valid (" << no_script << " without scripts), " << invalid << " invalid"
              << std::endl;
    testutil::RequireCaseCount(rel, expected, vectors.size(), valid + invalid);
    CHECK(no_script == unscripted);
}

} // namespace

TEST_CASE("BIP-381 pk(), pkh() and sh() test vectors", "[rpc][vectors][desc]")
{
    CheckVectorFile("../specs/bip-0381.mediawiki", 21, 0);
}

TEST_CASE("BIP-382 wpkh() and wsh() test vectors", "[rpc][vectors][desc]")
{
    CheckVectorFile("../specs/bip-0382.mediawiki", 23, 0);
}

TEST_CASE("BIP-383 multi() and sortedmulti() test vectors", "[rpc][vectors][desc]")
{
    CheckVectorFile("../specs/bip-0383.mediawiki", 13, 0);
}

TEST_CASE("BIP-384 combo() test vectors", "[rpc][vectors][desc]")
{
    CheckVectorFile("../specs/bip-0384.mediawiki", 7, 0);
}

TEST_CASE("BIP-385 raw() and addr() test vectors", "[rpc][vectors][desc]")
{
    CheckVectorFile("../specs/bip-0385.mediawiki", 10, 0);
}

TEST_CASE("BIP-386 tr(KEY) and tr(KEY,TREE) test vectors", "[rpc][vectors][desc]")
{
    CheckVectorFile("../specs/bip-0386.mediawiki", 10, 1); // the pkh() leaf example has no script in the BIP
}

TEST_CASE("BIP-380 key expressions: the valid parse, the invalid are refused", "[rpc][vectors]")
{
    REQUIRE_VECTOR(path, "../specs/bip-0380.mediawiki");
    const auto& main = Params(ChainType::MAIN);
    const auto vectors = ParseVectors(testutil::ReadFile(path), "Valid expressions:");
    size_t valid = 0, invalid = 0;
    for (const auto& v : vectors) {
        INFO(v.desc);
        std::string error;
        const auto d = ParseDescriptor("pkh(" + v.desc + ")", main, error);
        CHECK(d.has_value() == v.valid);
        (v.valid ? valid : invalid)++;
    }
    CHECK(valid == 21);
    CHECK(invalid == 16);
    testutil::RequireCaseCount("../specs/bip-0380.mediawiki", 37, vectors.size(), valid + invalid);
}

TEST_CASE("Descriptor keys: Core's errors, ranges and hardened steps", "[rpc]")
{
    const auto& main = Params(ChainType::MAIN);
    const auto& regtest = Params(ChainType::REGTEST);
    const std::string xpub =
        "xpub6ERApfZwUNrhLCkDtcHTcxd75RbzS1ed54G1LkBUHQVHQKqhMkhgbmJbZRkrgZw4koxb5JaHWkY4ALHY2grBGRjaDMzQLcgJvLJuZZvRcEL";
    std::string error;
    auto d = ParseDescriptor("wpkh(" + xpub + "/1/*)", main, error);
    REQUIRE(d);
    CHECK(d->IsRange());
    CHECK(ParseDescriptorScript("wpkh(" + xpub + "/1/*)", main, error) == std::nullopt);
    CHECK(error == RANGED_DESCRIPTOR_ERROR);
    // A hardened step needs the private key.
    d = ParseDescriptor("wpkh(" + xpub + "/1h)", main, error);
    REQUIRE(d);
    CHECK_FALSE(d->Expand(0, error));
    CHECK(error == "Cannot derive script without private keys");
    // Mainnet extended keys are not keys on regtest (Core reads the network's version bytes).
    CHECK_FALSE(ParseDescriptor("wpkh(" + xpub + ")", regtest, error));
    CHECK(error == "key '" + xpub + "' is not valid");
    CHECK_FALSE(ParseDescriptor("wpkh(" + xpub + "/2147483648)", main, error));
    CHECK(error == "Key path value 2147483648 is out of range");
    CHECK_FALSE(ParseDescriptor("wpkh(" + xpub + "/1aa)", main, error));
    CHECK(error == "Key path value '1aa' is not a valid uint32");
    CHECK_FALSE(ParseDescriptor("wpkh([deadbef/0h]" + xpub + ")", main, error));
    CHECK(error == "Fingerprint is not 4 bytes (7 characters instead of 8 characters)");
    CHECK_FALSE(ParseDescriptor("wpkh([gaaaaaaa]" + xpub + ")", main, error));
    CHECK(error == "Fingerprint 'gaaaaaaa' is not hex");
    CHECK_FALSE(ParseDescriptor("wpkh([aaaaaaaa][aaaaaaaa]" + xpub + ")", main, error));
    CHECK(error == "Multiple ']' characters found for a single pubkey");
    CHECK_FALSE(ParseDescriptor("wpkh(aaaaaaaa]" + xpub + ")", main, error));
    CHECK(error == "Key origin start '[ character expected but not found, got 'a' instead");
    // x-only keys only inside tr().
    const std::string xonly = "a34b99f22c790c4e36b2b3c2c35a36db06226e41c692fc82b8b56ac1c540c5bd";
    CHECK(ParseDescriptor("tr(" + xonly + ")", main, error));
    CHECK_FALSE(ParseDescriptor("wpkh(" + xonly + ")", main, error));
    CHECK(error == "Pubkey '" + xonly + "' is invalid");
    // Malformed script trees are refused, never crash.
    for (const std::string& bad : std::vector<std::string>{
             "tr(" + xonly + ",)", "tr(" + xonly + ",{)", "tr(" + xonly + ",{pk(" + xonly + "))",
             "tr(" + xonly + ",{pk(" + xonly + "),pk(" + xonly + "),pk(" + xonly + ")})",
             "tr(" + xonly + ",pk(" + xonly + ")})", std::string("tr(,)"), "tr(" + xonly + ",raw(51))",
             "tr(" + xonly + "," + std::string(129, '{') + "pk(" + xonly + ")" + std::string(129, '}') + ")"}) {
        INFO(bad);
        CHECK_FALSE(ParseDescriptor(bad, main, error));
        CHECK_FALSE(error.empty());
    }
    // The inferred descriptor of a derived key carries the origin path as Core prints it.
    d = ParseDescriptor("wpkh([deadbeef/84h/0h/0h]" + xpub + "/1/*)", main, error);
    REQUIRE(d);
    const std::string inferred = d->InferAt(7);
    CHECK(inferred.rfind("wpkh([deadbeef/84h/0h/0h/1/7]03", 0) == 0);
}
