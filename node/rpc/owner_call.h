// How an RPC method hands a chain write to the validation owner and waits for it (RPC is
// synchronous by protocol, as Core's): the method's own thread never runs the write.
#pragma once

#include "common/rpc/server.h"
#include "node/chain/chainstate.h"
#include "node/chain/validation_owner.h"

#include <utility>

namespace node::rpc {

/**
 * Runs write on the validation owner and returns its result once it ran; rethrows what
 * it threw (an RpcError passes through). A stopped owner (shutdown): RPC_MISC_ERROR.
 */
template <class F>
auto OnOwner(chain::ValidationOwner& owner, F&& write)
{
    try {
        return owner.Submit(std::forward<F>(write)).get();
    } catch (const chain::OwnerStopped&) {
        throw common::rpc::RpcError(common::rpc::RPC_MISC_ERROR, "Shutting down");
    }
}

/**
 * Makes the block index durable on the owner before a write's reply goes out, so what the
 * reply reports (a block stored, a validity flag) survives a crash. RPC_DATABASE_ERROR if not.
 */
inline void SyncBeforeReply(chain::Chainstate& cs, chain::ValidationOwner& owner)
{
    if (!OnOwner(owner, [&cs] { return cs.SyncBlockIndex(); }))
        throw common::rpc::RpcError(common::rpc::RPC_DATABASE_ERROR, "Failed to write the block index to disk");
}

} // namespace node::rpc
