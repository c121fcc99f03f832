// The mempool start-up step and its options (Core's names, defaults and help texts):
// -maxmempool, -mempoolexpiry, -minrelaytxfee, -incrementalrelayfee, -dustrelayfee,
// -datacarrier, -datacarriersize, -permitbaremultisig, -acceptnonstdtxn, -bytespersigop,
// -limitancestorcount/size, -limitdescendantcount/size, -persistmempool.
#pragma once

#include <string>

namespace util {
class ArgsManager;
}

namespace node {

struct NodeContext;

/** Registers the mempool options in args. */
void SetupMempoolOptions(util::ArgsManager& args);
/** Creates the mempool (after the chainstate and its owner); false (printed) on a bad option. */
bool InitMempool(NodeContext& node);
/** Writes fee_estimates.dat (Core's FlushFeeEstimates: every hour on the scheduler, and at shutdown). */
void FlushFeeEstimates(NodeContext& node);
/** Loads mempool.dat (with -persistmempool) on the validation owner's thread: after the start-up catch-up. */
void LoadMempoolOnOwner(NodeContext& node);
/**
 * After the validation owner stopped (nothing changes the pool any more): stops the scheduler,
 * saves mempool.dat (with -persistmempool, once the load was tried, as Core) and
 * fee_estimates.dat, and destroys the mempool.
 */
void StopMempool(NodeContext& node);

} // namespace node
