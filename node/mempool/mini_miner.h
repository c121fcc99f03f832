// Core's MiniMiner (node/mini_miner.*): what it costs to raise the unconfirmed transactions a set
// of outpoints depends on to a target fee rate. A wallet spending unconfirmed coins pays it (coin
// selection's bump fees, bumpfee, sendall), so that its new transaction is not held back by
// low-fee ancestors, as Core's wallet does since v26.
//
// The constructor copies the clusters of the outpoints' transactions out of the pool under the
// pool's shared lock, once; everything after works on the copy. A mock block template is built
// greedily by ancestor score (the lower of a transaction's own and its ancestor set's fee rate,
// as the block assembler chooses) until the best remaining package pays less than the target;
// what is left must be bumped.
//
// Differences from Core, with the same answers: Core gives up when the clusters together have
// more than 500 transactions; here each connected cluster may have 500 (separate clusters never
// change each other's place in the template, so a wallet with many separate unconfirmed
// transactions can still spend them). The template keeps its candidates in an ordered set that
// is re-keyed as packages leave, instead of sorting every entry every round.
#pragma once

#include "consensus/amount.h"
#include "consensus/primitives/transaction.h"
#include "consensus/uint256.h"
#include "node/mempool/feerate.h"

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <unordered_map>
#include <utility>
#include <vector>

namespace node::mempool {

class TxMemPool;

/** A transaction as the mini miner sees it; fees are modified fees (prioritisetransaction counts). */
struct MiniMinerEntry {
    consensus::TransactionRef tx;
    int64_t vsize{0};
    consensus::Amount fee;
    /** Itself and its in-pool ancestors. */
    int64_t vsize_with_ancestors{0};
    consensus::Amount fees_with_ancestors;
};

class MiniMiner {
public:
    /** Core's GatherClusters limit: a cluster of more transactions is not calculated. */
    static constexpr size_t MAX_CLUSTER_COUNT = 500;

    /**
     * The outpoints' transactions and their clusters, copied from pool. An outpoint of no pool
     * transaction (confirmed, or unknown) costs nothing to bump. A pool transaction spending one of
     * the outpoints is taken to be replaced, with its descendants: they leave the copy, and an
     * outpoint of theirs costs nothing (it will not exist).
     */
    MiniMiner(const TxMemPool& pool, const std::vector<consensus::OutPoint>& outpoints);
    /** From given entries and each one's descendants, itself included, by txid (Core's manual constructor; tests). */
    MiniMiner(const std::vector<MiniMinerEntry>& entries,
              const std::map<consensus::Uint256, std::set<consensus::Uint256>>& descendants);
    ~MiniMiner();
    MiniMiner(const MiniMiner&) = delete;
    MiniMiner& operator=(const MiniMiner&) = delete;

    /** False when a cluster was over MAX_CLUSTER_COUNT, the entries were inconsistent, or a calculation was made. */
    bool IsReadyToCalculate() const { return m_ready; }

    /**
     * Core's CalculateBumpFees: for each outpoint, what its transaction and ancestors lack of the
     * target rate after the mock template took every package paying it: the larger of what the
     * ancestor set and what the transaction alone lack; 0 for one in the template. nullopt when
     * not ready. Once per miner.
     */
    std::optional<std::map<consensus::OutPoint, consensus::Amount>> CalculateBumpFees(const FeeRate& target);
    /**
     * Core's CalculateTotalBumpFees: what the outpoints' transactions left out of the mock
     * template and their ancestors left out lack together of the target rate (shared ancestors
     * counted once). nullopt when not ready. Once per miner.
     */
    std::optional<consensus::Amount> CalculateTotalBumpFees(const FeeRate& target);
    /** Core's Linearize: the round in which each transaction enters a template with no target, by txid. */
    std::map<consensus::Uint256, uint32_t> Linearize();

private:
    struct Node {
        explicit Node(MiniMinerEntry e) : entry(std::move(e)) {}
        /** The ancestor aggregates shrink as ancestors enter the template. */
        MiniMinerEntry entry;
        std::vector<Node*> parents;     //!< in the copy
        std::vector<Node*> children;    //!< in the copy
        std::vector<Node*> descendants; //!< in the copy, itself included
        bool mined{false};              //!< in the mock template
        uint64_t mark{0};               //!< scratch: the walk that last visited it
    };
    /** Links each node to its parents and children in the copy, from the transactions' inputs. */
    void LinkParents();
    void BuildMockTemplate(std::optional<FeeRate> target);
    /** The roots and their ancestors not in the template, each once. */
    std::vector<Node*> AncestorsOf(const std::vector<Node*>& roots);

    bool m_ready{true};
    uint64_t m_walk{0};
    std::unordered_map<consensus::Uint256, Node> m_nodes;
    /** Outpoints of pool transactions, by txid. */
    std::map<consensus::Uint256, std::vector<consensus::OutPoint>> m_requested;
    std::map<consensus::OutPoint, consensus::Amount> m_bump_fees;
    std::map<consensus::Uint256, uint32_t> m_inclusion_order;
};

/** What IndividualBumpFees tells of one outpoint. */
struct OutpointBumpFee {
    consensus::Amount bump_fee;
    /** The mempool ancestry of its transaction as Core's getTransactionAncestry counts it (0 if not in
     *  the pool): its ancestors, itself included, and the most descendants of one of its topmost
     *  ancestors (CalculateDescendantMaximum; its own if it has no parent in the pool). */
    int64_t ancestor_count{0};
    int64_t descendant_count{0};
};

/**
 * The wallet's question about its unconfirmed coins (Chain::CalculateIndividualBumpFees): each
 * outpoint's bump fee at target, in the order given, as MiniMiner(pool, outpoints).CalculateBumpFees
 * gives it, with its transaction's ancestry. A transaction alone in the pool (no parent or child
 * there; a wallet's unconfirmed change, mostly) is answered in place from its own fee and size;
 * the others are copied into a MiniMiner, with the best-scoring lone transaction short of the
 * target, which would be the first to stop the one template Core builds for all of them. nullopt
 * when a cluster is too large. The pool is read twice (the lone transactions and the ancestry, then
 * the MiniMiner's copy): a transaction arriving between the two reads may be seen by the second only.
 */
std::optional<std::vector<OutpointBumpFee>>
IndividualBumpFees(const TxMemPool& pool, const std::vector<consensus::OutPoint>& outpoints, const FeeRate& target);

} // namespace node::mempool
