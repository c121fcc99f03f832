// The P2P start-up step and its options (-listen, -bind, -port, -connect, -addnode,
// -maxconnections, -peertimeout, -seednode, -dnsseed, -externalip): the address manager
// (peers.dat), a connection manager (net/) with the node's message handler (node/p2p/) and
// address relay on it, started after the chain is loaded, stopped first at shutdown.
#pragma once

namespace util {
class ArgsManager;
}

namespace node {

struct NodeContext;

/** Registers the connection options in args (Core's names, defaults and help texts). */
void SetupNetworkOptions(util::ArgsManager& args);
/** Starts the network; false (logged, printed) if an option is bad or a port cannot be bound. */
bool InitNetwork(NodeContext& node);
/** Stops the network: every peer disconnected, the handler's threads joined. Idempotent. */
void StopNetwork(NodeContext& node);

} // namespace node
