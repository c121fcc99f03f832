// The wallet start-up step and its options (Core's names and help texts): -disablewallet,
// -wallet, -walletdir, -keypool. The wallets follow the chain through a Chain made by
// node/interfaces (MakeChain); their RPC methods are registered with the node's.
#pragma once

#include <functional>

namespace util {
class ArgsManager;
}

namespace node {

struct NodeContext;

/** Registers the wallet options in args. */
void SetupWalletOptions(util::ArgsManager& args);
/**
 * After the mempool: unless -disablewallet, creates the wallet context (the wallet directory
 * made if missing) and loads each -wallet; request_shutdown is how a wallet that cannot write
 * its database stops the node. False (printed and logged) when a wallet cannot be loaded.
 */
bool InitWallet(NodeContext& node, std::function<void()> request_shutdown);
/** Registers the wallet RPC methods (nothing with -disablewallet). */
void RegisterWalletMethods(NodeContext& node);
/** Unloads every wallet (after RPC and the network stopped, before the mempool and chain go). */
void StopWallet(NodeContext& node);

} // namespace node
