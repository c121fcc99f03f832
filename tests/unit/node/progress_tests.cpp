// GuessVerificationProgress: Core's estimate from transaction counts (ChainTxData).
#include "node/chain/chainstate_impl.h"

#include "consensus/params.h"

#include <catch2/catch.hpp>

using node::chain::BlockIndex;
using node::chain::GuessVerificationProgress;

TEST_CASE("GuessVerificationProgress follows Core's transaction-count estimate", "[node]")
{
    const consensus::ChainTxData data{1'000'000, 5'000, 2.0}; // 5,000 txs at t=1e6, then 2 tx/s
    BlockIndex b;
    b.time = 900'000;

    b.chain_tx = 0;
    CHECK(GuessVerificationProgress(data, &b, 1'000'000) == 0.0); // unknown count
    CHECK(GuessVerificationProgress(data, nullptr, 1'000'000) == 0.0);

    // Below the known count: over the known count plus the rate since its time.
    b.chain_tx = 2'500;
    CHECK(GuessVerificationProgress(data, &b, 1'000'000) == Approx(0.5));
    CHECK(GuessVerificationProgress(data, &b, 1'002'500) == Approx(2'500.0 / 10'000.0));

    // Past the known count: over its own count plus the rate since the block's time.
    b.chain_tx = 6'000;
    b.time = 1'001'000;
    CHECK(GuessVerificationProgress(data, &b, 1'001'000) == Approx(1.0));
    CHECK(GuessVerificationProgress(data, &b, 1'004'000) == Approx(6'000.0 / 12'000.0));

    // Regtest (no statistics): any block with a known count is done, whatever its age.
    const consensus::ChainTxData none{};
    b.chain_tx = 1;
    b.time = 0;
    CHECK(GuessVerificationProgress(none, &b, 2'000'000'000) == 1.0);
    CHECK(consensus::Params(consensus::ChainType::REGTEST).chain_tx_data.tx_count == 0);
    CHECK(consensus::Params(consensus::ChainType::MAIN).chain_tx_data.tx_count > 0);
    CHECK(consensus::Params(consensus::ChainType::TESTNET4).chain_tx_data.tx_rate > 0);
    CHECK(consensus::Params(consensus::ChainType::SIGNET).chain_tx_data.time > 0);
}
