// VerifyScript runs a P2WPKH spend without the generic interpreter (ExecuteP2wpkh). These
// tests run the implied script OP_DUP OP_HASH160 <program> OP_EQUALVERIFY OP_CHECKSIG
// through EvalScript as well, on valid and broken witnesses under many flag sets, and
// require the same verdict and the same error from both.
#include "consensus/hash.h"
#include "consensus/primitives/transaction.h"
#include "consensus/script/interpreter.h"
#include "consensus/script/key.h"
#include "consensus/script/script.h"
#include "consensus/script/script_eval_util.h"

#include <catch2/catch.hpp>

#include <array>
#include <string>

using namespace consensus;

namespace {

using Bytes = std::vector<uint8_t>;

struct Spend {
    std::array<uint8_t, 32> secret{};
    Bytes pubkey;      // compressed
    Bytes pubkey_full; // uncompressed, same secret
    Bytes program;     // HASH160 of the key the output commits to
    MutableTransaction tx;
    Amount amount{50000};

    explicit Spend(bool commit_to_uncompressed = false)
    {
        for (size_t i = 0; i < 32; ++i) secret[i] = static_cast<uint8_t>(0x11 + 7 * i);
        pubkey = *PubKeyFromSecret(secret, true);
        pubkey_full = *PubKeyFromSecret(secret, false);
        const Uint160 h = Hash160(commit_to_uncompressed ? pubkey_full : pubkey);
        program.assign(h.begin(), h.end());
        tx.version = 2;
        TxIn in;
        in.prevout = OutPoint(Uint256::FromHex(std::string(62, '0') + "ab").value(), 1);
        tx.vin.push_back(in);
        tx.vout.emplace_back(Amount{40000}, Script() << OP_1);
    }

    Script ScriptPubKey() const { return Script() << OP_0 << program; }
    Script ImpliedScript() const
    {
        return Script() << OP_DUP << OP_HASH160 << program << OP_EQUALVERIFY << OP_CHECKSIG;
    }

    /** A valid signature for the implied script (BIP-143), with the hash type appended. */
    Bytes Sign(uint8_t hash_type = SIGHASH_ALL) const
    {
        const Uint256 sighash =
            SignatureHash(ImpliedScript(), tx, 0, hash_type, amount, SigVersion::WITNESS_V0, nullptr);
        Bytes sig = *SignEcdsa(secret, sighash);
        sig.push_back(hash_type);
        return sig;
    }
};

struct Verdict {
    bool ok;
    ScriptError error;
};

Verdict ViaVerifyScript(const Spend& s, const ScriptWitness& witness, uint32_t flags)
{
    const MutableTransaction& tx = s.tx;
    GenericTransactionSignatureChecker<MutableTransaction> checker(&tx, 0, s.amount, MissingDataBehavior::FAIL);
    ScriptError err = ScriptError::UNKNOWN_ERROR;
    const bool ok = VerifyScript(Script(), s.ScriptPubKey(), &witness, flags, checker, &err);
    return {ok, err};
}

/** What ExecuteWitnessScript does with the implied script, spelled out with the generic EvalScript. */
Verdict ViaInterpreter(const Spend& s, const ScriptWitness& witness, uint32_t flags)
{
    const MutableTransaction& tx = s.tx;
    GenericTransactionSignatureChecker<MutableTransaction> checker(&tx, 0, s.amount, MissingDataBehavior::FAIL);
    if (witness.stack.size() != 2) return {false, ScriptError::WITNESS_PROGRAM_MISMATCH};
    std::vector<Bytes> stack = witness.stack;
    for (const Bytes& item : stack) {
        if (item.size() > MAX_SCRIPT_ELEMENT_SIZE) return {false, ScriptError::PUSH_SIZE};
    }
    ScriptError err = ScriptError::UNKNOWN_ERROR;
    if (!EvalScript(stack, s.ImpliedScript(), flags, checker, SigVersion::WITNESS_V0, &err)) return {false, err};
    if (stack.size() != 1) return {false, ScriptError::CLEANSTACK};
    const bool truthy = std::any_of(stack.back().begin(), stack.back().end(), [](uint8_t b) { return b != 0; });
    if (!truthy) return {false, ScriptError::EVAL_FALSE};
    return {true, ScriptError::OK};
}

} // namespace

