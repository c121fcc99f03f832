// node/interfaces/chain: the chain as the wallet sees it (common::interfaces::Chain), driven on
// a regtest chain: reads of the tip, heights, blocks and coins, and the notifications of
// connects, a reorg's disconnects and tip changes, which stop once the handler disconnects;
// and the reorganisation mark FindCoin waits on, ended even by a chain write that throws.
#include "chain_builder.h"

#include "common/interfaces/chain.h"
#include "node/chain/chainstate.h"
#include "node/interfaces/chain.h"

#include <catch2/catch.hpp>

#include <stdexcept>
#include <string>
#include <vector>

using namespace consensus;
using Ref = common::interfaces::BlockRef; // consensus has a BlockRef of its own
using testutil::ChainBuilder;

namespace {

/**
 * Records every notification as "C<height>", "D<height>" or "T<height>", and counts blocks
 * that do not match their ref (checked by the test thread: Catch's assertions are not
 * thread-safe, and notifications arrive on the notification thread).
 */
class Recorder final : public common::interfaces::ChainNotifications {
public:
    void BlockConnected(const Block& block, const Ref& ref) override
    {
        if (block.GetHash() != ref.hash) ++mismatched;
        events.push_back("C" + std::to_string(ref.height));
    }
    void BlockDisconnected(const Block& block, const Ref& ref) override
    {
        if (block.GetHash() != ref.hash) ++mismatched;
        events.push_back("D" + std::to_string(ref.height));
    }
    int mismatched{0};
    void TipChanged(const Ref& tip, bool) override { events.push_back("T" + std::to_string(tip.height)); }
    std::vector<std::string> events;
};

} // namespace

TEST_CASE("The chain interface reads the active chain, stored blocks and coins", "[node]")
{
    ChainBuilder b;
    b.MineBlocks(3);
    const auto chain = node::interfaces::MakeChain(b.Chain());
    CHECK(&chain->Params() == &b.Chain().Params());
    const auto tip = chain->GetTip();
    REQUIRE(tip);
    CHECK(tip->height == 3);
    CHECK(tip->hash == b.Chain().Tip()->GetBlockHash());
    CHECK(chain->GetBlockHash(3) == tip->hash);
    CHECK(chain->GetBlockHash(0) == Params(ChainType::REGTEST).genesis.GetHash());
    CHECK_FALSE(chain->GetBlockHash(4));
    CHECK_FALSE(chain->GetBlockHash(-1));
    CHECK(chain->GetActiveHeight(tip->hash) == 3);
    CHECK_FALSE(chain->GetActiveHeight(Uint256::ONE));
    const auto block = chain->ReadBlock(tip->hash);
    REQUIRE(block);
    CHECK(block->GetHash() == tip->hash);
    CHECK_FALSE(chain->ReadBlock(Uint256::ONE));

    const auto [outpoint, value] = b.CoinbaseAt(1);
    const auto coin = chain->GetCoin(outpoint);
    REQUIRE(coin);
    CHECK(coin->out.value == value);
    CHECK(coin->height == 1);
    CHECK(coin->coinbase);
    CHECK_FALSE(chain->GetCoin(OutPoint(Uint256::ONE, 0)));

    // A block on a branch is readable but not active.
    const Block side = b.MakeBlock(b.Chain().AtHeight(2), {}, [](Block& blk) { blk.time += 1; });
    REQUIRE(b.Submit(side).IsValid());
    CHECK(chain->ReadBlock(side.GetHash()));
    CHECK_FALSE(chain->GetActiveHeight(side.GetHash()));
}

TEST_CASE("The chain interface notifies connects, a reorg's disconnects and the tip, until disconnected", "[node]")
{
    ChainBuilder b;
    b.MineBlocks(2);
    const auto chain = node::interfaces::MakeChain(b.Chain());
    auto recorder = std::make_shared<Recorder>();
    auto handler = chain->HandleNotifications(recorder);

    // Delivered asynchronously: WaitForNotifications waits for what was queued so far.
    REQUIRE(b.Mine().IsValid());
    chain->WaitForNotifications();
    CHECK(recorder->events == std::vector<std::string>{"C3", "T3"});
    recorder->events.clear();

    // A longer branch from height 2 replaces block 3: disconnect before the connects.
    const auto* fork = b.Chain().AtHeight(2);
    const Block a = b.MakeBlock(fork, {}, [](Block& blk) { blk.time += 7; });
    REQUIRE(b.Submit(a).IsValid());
    chain->WaitForNotifications();
    CHECK(recorder->events.empty()); // same work as the tip: no reorg yet
    const Block a2 = b.MakeBlock(b.Chain().LookupBlockIndex(a.GetHash()));
    REQUIRE(b.Submit(a2).IsValid());
    chain->WaitForNotifications();
    CHECK(recorder->events == std::vector<std::string>{"D3", "C3", "C4", "T4"});
    CHECK(chain->GetTip()->hash == a2.GetHash());

    recorder->events.clear();
    handler->Disconnect();
    handler->Disconnect(); // idempotent
    REQUIRE(b.Mine().IsValid());
    chain->WaitForNotifications();
    CHECK(recorder->events.empty());

    // Destroying a live handler unsubscribes too.
    auto second = std::make_shared<Recorder>();
    {
        auto h2 = chain->HandleNotifications(second);
        REQUIRE(b.Mine().IsValid());
        chain->WaitForNotifications(); // events still queued when it goes are not delivered to it
    }
    REQUIRE(b.Mine().IsValid());
    chain->WaitForNotifications();
    CHECK(second->events == std::vector<std::string>{"C6", "T6"});
    CHECK(recorder->mismatched == 0);
    CHECK(second->mismatched == 0);
}

namespace {

/** A synchronous listener that throws when a block is disconnected (a chain write that fails by exception). */
class ThrowOnDisconnect final : public node::chain::ChainListener {
public:
    void BlockDisconnected(const std::shared_ptr<const Block>&, const node::chain::BlockIndex*) override
    {
        throw std::runtime_error("listener failed");
    }
};

} // namespace

TEST_CASE("A chain write that throws mid-reorganisation ends the reorganisation mark", "[node]")
{
    // FindCoin waits while the mark is odd; no tip event will end a write that threw, so the
    // write's own scope must, or every FindCoin would wait until shutdown.
    ChainBuilder b;
    b.MineBlocks(3);
    ThrowOnDisconnect thrower;
    b.Chain().AddListener(&thrower, node::chain::Delivery::SYNC);
    struct Remove {
        node::chain::Chainstate& chain;
        ThrowOnDisconnect& listener;
        ~Remove() { chain.RemoveListener(&listener); }
    } remove{b.Chain(), thrower};
    const uint64_t before = b.Chain().ReorgSequence();
    REQUIRE(before % 2 == 0);
    SECTION("invalidateblock")
    {
        CHECK_THROWS_AS(b.Chain().InvalidateBlock(b.Chain().Tip()->GetBlockHash()), std::runtime_error);
    }
    SECTION("a heavier branch")
    {
        const Block side = b.MakeBlock(b.Chain().AtHeight(2), {}, [](Block& blk) { blk.time += 1; });
        REQUIRE(b.Submit(side).IsValid());
        CHECK_THROWS_AS(b.Submit(b.MakeBlock(b.Chain().LookupBlockIndex(side.GetHash()))), std::runtime_error);
    }
    CHECK(b.Chain().ReorgSequence() == before + 2); // begun by the disconnect, ended by the throw
}
