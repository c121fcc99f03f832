// MempoolAcceptor's per-transaction state (Core's Workspace), shared by accept.cpp and
// accept_package.cpp. Internal to node/mempool/.
#pragma once

#include "node/chain/block_index.h"
#include "node/mempool/accept.h"

#include <map>
#include <string>
#include <vector>

namespace node::mempool {

using consensus::Amount;
using consensus::TransactionRef;
using consensus::TxValidationResult;
using consensus::Uint256;
using consensus::ValidationResult;

/** One transaction's state through the checks (Core's Workspace). */
struct MempoolAcceptor::Work {
    TransactionRef tx;
    AcceptResult result;
    int64_t accept_time{0};
    const chain::BlockIndex* tip{nullptr};
    std::vector<consensus::Coin> coins; // one per input
    std::vector<consensus::TxOut> spent_outputs;
    std::vector<Uint256> conflicts;       // direct: in-pool spenders of our inputs
    std::vector<Uint256> all_conflicting; // conflicts and their descendants
    std::vector<Uint256> ancestors;
    Amount base_fee, modified_fee;
    Amount conflicting_fees;
    int64_t conflicting_vsize{0};
    int64_t vsize{0}, weight{0}, sigop_cost{0};
    bool spends_coinbase{false};
    /** A TRUC sibling was added to conflicts (BIP-431 sibling eviction): RBF messages say so. */
    bool sibling_eviction{false};
    /** The package being judged with this transaction (its in-package parents), or null. */
    const std::map<Uint256, TransactionRef>* package{nullptr};

    bool Fail(TxValidationResult code, std::string reason, std::string debug = {})
    {
        result.kind = AcceptResult::Kind::INVALID;
        result.state = ValidationResult::Invalid(code, std::move(reason), std::move(debug));
        return false;
    }
};

} // namespace node::mempool
