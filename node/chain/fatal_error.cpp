// Storage errors stop the node (Core's AbortNode); they are never verdicts on blocks. See
// docs/ARCHITECTURE.md, "Storage errors are never verdicts".
#include "node/chain/chainstate_impl.h"

namespace node::chain {

std::string Chainstate::Impl::StorageErrorMessage(const std::string& what, bool block_index)
{
    return block_index ? what + " (block index database, blocks/index); restart with -reindex to rebuild it"
                       : what + " (coins database, chainstate); restart with -reindex-chainstate to rebuild it";
}

void Chainstate::Impl::AbortNode(const std::string& message)
{
    // Core's AbortNode: the message in the log with "***", an error flag, and a request to
    // stop. Nothing is marked invalid: a storage fault says nothing about the blocks.
    if (fatal_error.exchange(true)) {
        CHAIN_LOG("Error: %s\n", message.c_str());
        return;
    }
    CHAIN_LOG("*** %s\n", message.c_str());
    EndReorg(); // no tip event will end a reorganisation now: FindCoin's readers stop waiting
    if (opts.on_fatal_error) opts.on_fatal_error(message);
}

bool Chainstate::FatalErrorOccurred() const { return m_impl->fatal_error.load(); }

} // namespace node::chain