TEST_CASE("A P2WPKH spend fails or passes exactly as its implied script does in the interpreter", "[script]")
{
    const Spend s;
    const Bytes good = s.Sign();
    Bytes flipped = good;
    flipped[10] ^= 0x01; // still DER, no longer a valid signature
    Bytes undefined_type = s.Sign();
    undefined_type.back() = 0x05; // not a defined hash type, and the signature no longer matches
    Bytes not_der = {0x30, 0x02, 0x01, 0x01, SIGHASH_ALL};
    Bytes wrong_key = s.pubkey;
    wrong_key[5] ^= 0x40;
    const Bytes oversize(MAX_SCRIPT_ELEMENT_SIZE + 1, 0x02);

    struct Case {
        const char* name;
        std::vector<Bytes> stack;
    };
    const std::vector<Case> cases = {
        {"valid", {good, s.pubkey}},
        {"signature flipped", {flipped, s.pubkey}},
        {"empty signature", {{}, s.pubkey}},
        {"undefined hash type", {undefined_type, s.pubkey}},
        {"not DER", {not_der, s.pubkey}},
        {"key does not hash to the program", {good, wrong_key}},
        {"uncompressed key of another program", {good, s.pubkey_full}},
        {"oversized signature", {oversize, s.pubkey}},
        {"oversized key", {good, oversize}},
        {"one item", {good}},
        {"three items", {good, s.pubkey, s.pubkey}},
        {"swapped", {s.pubkey, good}},
    };
    const std::vector<uint32_t> flag_sets = {
        SCRIPT_VERIFY_P2SH | SCRIPT_VERIFY_WITNESS,
        MANDATORY_SCRIPT_VERIFY_FLAGS,
        MANDATORY_SCRIPT_VERIFY_FLAGS | SCRIPT_VERIFY_NULLFAIL,
        MANDATORY_SCRIPT_VERIFY_FLAGS | SCRIPT_VERIFY_STRICTENC | SCRIPT_VERIFY_LOW_S | SCRIPT_VERIFY_NULLFAIL |
            SCRIPT_VERIFY_WITNESS_PUBKEYTYPE | SCRIPT_VERIFY_CLEANSTACK | SCRIPT_VERIFY_MINIMALDATA,
    };
    int passed = 0;
    for (const Case& c : cases) {
        for (uint32_t flags : flag_sets) {
            ScriptWitness w;
            w.stack = c.stack;
            const Verdict fast = ViaVerifyScript(s, w, flags);
            const Verdict generic = ViaInterpreter(s, w, flags);
            INFO(c.name << " with flags " << FormatScriptFlags(flags) << ": fast " << ScriptErrorName(fast.error)
                        << ", interpreter " << ScriptErrorName(generic.error));
            CHECK(fast.ok == generic.ok);
            CHECK(fast.error == generic.error);
            if (fast.ok) ++passed;
        }
    }
    // Only the valid witness passes, under every flag set.
    CHECK(passed == static_cast<int>(flag_sets.size()));

    // And the cases reach the failures they are meant to, so the comparison covers them.
    const auto error_of = [&](const std::vector<Bytes>& stack, uint32_t flags) {
        ScriptWitness w;
        w.stack = stack;
        return ViaVerifyScript(s, w, flags).error;
    };
    const uint32_t strict = flag_sets.back();
    CHECK(error_of({flipped, s.pubkey}, MANDATORY_SCRIPT_VERIFY_FLAGS) == ScriptError::EVAL_FALSE);
    CHECK(error_of({flipped, s.pubkey}, strict) == ScriptError::SIG_NULLFAIL);
    CHECK(error_of({undefined_type, s.pubkey}, strict) == ScriptError::SIG_HASHTYPE);
    CHECK(error_of({not_der, s.pubkey}, MANDATORY_SCRIPT_VERIFY_FLAGS) == ScriptError::SIG_DER);
    CHECK(error_of({good, wrong_key}, strict) == ScriptError::EQUALVERIFY);
    CHECK(error_of({oversize, s.pubkey}, strict) == ScriptError::PUSH_SIZE);
    CHECK(error_of({good}, strict) == ScriptError::WITNESS_PROGRAM_MISMATCH);
}

