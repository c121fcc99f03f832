// Descriptor checksum and the single-script descriptors, after Core's script/descriptor.cpp.
#include "common/descriptor_util.h"

#include "consensus/hash.h"
#include "consensus/hex.h"
#include "consensus/script/pubkey.h"
#include "common/key_io.h"

#include <secp256k1.h>

#include <vector>

namespace common {

using consensus::Script;
using Bytes = std::vector<uint8_t>;

namespace {

constexpr std::string_view INPUT_CHARSET = "0123456789()[],'/*abcdefgh@:$%{}"
                                           "IJKLMNOPQRSTUVWXYZ&+-.;<=>?!^_|~"
                                           "ijklmnopqrstuvwxyzABCDEFGH`#\"\\ ";
constexpr std::string_view CHECKSUM_CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";

/** One step of the descriptor checksum's BCH code over GF(32) (degree 8). */
uint64_t PolyMod(uint64_t c, int val)
{
    const uint8_t c0 = static_cast<uint8_t>(c >> 35);
    c = ((c & 0x7ffffffffULL) << 5) ^ static_cast<uint64_t>(val);
    if (c0 & 1) c ^= 0xf5dee51989ULL;
    if (c0 & 2) c ^= 0xa9fdca3312ULL;
    if (c0 & 4) c ^= 0x1bab10e32dULL;
    if (c0 & 8) c ^= 0x3706b1677aULL;
    if (c0 & 16) c ^= 0x644d626ffdULL;
    return c;
}

bool IsNonHybridKey(const Bytes& key) { return IsValidPubKeySize(key) && key[0] != 6 && key[0] != 7; }

} // namespace

std::string DescriptorChecksum(std::string_view desc)
{
    uint64_t c = 1;
    int cls = 0;
    int clscount = 0;
    for (char ch : desc) {
        const size_t pos = INPUT_CHARSET.find(ch);
        if (pos == std::string_view::npos) return "";
        c = PolyMod(c, static_cast<int>(pos & 31)); // position inside the group
        cls = cls * 3 + static_cast<int>(pos >> 5); // group numbers, one symbol per 3 characters
        if (++clscount == 3) {
            c = PolyMod(c, cls);
            cls = 0;
            clscount = 0;
        }
    }
    if (clscount > 0) c = PolyMod(c, cls);
    for (int j = 0; j < 8; ++j) c = PolyMod(c, 0);
    c ^= 1;
    std::string ret(8, ' ');
    for (int j = 0; j < 8; ++j) ret[static_cast<size_t>(j)] = CHECKSUM_CHARSET[(c >> (5 * (7 - j))) & 31];
    return ret;
}

std::string AddDescriptorChecksum(std::string_view desc)
{
    const std::string cs = DescriptorChecksum(desc);
    if (cs.empty()) return std::string(desc);
    return std::string(desc) + "#" + cs;
}

bool CheckDescriptorChecksum(std::string_view desc, bool require_checksum, std::string& error, std::string* payload)
{
    const size_t hash = desc.find('#');
    if (hash != std::string_view::npos && desc.find('#', hash + 1) != std::string_view::npos) {
        error = "Multiple '#' symbols";
        return false;
    }
    const std::string_view body = desc.substr(0, hash);
    if (hash == std::string_view::npos && require_checksum) {
        error = "Missing checksum";
        return false;
    }
    std::string_view given;
    if (hash != std::string_view::npos) {
        given = desc.substr(hash + 1);
        if (given.size() != 8) {
            error = "Expected 8 character checksum, not " + std::to_string(given.size()) + " characters";
            return false;
        }
    }
    const std::string computed = DescriptorChecksum(body);
    if (computed.empty()) {
        error = "Invalid characters in payload";
        return false;
    }
    if (hash != std::string_view::npos && given != computed) {
        error = "Provided checksum '" + std::string(given) + "' does not match computed checksum '" + computed + "'";
        return false;
    }
    if (payload) *payload = std::string(body);
    return true;
}

std::string InferDescriptor(const Script& script, const consensus::ChainParams& params)
{
    std::vector<Bytes> sol;
    const TxoutType type = SolveScript(script, sol);
    if (type == TxoutType::PUBKEY && IsNonHybridKey(sol[0])) {
        return AddDescriptorChecksum("pk(" + consensus::HexStr(sol[0]) + ")");
    }
    if (type == TxoutType::MULTISIG) {
        bool ok = true;
        std::string keys;
        for (size_t i = 1; i + 1 < sol.size(); ++i) {
            if (!IsNonHybridKey(sol[i])) {
                ok = false;
                break;
            }
            keys += "," + consensus::HexStr(sol[i]);
        }
        if (ok) return AddDescriptorChecksum("multi(" + std::to_string(sol[0][0]) + keys + ")");
    }
    if (type == TxoutType::WITNESS_V1_TAPROOT && consensus::IsValidXOnly(sol[0])) {
        return AddDescriptorChecksum("rawtr(" + consensus::HexStr(sol[0]) + ")");
    }
    if (auto address = EncodeAddress(script, params)) return AddDescriptorChecksum("addr(" + *address + ")");
    return AddDescriptorChecksum("raw(" + consensus::HexStr(script) + ")");
}

} // namespace common
