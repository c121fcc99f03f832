// Transactions for in-process block tests that need more than ChainBuilder::Spend: any
// output script (P2PKH, P2WPKH, P2SH, P2WSH, P2TR key path), any version, lock-time and
// sequence, and signatures a test can corrupt (wrong amount, wrong hash type, non-DER).
#pragma once

#include "chain_builder.h"

#include "consensus/primitives/transaction.h"
#include "consensus/script/interpreter.h"
#include "consensus/script/script.h"

#include <array>
#include <cstdint>
#include <vector>

namespace testutil {

/** A secp256k1 key for tests; TestKey(7) is the key ChainBuilder's coinbases pay to. */
struct TestKey {
    std::array<uint8_t, 32> secret{};
    std::vector<uint8_t> pubkey; // compressed

    explicit TestKey(uint8_t n);
    consensus::Script P2PKH() const;
    consensus::Script P2WPKH() const;
    /** BIP-341 key-path-only output: OP_1 and the key tweaked with no script tree. */
    consensus::Script P2TR() const;
};

/** OP_HASH160 <hash160(redeem)> OP_EQUAL. */
consensus::Script P2SH(const consensus::Script& redeem);
/** OP_0 <sha256(witness_script)>. */
consensus::Script P2WSH(const consensus::Script& witness_script);

/** A coin a test spends: where it is and what it pays. */
struct Utxo {
    consensus::OutPoint out;
    consensus::TxOut txout;
};

/** Output n of tx as a Utxo. */
Utxo CoinOf(const consensus::TransactionRef& tx, uint32_t n);
/** The coinbase output of the active block at height (paying to TestKey(7)). */
Utxo CoinbaseCoin(ChainBuilder& b, int height);

/** An unsigned transaction spending coins (each input with sequence) to outputs. */
consensus::MutableTransaction MakeTx(const std::vector<Utxo>& coins, const std::vector<consensus::TxOut>& outputs,
                                     uint32_t version = 2, uint32_t locktime = 0, uint32_t sequence = 0xfffffffe);

/** A BIP-143 (witness v0) ECDSA signature with its hash type, committing to amount. */
std::vector<uint8_t> SignWitnessV0(const consensus::MutableTransaction& tx, size_t input, const TestKey& key,
                                   const consensus::Script& script_code, consensus::Amount amount);
/** A legacy ECDSA signature with its hash type (SIGHASH_ALL) over script_code. */
std::vector<uint8_t> SignLegacy(const consensus::MutableTransaction& tx, size_t input, const TestKey& key,
                                const consensus::Script& script_code);
/**
 * A BIP-341 key-path Schnorr signature of input over the outputs spent (one per input);
 * 64 bytes for SIGHASH_DEFAULT, else with hash_type appended.
 */
std::vector<uint8_t> SignTaproot(const consensus::MutableTransaction& tx, size_t input, const TestKey& key,
                                 const std::vector<consensus::TxOut>& spent,
                                 uint8_t hash_type = consensus::SIGHASH_DEFAULT);

/**
 * Signs each input whose coin pays key's P2PKH, P2WPKH or P2TR script (correctly); other
 * inputs keep the script_sig and witness the caller gave them.
 */
consensus::TransactionRef SignTx(consensus::MutableTransaction tx, const std::vector<Utxo>& coins, const TestKey& key);

/** The BIP-66 counterpart of a DER signature (hash type byte last): R padded with a needless zero byte. */
std::vector<uint8_t> PadDerR(const std::vector<uint8_t>& sig);

} // namespace testutil
