// minicash-cli -netinfo: bitcoin-cli's peer dashboard (levels 0-4, "outonly"), built from the
// getpeerinfo and getnetworkinfo results. Pure functions (no I/O), so the layout is unit-tested;
// cli_main.cpp makes the batch call.
#pragma once

#include "common/rpc/json.h"

#include <cstdint>
#include <string>
#include <vector>

namespace node::cli {

/** -netinfo's arguments: the details level (0-4; 5-255 mean 4) and "outonly" / "o". */
struct NetinfoOptions {
    int level{0};
    bool outonly{false};
};

/**
 * Parses -netinfo's positional arguments as bitcoin-cli does: a level 0-255, then optionally
 * "outonly" (only with a level above 0). Throws std::runtime_error with Core's messages.
 */
NetinfoOptions ParseNetinfoArgs(const std::vector<std::string>& args);

/** The text `-netinfo help` prints (the levels and the peers table's columns). */
std::string NetinfoHelp();

/**
 * The dashboard: header "Minicash client <client_version><chain> - server <protocol><subversion>",
 * the peers table (levels 1-4; sorted by direction then minimum ping), the counts table by
 * reachable network (in / out / total, block-relay-only and manual columns) and the local
 * addresses. now is the current UNIX time (ages and idle seconds); chain is "" on main or
 * " regtest" etc. Fields the node does not report count as absent (0, false).
 */
std::string FormatNetinfo(const common::rpc::Json& peerinfo, const common::rpc::Json& networkinfo,
                          const NetinfoOptions& options, int64_t now, const std::string& client_version,
                          const std::string& chain);

} // namespace node::cli
