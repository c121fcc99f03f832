// BIP-32: test vectors 1-5, parsed at run time from the BIP text in shared/specs.
#include "vectors.h"

#include "consensus/script/bip32.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <new>
#include <sstream>

using namespace consensus;

namespace {

struct ChainVector {
    std::string path; // "m/0H/1"
    std::string xpub, xprv;
};
struct SeedVector {
    std::vector<uint8_t> seed;
    std::vector<ChainVector> chains;
};

/** Vectors 1-4 (seed, chains) and vector 5's invalid keys, from the mediawiki text. */
void ParseBip32(const std::string& text, std::vector<SeedVector>& seeds, std::vector<std::string>& invalid)
{
    std::istringstream in(text);
    std::string line;
    bool in_invalid = false;
    auto after = [](const std::string& s, const std::string& prefix) { return s.substr(prefix.size()); };
    while (std::getline(in, line)) {
        if (line.rfind("===Test vector 5===", 0) == 0) in_invalid = true;
        if (line.rfind("==Acknowledgements==", 0) == 0) in_invalid = false;
        if (line.rfind("Seed (hex): ", 0) == 0) {
            seeds.push_back({testutil::ParseHexOrFail(after(line, "Seed (hex): ")), {}});
        } else if (line.rfind("* Chain ", 0) == 0 && !seeds.empty()) {
            std::string path = after(line, "* Chain ");
            for (size_t p; (p = path.find("<sub>H</sub>")) != std::string::npos;) path.replace(p, 12, "H");
            seeds.back().chains.push_back({path, "", ""});
        } else if (line.rfind("** ext pub: ", 0) == 0 && !seeds.empty()) {
            seeds.back().chains.back().xpub = after(line, "** ext pub: ");
        } else if (line.rfind("** ext prv: ", 0) == 0 && !seeds.empty()) {
            seeds.back().chains.back().xprv = after(line, "** ext prv: ");
        } else if (in_invalid && line.rfind("* ", 0) == 0) {
            invalid.push_back(line.substr(2, line.find(' ', 2) - 2));
        }
    }
}

std::vector<uint32_t> ParsePath(const std::string& path)
{
    std::vector<uint32_t> out;
    std::istringstream in(path.substr(1)); // after "m"
    std::string step;
    while (std::getline(in, step, '/')) {
        if (step.empty()) continue;
        const bool hardened = step.back() == 'H';
        if (hardened) step.pop_back();
        out.push_back(static_cast<uint32_t>(std::stoul(step)) | (hardened ? BIP32_HARDENED : 0));
    }
    return out;
}

constexpr std::array<Bip32Version, 2> PUB{BIP32_XPUB, BIP32_TPUB};
constexpr std::array<Bip32Version, 2> PRV{BIP32_XPRV, BIP32_TPRV};

} // namespace

TEST_CASE("BIP-32 test vectors 1-4: derivation and serialization", "[consensus][vectors]")
{
    REQUIRE_VECTOR(bip32, "../specs/bip-0032.mediawiki");
    std::vector<SeedVector> seeds;
    std::vector<std::string> invalid;
    ParseBip32(testutil::ReadFile(bip32), seeds, invalid);
    REQUIRE(seeds.size() == 4);
    size_t checked = 0;
    for (const auto& sv : seeds) {
        const auto master = Bip32Master(sv.seed);
        REQUIRE(master);
        for (const auto& cv : sv.chains) {
            INFO(cv.path);
            ExtKey key = *master;
            std::optional<ExtPubKey> pub_parent;
            const auto steps = ParsePath(cv.path);
            for (size_t i = 0; i < steps.size(); ++i) {
                if (i + 1 == steps.size()) pub_parent = Bip32Neuter(key);
                const auto child = Bip32Derive(key, steps[i]);
                REQUIRE(child);
                key = *child;
            }
            CHECK(EncodeExtKey(key, BIP32_XPRV) == cv.xprv);
            // Along the whole path at once: the same key, parent fingerprint included.
            const auto along = Bip32DerivePath(*master, steps);
            REQUIRE(along);
            CHECK(*along == key);
            CHECK(EncodeExtPubKey(Bip32Neuter(key), BIP32_XPUB) == cv.xpub);
            // CKDpub agrees with CKDpriv for a non-hardened last step, and refuses a hardened one.
            if (pub_parent) {
                const auto pub_child = Bip32Derive(*pub_parent, steps.back());
                if (steps.back() & BIP32_HARDENED) {
                    CHECK_FALSE(pub_child);
                } else {
                    REQUIRE(pub_child);
                    CHECK(EncodeExtPubKey(*pub_child, BIP32_XPUB) == cv.xpub);
                }
            }
            // Decoding and encoding again gives the same text.
            std::string error;
            const auto dpub = DecodeExtKey(cv.xpub, PUB, PRV, error);
            REQUIRE(dpub);
            CHECK_FALSE(dpub->is_private);
            CHECK(dpub->pub == Bip32Neuter(key));
            const auto dprv = DecodeExtKey(cv.xprv, PUB, PRV, error);
            REQUIRE(dprv);
            CHECK(dprv->is_private);
            CHECK(dprv->priv == key);
            ++checked;
        }
    }
    size_t in_file = 0;
    for (const auto& sv : seeds) in_file += sv.chains.size();
    testutil::RequireCaseCount("../specs/bip-0032.mediawiki (vectors 1-4)", 6 + 6 + 2 + 3, in_file, checked);
}

