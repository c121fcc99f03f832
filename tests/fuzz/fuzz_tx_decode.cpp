// libFuzzer target: transaction decoding. Any input either fails with consensus::DecodeError
// or decodes to a transaction that re-serializes to exactly the bytes consumed, whose txid,
// wtxid and weight agree with its sizes. Any other exception or a mismatch aborts.

#include "consensus/hash.h"
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
    std::fprintf(stderr, "fuzz_tx_decode: %s\n", what);
    std::abort();
}

bool SameTransaction(const consensus::MutableTransaction& a, const consensus::MutableTransaction& b)
{
    return a.version == b.version && a.vin == b.vin && a.vout == b.vout && a.locktime == b.locktime;
}

void CheckDecode(std::span<const uint8_t> input, consensus::TxWitness mode)
{
    using namespace consensus;
    ByteReader r(input);
    MutableTransaction mtx;
    try {
        mtx = MutableTransaction::Deserialize(r, mode);
    } catch (const DecodeError&) {
        return;
    }
    const std::span<const uint8_t> consumed = r.Consumed();

    // Round trip: the same bytes, byte for byte.
    std::vector<uint8_t> out;
    ByteWriter w(out);
    mtx.Serialize(w, mode);
    if (out.size() != consumed.size() || !std::equal(out.begin(), out.end(), consumed.begin())) {
        Fail("re-serialization differs from the consumed input");
    }
    // Decoding the re-serialization gives the same transaction and consumes all of it.
    ByteReader r2(out);
    const MutableTransaction again = MutableTransaction::Deserialize(r2, mode);
    if (!r2.Empty() || !SameTransaction(mtx, again)) Fail("second decode differs");

    if (mode == TxWitness::WITHOUT && mtx.HasWitness()) Fail("witness decoded in WITHOUT mode");

    const Transaction tx(mtx);
    const Uint256 txid = tx.GetTxid();
    if (txid != mtx.GetTxid()) Fail("Transaction and MutableTransaction txids differ");
    if (!tx.HasWitness() && tx.GetWtxid() != txid) Fail("wtxid != txid without witness");
    if (tx.HasWitness() && tx.GetWtxid() != Hash256(consumed)) Fail("wtxid is not the hash of the bytes");
    if (!tx.HasWitness() && txid != Hash256(consumed)) Fail("txid is not the hash of the bytes");

    const size_t total = tx.GetTotalSize();
    const size_t stripped = GetStrippedSize(tx);
    if (total != consumed.size()) Fail("total size differs from bytes consumed");
    if (stripped > total) Fail("stripped size larger than total size");
    if (tx.HasWitness() != (stripped != total)) Fail("witness presence disagrees with sizes");
    const int64_t weight = GetTransactionWeight(tx);
    if (weight != static_cast<int64_t>(stripped) * 3 + static_cast<int64_t>(total)) Fail("weight formula");

    // The stripped serialization decodes (without witness) to the same txid.
    std::vector<uint8_t> stripped_bytes;
    ByteWriter ws(stripped_bytes);
    tx.Serialize(ws, TxWitness::WITHOUT);
    if (stripped_bytes.size() != stripped) Fail("stripped size");
    ByteReader r3(stripped_bytes);
    const MutableTransaction no_wit = MutableTransaction::Deserialize(r3, TxWitness::WITHOUT);
    if (!r3.Empty() || no_wit.GetTxid() != txid) Fail("stripped decode changes the txid");
    (void)tx.IsCoinBase();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const std::span<const uint8_t> input(data, size);
    CheckDecode(input, consensus::TxWitness::WITH);
    CheckDecode(input, consensus::TxWitness::WITHOUT);
    return 0;
}
