// libFuzzer target: block decoding. Any input either fails with consensus::DecodeError or
// decodes to a block that re-serializes to exactly the bytes consumed; its hash, txids and
// weight are computed and checked against its sizes. Any other exception or a mismatch aborts.

#include "consensus/hash.h"
#include "consensus/primitives/block.h"
#include "consensus/primitives/transaction.h"
#include "consensus/serialize.h"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <span>
#include <vector>

namespace {

[[noreturn]] void Fail(const char* what)
{
    std::fprintf(stderr, "fuzz_block_decode: %s\n", what);
    std::abort();
}

void CheckDecode(std::span<const uint8_t> input, consensus::TxWitness mode)
{
    using namespace consensus;
    ByteReader r(input);
    Block block;
    try {
        block = Block::Deserialize(r, mode);
    } catch (const DecodeError&) {
        return;
    }
    const std::span<const uint8_t> consumed = r.Consumed();

    // Round trip: the same bytes, byte for byte.
    std::vector<uint8_t> out;
    ByteWriter w(out);
    block.Serialize(w, mode);
    if (out.size() != consumed.size() || !std::equal(out.begin(), out.end(), consumed.begin())) {
        Fail("re-serialization differs from the consumed input");
    }

    // The header is the first 80 bytes and the block hash is their double SHA-256.
    if (consumed.size() < BlockHeader::SIZE) Fail("decoded a block shorter than a header");
    if (block.GetHash() != Hash256(consumed.first(BlockHeader::SIZE))) Fail("block hash");

    // Each transaction's txid is the hash of its own stripped serialization.
    size_t total = BlockHeader::SIZE + CompactSizeLen(block.vtx.size());
    size_t stripped = total;
    for (const auto& tx : block.vtx) {
        const Uint256& txid = tx->GetTxid();
        HashWriter hw;
        tx->Serialize(hw, TxWitness::WITHOUT);
        if (hw.GetHash() != txid) Fail("txid");
        if (!tx->HasWitness() && tx->GetWtxid() != txid) Fail("wtxid != txid without witness");
        if (mode == TxWitness::WITHOUT && tx->HasWitness()) Fail("witness decoded in WITHOUT mode");
        total += tx->GetTotalSize();
        stripped += GetStrippedSize(*tx);
        (void)GetTransactionWeight(*tx);
        (void)tx->IsCoinBase();
    }
    const size_t block_total = GetBlockTotalSize(block);
    const size_t block_stripped = GetBlockStrippedSize(block);
    if (mode == TxWitness::WITH && block_total != consumed.size()) Fail("total size differs from bytes consumed");
    if (mode == TxWitness::WITH && block_total != total) Fail("total size is not the sum of its parts");
    if (block_stripped != stripped) Fail("stripped size is not the sum of its parts");
    const int64_t weight = GetBlockWeight(block);
    if (weight != static_cast<int64_t>(block_stripped) * 3 + static_cast<int64_t>(block_total)) Fail("weight formula");
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const std::span<const uint8_t> input(data, size);
    CheckDecode(input, consensus::TxWitness::WITH);
    CheckDecode(input, consensus::TxWitness::WITHOUT);
    return 0;
}
