// The node's implementation of common::interfaces::Chain (what the wallet sees of the chain).
#pragma once

#include "common/interfaces/chain.h"

#include <memory>

namespace node::chain {
class Chainstate;
}

namespace node::interfaces {

/** A Chain over chainstate, which must outlive it and every Handler it returns. Any thread. */
std::unique_ptr<common::interfaces::Chain> MakeChain(node::chain::Chainstate& chainstate);

} // namespace node::interfaces
