// Inbound eviction (Core's node/eviction.cpp): when the inbound slots are full, a new inbound
// connection may take the place of one chosen here. A pure function over candidates, so the
// protection rules are tested without sockets.
#pragma once

#include "net/connection.h"

#include <cstdint>
#include <optional>
#include <vector>

namespace net {

/** What eviction knows of one connection (Core's NodeEvictionCandidate, the fields we track). */
struct EvictionCandidate {
    NodeId id{0};
    int64_t connected{0};           // UNIX seconds the connection opened
    int64_t min_ping_us{INT64_MAX}; // lowest ping seen (microseconds); none yet: the maximum
    int64_t last_block_time{0};     // UNIX seconds of the last new block it gave us, 0 = never
    int64_t last_tx_time{0};        // the same for transactions (none yet: no mempool)
    bool relevant_services{false};  // NODE_NETWORK and NODE_WITNESS
    bool relay_txs{false};          // it asked for transactions (version relay flag)
    uint64_t keyed_net_group{0};    // a keyed hash of its address group (NetAddress::GetGroup)
    bool prefer_evict{false};       // discouraged when it connected
    bool noban{false};              // the noban permission: never evicted
    bool inbound{true};             // outbound connections are never evicted
};

/**
 * The connection to evict, or nullopt when every one is protected. Core's rules, in order: no
 * noban or outbound peer; protect 4 by keyed net group, 8 with the lowest ping, 4 that most
 * recently sent a transaction, up to 8 block-relay-only peers that most recently sent a block,
 * 4 that most recently sent a block, then half of the rest by longest connection (Core reserves
 * a quarter of that half for Tor, I2P, CJDNS and localhost peers; not done here); of the rest,
 * only those that prefer eviction if any; then the youngest peer of the net group with the most
 * connections (ties: the group whose youngest member is youngest).
 */
std::optional<NodeId> SelectNodeToEvict(std::vector<EvictionCandidate> candidates);

} // namespace net