TEST_CASE("BIP-32 test vector 5: invalid extended keys are refused", "[consensus][vectors]")
{
    REQUIRE_VECTOR(bip32, "../specs/bip-0032.mediawiki");
    std::vector<SeedVector> seeds;
    std::vector<std::string> invalid;
    ParseBip32(testutil::ReadFile(bip32), seeds, invalid);
    size_t ran = 0;
    for (const auto& s : invalid) {
        ++ran;
        INFO(s);
        std::string error;
        CHECK_FALSE(DecodeExtKey(s, PUB, PRV, error));
        CHECK_FALSE(error.empty());
    }
    testutil::RequireCaseCount("../specs/bip-0032.mediawiki (vector 5)", 16, invalid.size(), ran);
}

TEST_CASE("BIP-32: no child of an invalid key, along a path of hardened steps too", "[consensus]")
{
    // A path walk computes no public key for its hardened steps: the key is still judged.
    auto master = Bip32Master(std::vector<uint8_t>(16, 0x42));
    REQUIRE(master);
    const std::vector<uint32_t> hardened{1 | BIP32_HARDENED, 2 | BIP32_HARDENED};
    REQUIRE(Bip32DerivePath(*master, hardened));
    for (const uint8_t fill : {uint8_t{0x00}, uint8_t{0xff}}) { // 0, and a number above n
        ExtKey bad = *master;
        bad.key.fill(fill);
        CHECK_FALSE(Bip32Derive(bad, 1 | BIP32_HARDENED));
        CHECK_FALSE(Bip32DerivePath(bad, hardened));
        CHECK_FALSE(Bip32DerivePath(bad, std::vector<uint32_t>{7}));
    }
}

TEST_CASE("BIP-32: no child below depth 255 (the depth byte would wrap to 0)", "[consensus]")
{
    const std::vector<uint8_t> seed(16, 0x42);
    auto master = Bip32Master(seed);
    REQUIRE(master);
    ExtKey key = *master;
    key.depth = 254;
    const auto child = Bip32Derive(key, 1);
    REQUIRE(child);
    CHECK(child->depth == 255);
    CHECK_FALSE(Bip32Derive(*child, 1));
    CHECK_FALSE(Bip32Derive(*child, 1 | BIP32_HARDENED));
    const ExtPubKey pub = Bip32Neuter(*child);
    CHECK(pub.depth == 255);
    CHECK_FALSE(Bip32Derive(pub, 1));
    CHECK(Bip32Derive(Bip32Neuter(key), 1)); // one level up still derives
}

TEST_CASE("BIP-32: an extended private key wipes its secret and chain code when it goes", "[consensus]")
{
    // The object lives in a byte buffer the test owns, so its bytes can be read after it is gone.
    alignas(ExtKey) unsigned char storage[sizeof(ExtKey)];
    auto* key = new (storage) ExtKey;
    key->depth = 3;
    key->key.fill(0xAA);
    key->chain_code.fill(0xBB);
    const size_t key_at = static_cast<size_t>(reinterpret_cast<unsigned char*>(key->key.data()) - storage);
    const size_t code_at = static_cast<size_t>(reinterpret_cast<unsigned char*>(key->chain_code.data()) - storage);
    key->~ExtKey();
    const auto zero = [&](size_t at) {
        return std::all_of(storage + at, storage + at + 32, [](unsigned char b) { return b == 0; });
    };
    CHECK(zero(key_at));
    CHECK(zero(code_at));
}
