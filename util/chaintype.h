// The networks minicash knows, by Core's names (Core keeps this in util/chaintype.h too):
// argument parsing and the datadir layout need them below consensus/.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace util {

/** The networks minicash knows. */
enum class ChainType { MAIN, TESTNET, TESTNET4, SIGNET, REGTEST };

/** Core's name of a network: "main", "test", "testnet4", "signet", "regtest". */
std::string ChainTypeToString(ChainType chain);
/** Parses Core's network name; nullopt for an unknown name. */
std::optional<ChainType> ChainTypeFromString(std::string_view name);

} // namespace util
