// libFuzzer target: the script interpreter. Input layout:
//   bytes 0..3  verification flags (little-endian), masked to a valid combination
//   the rest    read with FuzzedDataProvider: scriptSig, scriptPubKey (escaped strings from the
//               front), input index, amount and witness item count (integers from the back),
//               then the witness items (escaped strings)
// VerifyScript runs on a fixed two-input transaction with all precomputed data present, and
// EvalScript runs the raw rest under BASE, WITNESS_V0 and TAPSCRIPT. Nothing may crash, and
// VerifyScript must keep its invariants: it fails exactly when it reports an error, removing a
// flag never turns success into failure, adding every flag never turns failure into success.

#include "consensus/amount.h"
#include "consensus/hash.h"
#include "consensus/primitives/transaction.h"
#include "consensus/script/interpreter.h"
#include "consensus/script/script.h"
#include "consensus/script/script_error.h"

#include <fuzzer/FuzzedDataProvider.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

namespace {

using namespace consensus;

[[noreturn]] void Fail(const char* what, uint32_t flags)
{
    std::fprintf(stderr, "fuzz_script_eval: %s (flags 0x%x)\n", what, flags);
    std::abort();
}

/** Clears flags whose prerequisites are missing: WITNESS needs P2SH, CLEANSTACK needs
 * WITNESS and P2SH, TAPROOT needs WITNESS. Only defined bits are kept. */
uint32_t ValidFlags(uint32_t flags)
{
    flags &= SCRIPT_VERIFY_END_MARKER - 1;
    if (!(flags & SCRIPT_VERIFY_P2SH)) flags &= ~uint32_t{SCRIPT_VERIFY_WITNESS};
    if (!(flags & SCRIPT_VERIFY_WITNESS)) flags &= ~uint32_t{SCRIPT_VERIFY_CLEANSTACK | SCRIPT_VERIFY_TAPROOT};
    return flags;
}

std::vector<uint8_t> Bytes(const std::string& s) { return std::vector<uint8_t>(s.begin(), s.end()); }

/** Version 2, two inputs, one output: enough for SIGHASH_SINGLE both with and without a matching output. */
MutableTransaction FixedTransaction()
{
    MutableTransaction tx;
    tx.version = 2;
    for (uint32_t i = 0; i < 2; ++i) {
        TxIn in;
        in.prevout = OutPoint(Hash256(std::vector<uint8_t>{uint8_t(i)}), i);
        in.sequence = 0xfffffffe - i;
        tx.vin.push_back(in);
    }
    Script pay;
    pay << OP_0 << std::vector<uint8_t>(20, 0x42);
    tx.vout.emplace_back(Amount{1000}, pay);
    tx.locktime = 500;
    return tx;
}

bool Verify(const MutableTransaction& tx, unsigned in_pos, const Script& script_pubkey, uint32_t flags,
            const BaseSignatureChecker& checker)
{
    ScriptError err = ScriptError::UNKNOWN_ERROR;
    const TxIn& in = tx.vin[in_pos];
    const bool ok = VerifyScript(in.script_sig, script_pubkey, &in.witness, flags, checker, &err);
    if (ok != (err == ScriptError::OK)) Fail(ok ? "success with an error set" : "failure without an error", flags);
    return ok;
}

void RunEvalScript(const Script& script, uint32_t flags, const BaseSignatureChecker& checker, SigVersion sigversion)
{
    std::vector<std::vector<uint8_t>> stack;
    ScriptError err = ScriptError::UNKNOWN_ERROR;
    if (sigversion == SigVersion::TAPSCRIPT) {
        // What ExecuteWitnessScript would have set up for a tapscript leaf.
        ScriptExecutionData execdata;
        execdata.m_tapleaf_hash_init = true;
        execdata.m_tapleaf_hash = ComputeTapleafHash(TAPROOT_LEAF_TAPSCRIPT, script);
        execdata.m_codeseparator_pos_init = true;
        execdata.m_codeseparator_pos = 0xffffffff;
        execdata.m_annex_init = true;
        execdata.m_annex_present = false;
        execdata.m_validation_weight_left_init = true;
        execdata.m_validation_weight_left = VALIDATION_WEIGHT_OFFSET + static_cast<int64_t>(script.size());
        (void)EvalScript(stack, script, flags, checker, sigversion, execdata, &err);
    } else {
        (void)EvalScript(stack, script, flags, checker, sigversion, &err);
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    if (size < 4) return 0;
    const uint32_t flags =
        ValidFlags(uint32_t(data[0]) | uint32_t(data[1]) << 8 | uint32_t(data[2]) << 16 | uint32_t(data[3]) << 24);
    const uint8_t* rest = data + 4;
    const size_t rest_size = size - 4;

    FuzzedDataProvider fdp(rest, rest_size);
    MutableTransaction tx = FixedTransaction();
    const Script script_sig(Bytes(fdp.ConsumeRandomLengthString()));
    const Script script_pubkey(Bytes(fdp.ConsumeRandomLengthString()));
    const unsigned in_pos = fdp.ConsumeIntegralInRange<unsigned>(0, 1);
    const Amount amount{fdp.ConsumeIntegralInRange<int64_t>(0, MAX_MONEY.sats)};
    const size_t witness_items = fdp.ConsumeIntegralInRange<size_t>(0, 24);
    ScriptWitness witness;
    for (size_t i = 0; i < witness_items && fdp.remaining_bytes() > 0; ++i) {
        witness.stack.push_back(Bytes(fdp.ConsumeRandomLengthString()));
    }
    tx.vin[in_pos].script_sig = script_sig;
    tx.vin[in_pos].witness = witness;

    // The other input spends a fixed taproot output so BIP-341 hashes cover both inputs.
    Script other_spk;
    other_spk << OP_1 << std::vector<uint8_t>(32, 0x79);
    std::vector<TxOut> spent(2, TxOut(Amount{5000}, other_spk));
    spent[in_pos] = TxOut(amount, script_pubkey);
    PrecomputedTransactionData txdata;
    txdata.Init(tx, std::move(spent), /*force=*/true);
    const MutableTransactionSignatureChecker checker(&tx, in_pos, amount, txdata, MissingDataBehavior::FAIL);

    const bool ok = Verify(tx, in_pos, script_pubkey, flags, checker);
    (void)CountWitnessSigOps(script_sig, script_pubkey, &witness, flags);
    if (ok) {
        // Every flag is a restriction: dropping one (and what depends on it) keeps a pass a pass.
        for (uint32_t bit = 1; bit < SCRIPT_VERIFY_END_MARKER; bit <<= 1) {
            if (!(flags & bit)) continue;
            const uint32_t fewer = ValidFlags(flags & ~bit);
            if (!Verify(tx, in_pos, script_pubkey, fewer, checker)) Fail("removing a flag made it fail", fewer);
        }
    } else {
        const uint32_t all = ValidFlags(SCRIPT_VERIFY_END_MARKER - 1);
        if (Verify(tx, in_pos, script_pubkey, all, checker)) Fail("adding flags made it pass", all);
    }

    // The raw rest as one script, under each script version.
    const Script raw(std::span<const uint8_t>(rest, rest_size));
    RunEvalScript(raw, flags, checker, SigVersion::BASE);
    RunEvalScript(raw, flags, checker, SigVersion::WITNESS_V0);
    RunEvalScript(raw, flags, checker, SigVersion::TAPSCRIPT);
    return 0;
}
