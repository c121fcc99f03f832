// What the node does to a peer for what it did (Core's MaybeDiscourageAndDisconnect) and
// whether it may still download old blocks under -maxuploadtarget (Core's ProcessGetBlockData
// check). Kept apart from PeerManager so the rules are tested as functions.
#pragma once

#include "net/connman.h"
#include "net/handler.h"
#include "net/net_address.h"
#include "net/net_permissions.h"

#include <cstdint>
#include <string>

namespace node::p2p {

/** Core's HISTORICAL_BLOCK_AGE: blocks older than this are "historical" for -maxuploadtarget. */
inline constexpr int64_t HISTORICAL_BLOCK_AGE_SECONDS = 7 * 24 * 60 * 60;

/** What a misbehaving peer gets. */
enum class Punishment {
    NONE,       // noban permission or a manual connection: only logged
    DISCONNECT, // a local address (loopback): disconnected, not discouraged (Core would block localhost)
    DISCOURAGE, // disconnected (with every peer of its address) and its address discouraged
};

/** Core's rule: noban → NONE, manual → NONE, local (IsLocal) → DISCONNECT, else DISCOURAGE. */
Punishment DecidePunishment(net::NetPermissionFlags permissions, net::ConnectionType type, const net::NetAddress& addr);

/**
 * Applies DecidePunishment to a misbehaving peer with Core's log lines ("Warning: not punishing
 * noban peer N!", "...manually connected peer N!", "Warning: disconnecting but not discouraging
 * local peer N!"), discouraging in connman's ban list. Any thread.
 */
void PunishMisbehaving(net::ConnectionManager& connman, net::NodeId id, net::ConnectionType type,
                       net::NetPermissionFlags permissions, const std::string& why);

/**
 * True if serving a block of block_time to the peer must stop under -maxuploadtarget: the
 * historical target is reached, the block is a week older than our best header, and the peer
 * lacks the download permission (noban includes it). The peer is then disconnected, as Core.
 */
bool HistoricalServingLimited(const net::UploadTarget& upload, int64_t block_time, int64_t best_header_time,
                              net::NetPermissionFlags permissions);

} // namespace node::p2p
