// The P2P options of the ban list, permissions and limits (-bantime, -whitebind, -whitelist,
// -networkactive, -maxuploadtarget, -timeout, -onlynet): their registration and their reading
// into the connection manager's options, with Core's init errors. Used by init_network.cpp.
#pragma once

#include "net/connman.h"

#include <cstdint>
#include <optional>
#include <string>

namespace util {
class ArgsManager;
}

namespace node {

/** Registers the options above (Core's names, defaults and help texts). */
void SetupBanAndLimitOptions(util::ArgsManager& args);

/**
 * Reads the options above into o (whitebind addresses are added to o.listen with their
 * permissions when listen is true). False with Core's init error text in error.
 */
bool ReadBanAndLimitOptions(const util::ArgsManager& args, bool listen, net::ConnmanOptions& o, std::string& error);

/**
 * Core's ParseByteUnits: "<n>[k|K|m|M|g|G|t|T]", lowercase 1000-based, uppercase 1024-based,
 * no suffix meaning MiB; nullopt if malformed or too large.
 */
std::optional<uint64_t> ParseByteUnits(const std::string& text);

/** Core's ParseNetwork for -onlynet ("ipv4", "ipv6", "onion", "i2p", "cjdns", any case); nullopt if unknown. */
std::optional<net::Network> ParseNetworkName(const std::string& name);

} // namespace node
