// Parallel script verification for block connection (-par): while ConnectBlock walks a
// block's transactions it hands each one's input checks to a fixed pool of worker
// threads, which start verifying at once; the calling thread joins them at the end
// (Core's CCheckQueue pattern), so the serial work of connecting overlaps the scripts.
#pragma once

#include "consensus/primitives/transaction.h"
#include "consensus/script/interpreter.h"
#include "node/chain/check_pool.h"

namespace node::chain {

/** One input's script check. The pointed-to data must outlive the pool session it was added to. */
struct ScriptCheck {
    const consensus::Transaction* tx{nullptr};
    unsigned input{0};
    const consensus::TxOut* spent{nullptr};
    uint32_t flags{0};
    const consensus::PrecomputedTransactionData* txdata{nullptr};
    consensus::ScriptError error{consensus::ScriptError::UNKNOWN_ERROR};

    /** Verifies the input's scripts; on failure error says why. */
    bool operator()();
};

extern template class CheckPool<ScriptCheck>;

/** The pool block connection uses (a class, so chainstate.h can declare it ahead). */
class ScriptCheckPool : public CheckPool<ScriptCheck> {
public:
    using CheckPool<ScriptCheck>::CheckPool;
};

} // namespace node::chain