TEST_CASE("A P2WPKH output committing to an uncompressed key follows WITNESS_PUBKEYTYPE like the interpreter",
          "[script]")
{
    const Spend s(/*commit_to_uncompressed=*/true);
    const Bytes good = s.Sign();
    ScriptWitness w;
    w.stack = {good, s.pubkey_full};
    for (uint32_t flags :
         {MANDATORY_SCRIPT_VERIFY_FLAGS, MANDATORY_SCRIPT_VERIFY_FLAGS | SCRIPT_VERIFY_WITNESS_PUBKEYTYPE}) {
        const Verdict fast = ViaVerifyScript(s, w, flags);
        const Verdict generic = ViaInterpreter(s, w, flags);
        CHECK(fast.ok == generic.ok);
        CHECK(fast.error == generic.error);
    }
    // Consensus accepts it; the policy flag refuses it.
    CHECK(ViaVerifyScript(s, w, MANDATORY_SCRIPT_VERIFY_FLAGS).ok);
    CHECK(ViaVerifyScript(s, w, MANDATORY_SCRIPT_VERIFY_FLAGS | SCRIPT_VERIFY_WITNESS_PUBKEYTYPE).error ==
          ScriptError::WITNESS_PUBKEYTYPE);
}

TEST_CASE("A native witness program is judged as the interpreter judges its scriptPubKey first", "[script]")
{
    // VerifyScript skips the interpreter for an empty scriptSig and a witness program;
    // the program push must still be true (an all-zero or negative-zero program makes
    // the output unspendable with EVAL_FALSE, as in Core) before the witness counts.
    const Spend s;
    ScriptWitness w;
    w.stack = {s.Sign(), s.pubkey};
    Bytes negative_zero(20, 0x00);
    negative_zero.back() = 0x80;
    struct Case {
        const char* name;
        Script spk;
    };
    const std::vector<Case> cases = {
        {"v0, 20 zero bytes", Script() << OP_0 << Bytes(20, 0x00)},
        {"v0, 20-byte negative zero", Script() << OP_0 << negative_zero},
        {"v0, 32 zero bytes", Script() << OP_0 << Bytes(32, 0x00)},
        {"v1, 32 zero bytes", Script() << OP_1 << Bytes(32, 0x00)},
        {"v16, 2 zero bytes", Script() << OP_16 << Bytes(2, 0x00)},
        {"v2, 32 nonzero bytes (upgradable)", Script() << OP_2 << Bytes(32, 0x01)},
        {"v0, our key's program", s.ScriptPubKey()},
    };
    const std::vector<uint32_t> flag_sets = {
        SCRIPT_VERIFY_P2SH | SCRIPT_VERIFY_WITNESS,
        MANDATORY_SCRIPT_VERIFY_FLAGS | SCRIPT_VERIFY_CLEANSTACK | SCRIPT_VERIFY_DISCOURAGE_UPGRADABLE_WITNESS_PROGRAM,
    };
    int eval_false = 0;
    for (const Case& c : cases) {
        int version;
        Bytes program;
        REQUIRE(c.spk.IsWitnessProgram(version, program));
        for (uint32_t flags : flag_sets) {
            const MutableTransaction& tx = s.tx;
            GenericTransactionSignatureChecker<MutableTransaction> checker(&tx, 0, s.amount, MissingDataBehavior::FAIL);
            // The interpreter's view of the scriptPubKey on the empty scriptSig's stack.
            std::vector<Bytes> stack;
            ScriptError eval_err = ScriptError::UNKNOWN_ERROR;
            REQUIRE(EvalScript(stack, c.spk, flags, checker, SigVersion::BASE, &eval_err));
            REQUIRE(stack.size() == 2);
            ScriptError err = ScriptError::UNKNOWN_ERROR;
            const bool ok = VerifyScript(Script(), c.spk, &w, flags, checker, &err);
            INFO(c.name << " with flags " << FormatScriptFlags(flags) << ": " << ScriptErrorName(err));
            if (!CastToBool(stack.back())) {
                CHECK(!ok);
                CHECK(err == ScriptError::EVAL_FALSE);
                ++eval_false;
            } else if (version == 0) {
                CHECK(ok == (c.spk == s.ScriptPubKey())); // only our key's program matches the witness
            } else if (version == 2) {
                const bool discourage = flags & SCRIPT_VERIFY_DISCOURAGE_UPGRADABLE_WITNESS_PROGRAM;
                CHECK(ok == !discourage);
                CHECK(err == (discourage ? ScriptError::DISCOURAGE_UPGRADABLE_WITNESS_PROGRAM : ScriptError::OK));
            }
        }
    }
    CHECK(eval_false == 10); // the five zero programs under both flag sets
}
