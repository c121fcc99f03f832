// The wallet's part in a PSBT (Core's CWallet::FillPSBT, BIP-174): adds the spent outputs it
// knows, the scripts and BIP-32 origins of its inputs and outputs, and its signatures.
#pragma once

#include "common/psbt.h"

#include <optional>

namespace wallet {

class Wallet;

struct FillPsbtOptions {
    bool sign{true};            //!< sign with the wallet's keys (else only fill in data)
    std::optional<int> sighash; //!< nullopt: DEFAULT for taproot, ALL otherwise
    bool bip32derivs{true};     //!< include BIP-32 derivation paths
    bool finalize{true};        //!< write the final scriptSig/witness of a complete input
};

/**
 * Core's FillPSBT: for every input not yet final, the wallet's transaction as the
 * non-witness UTXO when it has it, then what the wallet's descriptors know of its script
 * (and, with sign, a signature); then the outputs' scripts and origins. complete is true when
 * every input is final. Returns the first signing error (SIGHASH_MISMATCH) or OK.
 */
common::PsbtError FillPsbt(const Wallet& wallet, common::Psbt& psbt, const FillPsbtOptions& options, bool& complete);

} // namespace wallet
