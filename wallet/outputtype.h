// The kinds of output script a wallet pays to or spends from (Core's OutputType).
#pragma once

#include <cstdint>

namespace wallet {

/** Core's OutputType. Coin selection keeps coins of one type together first (privacy: a transaction
 * spending only one script type reveals less), mixing types only when no single type can pay. */
enum class OutputType : uint8_t {
    LEGACY,      // P2PKH (and bare scripts the wallet can spend)
    P2SH_SEGWIT, // P2SH-wrapped P2WPKH/P2WSH
    BECH32,      // native segwit v0 (BIP-173)
    BECH32M,     // segwit v1+ / taproot (BIP-350, BIP-341)
    UNKNOWN,
};

} // namespace wallet
