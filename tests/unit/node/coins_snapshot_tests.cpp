// Chainstate::SnapshotCoins (scantxoutset): the snapshot shows the UTXO set as of its tip
// while later blocks connect and are flushed to the same database.
#include "chain_builder.h"

#include "node/storage/coins_db.h"

#include <catch2/catch.hpp>

using testutil::ChainBuilder;

namespace {
size_t CountCoins(const node::CoinsSnapshot& snapshot)
{
    size_t n = 0;
    snapshot.ForEachCoin([&](const consensus::OutPoint&, const consensus::Coin&) {
        ++n;
        return true;
    });
    return n;
}
} // namespace

TEST_CASE("A coins snapshot keeps the UTXO set of its tip while blocks connect and flush", "[node]")
{
    ChainBuilder b;
    b.MineBlocks(10);
    auto snap = b.Chain().SnapshotCoins();
    REQUIRE(snap);
    REQUIRE(snap->first);
    CHECK(snap->second == b.Chain().Tip());
    CHECK(snap->first->BestBlock() == b.Chain().Tip()->GetBlockHash());
    // Everything up to the tip was flushed into it: one coinbase output per block.
    CHECK(CountCoins(*snap->first) == 10);

    b.MineBlocks(5);
    REQUIRE(b.Chain().Flush());
    CHECK(CountCoins(*snap->first) == 10);
    CHECK(snap->first->BestBlock() == b.Chain().AtHeight(10)->GetBlockHash());
    // A new snapshot sees the new coins.
    auto later = b.Chain().SnapshotCoins();
    REQUIRE(later);
    CHECK(CountCoins(*later->first) == 15);
    CHECK(later->second->height == 15);
}
