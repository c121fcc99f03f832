// The node's implementation of common::interfaces::Chain (what the wallet sees of the chain).
#pragma once

#include "common/interfaces/chain.h"
#include "node/mempool/broadcast.h"

#include <memory>

namespace node::chain {
class Chainstate;
}
namespace node::mempool {
class MempoolManager;
}

namespace node::interfaces {

/**
 * A Chain over chainstate and the mempool (nullptr: none; the pool is empty and broadcasts
 * fail), which must outlive it and every Handler it returns; relay announces broadcast
 * transactions to peers (may be empty). Any thread.
 */
std::unique_ptr<common::interfaces::Chain> MakeChain(node::chain::Chainstate& chainstate,
                                                     node::mempool::MempoolManager* mempool = nullptr,
                                                     node::mempool::RelayFn relay = {});

} // namespace node::interfaces
