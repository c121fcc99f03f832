// libFuzzer target: BIP-152 reconstruction (node/p2p/partial_block.h). The input is a cmpctblock
// payload followed by a blocktxn payload; the blocktxn's transactions are both the candidate
// source (what a mempool would offer) and the answer to the missing slots. Init must classify
// the message as Core does (no transactions or a prefilled index out of range: INVALID; equal
// short ids: never OK), the missing indexes must be exactly the empty slots, increasing and in
// range, and Fill must be INVALID for a wrong count, and a block it accepts must have the
// cmpctblock's header, every slot filled and a matching, unmalleated merkle root.
#include "fuzz_common.h"

#include "consensus/merkle.h"
#include "consensus/serialize.h"
#include "net/compact_blocks.h"
#include "node/p2p/partial_block.h"

#include <array>
#include <cstdint>
#include <set>
#include <span>
#include <vector>

namespace {

struct ListSource final : node::p2p::TxSource {
    std::vector<consensus::TransactionRef> txs;
    void ForEachTx(const std::function<void(const consensus::TransactionRef&)>& visit) const override
    {
        for (const auto& tx : txs) visit(tx);
    }
};

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    using node::p2p::ReadStatus;
    consensus::ByteReader r(std::span<const uint8_t>(data, size));
    net::HeaderAndShortIDs cmpct;
    try {
        cmpct = net::HeaderAndShortIDs::Deserialize(r);
    } catch (const consensus::DecodeError&) {
        return 0;
    }
    ListSource source;
    try {
        source.txs = net::BlockTransactions::Deserialize(r).txn;
    } catch (const consensus::DecodeError&) {
        // No blocktxn: no candidates and an empty answer.
    }

    bool invalid = cmpct.short_ids.empty() && cmpct.prefilled.empty();
    for (size_t i = 0; i < cmpct.prefilled.size(); ++i)
        invalid |= cmpct.prefilled[i].index > cmpct.short_ids.size() + i;
    const bool duplicates =
        std::set<uint64_t>(cmpct.short_ids.begin(), cmpct.short_ids.end()).size() != cmpct.short_ids.size();

    node::p2p::PartialBlock partial;
    const std::array<const node::p2p::TxSource*, 1> sources{&source};
    const ReadStatus status = partial.Init(cmpct, sources);
    fuzz::Check((status == ReadStatus::INVALID) == invalid, "Init's INVALID disagrees with Core's rules");
    if (status != ReadStatus::OK) return 0;
    fuzz::Check(!duplicates, "equal short ids accepted");

    const size_t total = cmpct.BlockTxCount();
    const std::vector<uint16_t> missing = partial.MissingIndexes();
    fuzz::Check(missing.size() + partial.FromSources() + cmpct.prefilled.size() == total,
                "slots: missing + from sources + prefilled != total");
    for (size_t i = 0; i < missing.size(); ++i) {
        fuzz::Check(missing[i] < total, "missing index out of range");
        fuzz::Check(i == 0 || missing[i] > missing[i - 1], "missing indexes not increasing");
        fuzz::Check(!partial.IsTxAvailable(missing[i]), "a missing slot is available");
    }
    for (const auto& p : cmpct.prefilled) fuzz::Check(partial.IsTxAvailable(p.index), "a prefilled slot is empty");

    const bool segwit = (cmpct.header.version & 1) != 0;
    consensus::Block block;
    const ReadStatus filled = partial.Fill(block, source.txs, segwit);
    if (source.txs.size() != missing.size()) {
        fuzz::Check(filled == ReadStatus::INVALID, "Fill accepted a wrong number of transactions");
        return 0;
    }
    if (filled != ReadStatus::OK) return 0;
    fuzz::Check(block.GetHash() == cmpct.header.GetHash(), "the block's header is not the cmpctblock's");
    fuzz::Check(block.vtx.size() == total, "the block has the wrong transaction count");
    bool mutated = false;
    fuzz::Check(consensus::BlockMerkleRoot(block, &mutated) == block.merkle_root && !mutated,
                "Fill accepted a block whose merkle root does not match");
    return 0;
}
