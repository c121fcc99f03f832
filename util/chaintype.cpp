#include "util/chaintype.h"

namespace util {

std::string ChainTypeToString(ChainType chain)
{
    switch (chain) {
    case ChainType::MAIN: return "main";
    case ChainType::TESTNET: return "test";
    case ChainType::TESTNET4: return "testnet4";
    case ChainType::SIGNET: return "signet";
    case ChainType::REGTEST: return "regtest";
    }
    return "unknown";
}

std::optional<ChainType> ChainTypeFromString(std::string_view name)
{
    if (name == "main") return ChainType::MAIN;
    if (name == "test") return ChainType::TESTNET;
    if (name == "testnet4") return ChainType::TESTNET4;
    if (name == "signet") return ChainType::SIGNET;
    if (name == "regtest") return ChainType::REGTEST;
    return std::nullopt;
}

} // namespace util
