// libFuzzer target: addresses (common/key_io.*) on every network.
//
// The input is read twice. As an address string: whatever DecodeAddress accepts must encode
// back (EncodeAddress) to the same string in canonical form (lower case for Bech32, no
// surrounding blanks for Base58) and decode again to the same scriptPubKey; a refusal must
// carry an error message, with error locations inside the string. As a scriptPubKey:
// SolveScript/GetScriptType classify it, and if it has an address, that address decodes to
// the same script (encode -> decode round trip), and only for the types that have one.

#include "consensus/params.h"
#include "consensus/script/script.h"
#include "common/key_io.h"
#include "tests/fuzz/fuzz_common.h"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <string>
#include <vector>

namespace {

using common::TxoutType;
using consensus::ChainType;

constexpr ChainType CHAINS[] = {ChainType::MAIN, ChainType::TESTNET, ChainType::TESTNET4, ChainType::SIGNET,
                                ChainType::REGTEST};

std::string ToLower(std::string s)
{
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

/** The form EncodeAddress gives for an accepted address string. */
std::string Canonical(const std::string& address, const consensus::ChainParams& params)
{
    if (ToLower(address.substr(0, params.bech32_hrp.size())) == params.bech32_hrp) return ToLower(address);
    const auto blank = [](unsigned char c) { return std::isspace(c) != 0; };
    const auto b = std::find_if_not(address.begin(), address.end(), blank);
    const auto e = std::find_if_not(address.rbegin(), address.rend(), blank).base();
    return b < e ? std::string(b, e) : std::string();
}

void CheckString(const std::string& text, const consensus::ChainParams& params)
{
    std::string error;
    std::vector<int> locations;
    const auto script = common::DecodeAddress(text, params, &error, &locations);
    fuzz::Check(common::IsValidAddress(text, params) == script.has_value(), "IsValidAddress disagrees");
    if (!script) {
        fuzz::Check(!error.empty(), "address refused without an error", text);
        for (const int pos : locations) {
            fuzz::Check(pos >= 0 && static_cast<size_t>(pos) < text.size(), "error location outside the string", error);
        }
        return;
    }
    fuzz::Check(error.empty() && locations.empty(), "accepted address with an error", error);
    const auto encoded = common::EncodeAddress(*script, params);
    fuzz::Check(encoded.has_value(), "decoded address has no address", text);
    fuzz::Check(*encoded == Canonical(text, params), "address does not re-encode to itself", text + " -> " + *encoded);
    const auto again = common::DecodeAddress(*encoded, params);
    fuzz::Check(again && *again == *script, "re-encoded address decodes differently", *encoded);
}

void CheckScript(const consensus::Script& script, const consensus::ChainParams& params)
{
    std::vector<std::vector<uint8_t>> solutions;
    const TxoutType type = common::SolveScript(script, solutions);
    fuzz::Check(common::GetScriptType(script) == common::ScriptTypeName(type), "GetScriptType disagrees");
    const auto address = common::EncodeAddress(script, params);
    const bool has_address = type == TxoutType::PUBKEYHASH || type == TxoutType::SCRIPTHASH ||
                             type == TxoutType::WITNESS_V0_KEYHASH || type == TxoutType::WITNESS_V0_SCRIPTHASH ||
                             type == TxoutType::WITNESS_V1_TAPROOT || type == TxoutType::WITNESS_UNKNOWN ||
                             type == TxoutType::ANCHOR;
    fuzz::Check(address.has_value() == has_address, "address presence does not match the script type",
                common::ScriptTypeName(type));
    if (!address) return;
    const auto decoded = common::DecodeAddress(*address, params);
    fuzz::Check(decoded && *decoded == script, "address of a script decodes to another script", *address);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    if (size > 1000) return 0;
    const std::string text(fuzz::AsText(data, size));
    const consensus::Script script(std::span<const uint8_t>(data, size));
    for (const ChainType chain : CHAINS) {
        const consensus::ChainParams& params = consensus::Params(chain);
        CheckString(text, params);
        CheckScript(script, params);
    }
    return 0;
}
