// NodeContext's constructor and destructor, out of line so the header needs only forward
// declarations of the subsystems it owns.
#include "node/context.h"

#include "common/interfaces/chain.h"
#include "wallet/context.h"

#include "common/rpc/server.h"
#include "node/chain/validation_owner.h"
#include "node/http/auth.h"
#include "node/http/http_server.h"
#include "node/index/tx_indexer.h"
#include "node/mempool/mempool_manager.h"
#include "node/mempool/tx_pool_adapter.h"
#include "node/p2p/peer_manager.h"
#include "net/connman.h"
#include "util/args.h"
#include "util/fs_util.h"

namespace node {

NodeContext::NodeContext() = default;

NodeContext::~NodeContext()
{
    // Shutdown() has joined the import thread already; this only guards a missed call.
    import_interrupt = true;
    if (import_thread.joinable()) import_thread.join();
}

} // namespace node
