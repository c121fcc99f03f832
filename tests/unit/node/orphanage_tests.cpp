// TxOrphanage (node/p2p/orphanage.h): bounds, announcers, per-peer accounting, block
// settlement, expiry with an injected clock, work sets.
#include "node/p2p/orphanage.h"

#include <catch2/catch.hpp>

#include <cstdio>
#include <random>

using consensus::MutableTransaction;
using consensus::OutPoint;
using consensus::TransactionRef;
using consensus::Uint256;
using node::p2p::TxOrphanage;

namespace {

Uint256 HashOf(uint64_t n)
{
    char hex[65];
    std::snprintf(hex, sizeof(hex), "%064llx", static_cast<unsigned long long>(n));
    return *Uint256::FromHex(hex);
}

/** A transaction spending the given outpoints into n_out outputs; pad adds witness weight. */
TransactionRef MakeTx(const std::vector<OutPoint>& prevouts, uint32_t n_out = 1, size_t pad = 0, uint32_t tag = 0)
{
    MutableTransaction mtx;
    mtx.locktime = tag;
    for (const auto& p : prevouts) {
        consensus::TxIn in;
        in.prevout = p;
        if (pad) in.witness.stack.push_back(std::vector<uint8_t>(pad, 0x01));
        mtx.vin.push_back(in);
    }
    for (uint32_t i = 0; i < n_out; ++i) {
        mtx.vout.emplace_back(consensus::Amount(1000 + i), consensus::Script(std::vector<uint8_t>{0x51}));
    }
    return consensus::MakeTransactionRef(std::move(mtx));
}

struct Fixture {
    int64_t now{1'700'000'000};
    TxOrphanage orphans{[this] { return now; }};
    std::mt19937_64 rng{42};
};

} // namespace

TEST_CASE("orphanage: add, duplicate announcers, erase, accounting", "[node][orphanage]")
{
    Fixture f;
    auto tx = MakeTx({OutPoint(HashOf(1), 0)});
    const int64_t w = consensus::GetTransactionWeight(*tx);
    CHECK(f.orphans.AddTx(tx, 1));
    CHECK(f.orphans.HaveTx(tx->GetWtxid()));
    CHECK(f.orphans.GetTx(tx->GetWtxid()) == tx);
    CHECK(f.orphans.TotalOrphanUsage() == w);
    CHECK(f.orphans.UsageByPeer(1) == w);
    // The same transaction from another peer: not added again, but peer 2 becomes an announcer.
    CHECK_FALSE(f.orphans.AddTx(tx, 2));
    CHECK(f.orphans.Size() == 1);
    CHECK(f.orphans.HaveTxFromPeer(tx->GetWtxid(), 2));
    CHECK(f.orphans.UsageByPeer(2) == w);
    CHECK(f.orphans.TotalOrphanUsage() == w);
    // A repeat from the same peer counts once.
    CHECK_FALSE(f.orphans.AddTx(tx, 2));
    CHECK(f.orphans.AnnouncementsByPeer(2) == 1);

    // Peer 1 leaves: peer 2 still announces it, so it stays.
    f.orphans.EraseForPeer(1);
    CHECK(f.orphans.HaveTx(tx->GetWtxid()));
    CHECK(f.orphans.UsageByPeer(1) == 0);
    CHECK_FALSE(f.orphans.HaveTxFromPeer(tx->GetWtxid(), 1));
    // Peer 2 leaves: no announcer left.
    f.orphans.EraseForPeer(2);
    CHECK_FALSE(f.orphans.HaveTx(tx->GetWtxid()));
    CHECK(f.orphans.TotalOrphanUsage() == 0);

    auto tx2 = MakeTx({OutPoint(HashOf(2), 0)});
    CHECK(f.orphans.AddTx(tx2, 3));
    CHECK(f.orphans.EraseTx(tx2->GetWtxid()) == 1);
    CHECK(f.orphans.EraseTx(tx2->GetWtxid()) == 0);
    CHECK(f.orphans.UsageByPeer(3) == 0);
    CHECK(f.orphans.GetTx(tx2->GetWtxid()) == nullptr);
}

TEST_CASE("orphanage: transactions heavier than MAX_STANDARD_TX_WEIGHT are refused", "[node][orphanage]")
{
    Fixture f;
    // Witness bytes weigh 1 each: a 400,000-byte witness item pushes it over.
    auto heavy = MakeTx({OutPoint(HashOf(1), 0)}, 1, 400'000);
    REQUIRE(consensus::GetTransactionWeight(*heavy) > node::p2p::ORPHAN_MAX_TX_WEIGHT);
    CHECK_FALSE(f.orphans.AddTx(heavy, 1));
    CHECK(f.orphans.Size() == 0);
    // Just under the limit is kept.
    const int64_t base = consensus::GetTransactionWeight(*MakeTx({OutPoint(HashOf(1), 0)}, 1, 1));
    auto fits = MakeTx({OutPoint(HashOf(1), 0)}, 1, static_cast<size_t>(node::p2p::ORPHAN_MAX_TX_WEIGHT - base - 8));
    REQUIRE(consensus::GetTransactionWeight(*fits) <= node::p2p::ORPHAN_MAX_TX_WEIGHT);
    CHECK(f.orphans.AddTx(fits, 1));
}

TEST_CASE("orphanage: latency score and weight limits (Core v30), each peer's share", "[node][orphanage]")
{
    Fixture f;
    CHECK(f.orphans.MaxPeerLatencyScore() == node::p2p::DEFAULT_MAX_ORPHANAGE_LATENCY_SCORE);
    CHECK(f.orphans.MaxGlobalUsage() == node::p2p::DEFAULT_RESERVED_ORPHAN_WEIGHT_PER_PEER);
    // 25 inputs: 1 + 25 / 10 = 3 for each announcement.
    std::vector<OutPoint> ins;
    for (uint64_t i = 0; i < 25; ++i) ins.emplace_back(HashOf(500 + i), 0);
    const TransactionRef wide = MakeTx(ins);
    REQUIRE(f.orphans.AddTx(wide, 1));
    CHECK(f.orphans.LatencyScoreByPeer(1) == 3);
    CHECK(f.orphans.TotalLatencyScore() == 3);
    CHECK(!f.orphans.AddTx(wide, 2)); // a second announcer: one more announcement, inputs counted once
    CHECK(f.orphans.LatencyScoreByPeer(2) == 3);
    CHECK(f.orphans.TotalLatencyScore() == 4);
    // Two announcing peers: each gets half the score and its own reserved weight.
    CHECK(f.orphans.MaxPeerLatencyScore() == node::p2p::DEFAULT_MAX_ORPHANAGE_LATENCY_SCORE / 2);
    CHECK(f.orphans.MaxGlobalUsage() == 2 * node::p2p::DEFAULT_RESERVED_ORPHAN_WEIGHT_PER_PEER);
    CHECK(!f.orphans.NeedsTrim());
    CHECK(f.orphans.LimitOrphans() == 0);
    f.orphans.EraseForPeer(1);
    CHECK(f.orphans.TotalLatencyScore() == 1 + 2);
    f.orphans.EraseTx(wide->GetWtxid());
    CHECK(f.orphans.TotalLatencyScore() == 0);
    CHECK(f.orphans.TotalOrphanUsage() == 0);
}

TEST_CASE("orphanage: a peer over its announcement share loses its own oldest orphans", "[node][orphanage]")
{
    int64_t now = 1'700'000'000;
    TxOrphanage orphans{[&] { return now; }, /*max_latency_score=*/100};
    // An honest peer announces 10; a flooder 150, more than the whole orphanage's score.
    std::vector<TransactionRef> honest, flood;
    for (uint64_t i = 0; i < 10; ++i) honest.push_back(MakeTx({OutPoint(HashOf(100 + i), 0)}));
    for (uint64_t i = 0; i < 150; ++i) flood.push_back(MakeTx({OutPoint(HashOf(1000 + i), 0)}));
    for (const auto& tx : honest) REQUIRE(orphans.AddTx(tx, 1));
    for (const auto& tx : flood) REQUIRE(orphans.AddTx(tx, 2));
    CHECK(orphans.NeedsTrim());
    CHECK(orphans.LimitOrphans() == 60);
    CHECK(!orphans.NeedsTrim());
    CHECK(orphans.TotalLatencyScore() == 100);
    // Every honest orphan is kept; the flooder keeps its 90 newest.
    for (const auto& tx : honest) CHECK(orphans.HaveTx(tx->GetWtxid()));
    for (size_t i = 0; i < flood.size(); ++i) CHECK(orphans.HaveTx(flood[i]->GetWtxid()) == (i >= 60));
    CHECK(orphans.AnnouncementsByPeer(2) == 90);
}

TEST_CASE("orphanage: a peer over its weight reservation loses its own orphans, shared ones stay", "[node][orphanage]")
{
    int64_t now = 1'700'000'000;
    TxOrphanage orphans{[&] { return now; }, /*max_latency_score=*/3000, /*reserved_weight_per_peer=*/100'000};
    // Honest peer 1: two light orphans, one of them also announced by the flooder (peer 2).
    const TransactionRef light = MakeTx({OutPoint(HashOf(1), 0)}), shared = MakeTx({OutPoint(HashOf(2), 0)});
    REQUIRE(orphans.AddTx(light, 1));
    REQUIRE(orphans.AddTx(shared, 1));
    REQUIRE(!orphans.AddTx(shared, 2)); // the flooder's oldest announcement
    // The flooder: 10 heavy orphans of ~40,000 WU each, 400,000 in all: 2 peers may hold 200,000.
    std::vector<TransactionRef> heavy;
    for (uint64_t i = 0; i < 10; ++i) heavy.push_back(MakeTx({OutPoint(HashOf(50 + i), 0)}, 1, 40'000));
    for (const auto& tx : heavy) REQUIRE(orphans.AddTx(tx, 2));
    REQUIRE(orphans.NeedsTrim());
    orphans.LimitOrphans();
    CHECK(!orphans.NeedsTrim());
    CHECK(orphans.TotalOrphanUsage() <= 200'000);
    CHECK(orphans.HaveTx(light->GetWtxid()));
    // The flooder's announcement of the shared orphan went first (its oldest), the orphan stayed for peer 1.
    CHECK(orphans.HaveTx(shared->GetWtxid()));
    CHECK(!orphans.HaveTxFromPeer(shared->GetWtxid(), 2));
    CHECK(orphans.HaveTxFromPeer(shared->GetWtxid(), 1));
    // Oldest heavy ones went, the newest stayed.
    CHECK(!orphans.HaveTx(heavy.front()->GetWtxid()));
    CHECK(orphans.HaveTx(heavy.back()->GetWtxid()));
    // Accounting stays consistent.
    CHECK(orphans.UsageByPeer(1) == consensus::GetTransactionWeight(*light) + consensus::GetTransactionWeight(*shared));
    int64_t kept = 0;
    for (const auto& tx : heavy) kept += orphans.HaveTx(tx->GetWtxid()) ? consensus::GetTransactionWeight(*tx) : 0;
    CHECK(orphans.UsageByPeer(2) == kept);
    CHECK(orphans.TotalOrphanUsage() == orphans.UsageByPeer(1) + kept);
}

TEST_CASE("orphanage: trimming spares announcements waiting in the work set", "[node][orphanage]")
{
    int64_t now = 1'700'000'000;
    TxOrphanage orphans{[&] { return now; }, /*max_latency_score=*/3};
    std::mt19937_64 rng{1};
    const TransactionRef parent = MakeTx({OutPoint(HashOf(7), 0)});
    const TransactionRef child = MakeTx({OutPoint(parent->GetTxid(), 0)});
    REQUIRE(orphans.AddTx(child, 1)); // the oldest
    orphans.AddChildrenToWorkSet(*parent, rng);
    REQUIRE(orphans.HaveTxToReconsider(1));
    std::vector<TransactionRef> later;
    for (uint64_t i = 0; i < 3; ++i) later.push_back(MakeTx({OutPoint(HashOf(20 + i), 0)}));
    for (const auto& tx : later) REQUIRE(orphans.AddTx(tx, 1));
    CHECK(orphans.LimitOrphans() == 1);
    CHECK(orphans.HaveTx(child->GetWtxid()));     // in the work set: kept
    CHECK(!orphans.HaveTx(later[0]->GetWtxid())); // the oldest of the others went
}

TEST_CASE("orphanage: expiry after 20 minutes, checked every 5", "[node][orphanage]")
{
    Fixture f;
    auto old_tx = MakeTx({OutPoint(HashOf(1), 0)});
    REQUIRE(f.orphans.AddTx(old_tx, 1));
    CHECK(f.orphans.LimitOrphans() == 0); // first sweep: nothing old
    f.now += 10 * 60;
    auto young_tx = MakeTx({OutPoint(HashOf(2), 0)});
    REQUIRE(f.orphans.AddTx(young_tx, 1));
    f.now += 10 * 60 - 1; // old_tx one second before its expiry
    CHECK(f.orphans.LimitOrphans() == 0);
    CHECK(f.orphans.HaveTx(old_tx->GetWtxid()));
    f.now += 1; // 20 minutes old: expired, and the sweep planned for its expiry time runs
    CHECK(f.orphans.LimitOrphans() == 1);
    CHECK_FALSE(f.orphans.HaveTx(old_tx->GetWtxid()));
    CHECK(f.orphans.HaveTx(young_tx->GetWtxid()));
    // young_tx expires 10 minutes later, but the next sweep is planned one interval after that.
    f.now += 10 * 60;
    CHECK(f.orphans.LimitOrphans() == 0);
    CHECK(f.orphans.HaveTx(young_tx->GetWtxid()));
    f.now += node::p2p::ORPHAN_TX_EXPIRE_INTERVAL - 1;
    CHECK(f.orphans.LimitOrphans() == 0);
    f.now += 1;
    CHECK(f.orphans.LimitOrphans() == 1);
    CHECK(f.orphans.Size() == 0);
}

TEST_CASE("orphanage: EraseForBlock removes included and conflicting orphans", "[node][orphanage]")
{
    Fixture f;
    auto included = MakeTx({OutPoint(HashOf(1), 0)});
    auto conflict = MakeTx({OutPoint(HashOf(2), 0), OutPoint(HashOf(3), 1)});
    auto unrelated = MakeTx({OutPoint(HashOf(4), 0)});
    REQUIRE(f.orphans.AddTx(included, 1));
    REQUIRE(f.orphans.AddTx(conflict, 1));
    REQUIRE(f.orphans.AddTx(unrelated, 2));
    consensus::Block block;
    block.vtx.push_back(MakeTx({OutPoint()}, 1, 0, 7)); // a coinbase-like tx
    block.vtx.push_back(included);
    block.vtx.push_back(MakeTx({OutPoint(HashOf(3), 1)}, 2, 0, 9)); // spends one of conflict's inputs
    auto erased = f.orphans.EraseForBlock(block);
    CHECK(erased.size() == 2);
    CHECK_FALSE(f.orphans.HaveTx(included->GetWtxid()));
    CHECK_FALSE(f.orphans.HaveTx(conflict->GetWtxid()));
    CHECK(f.orphans.HaveTx(unrelated->GetWtxid()));
    CHECK(f.orphans.UsageByPeer(1) == 0);
    CHECK(f.orphans.TotalOrphanUsage() == consensus::GetTransactionWeight(*unrelated));
}

TEST_CASE("orphanage: a parent's arrival puts its children in the announcer's work set", "[node][orphanage]")
{
    Fixture f;
    auto parent = MakeTx({OutPoint(HashOf(1), 0)}, 2);
    auto child_a = MakeTx({OutPoint(parent->GetTxid(), 0)});
    auto child_b = MakeTx({OutPoint(parent->GetTxid(), 1), OutPoint(HashOf(9), 0)});
    auto other = MakeTx({OutPoint(HashOf(5), 0)});
    REQUIRE(f.orphans.AddTx(child_a, 1));
    REQUIRE(f.orphans.AddTx(child_b, 2));
    REQUIRE(f.orphans.AddTx(other, 1));
    CHECK_FALSE(f.orphans.HaveTxToReconsider(1));
    CHECK(f.orphans.GetTxToReconsider(1) == nullptr);

    f.orphans.AddChildrenToWorkSet(*parent, f.rng);
    CHECK(f.orphans.HaveTxToReconsider(1));
    CHECK(f.orphans.GetTxToReconsider(1) == child_a);
    CHECK(f.orphans.GetTxToReconsider(1) == nullptr); // "other" is not a child
    CHECK_FALSE(f.orphans.HaveTxToReconsider(1));
    // child_b goes to the peer that announced it, and only once settled elsewhere it is skipped.
    CHECK(f.orphans.HaveTxToReconsider(2));
    f.orphans.EraseTx(child_b->GetWtxid());
    CHECK_FALSE(f.orphans.HaveTxToReconsider(2));
    CHECK(f.orphans.GetTxToReconsider(2) == nullptr);

    // A peer that disconnects loses its work set.
    f.orphans.AddChildrenToWorkSet(*parent, f.rng);
    f.orphans.AddTx(child_a, 3);
    f.orphans.EraseForPeer(1);
    CHECK_FALSE(f.orphans.HaveTxToReconsider(1));
    CHECK(f.orphans.HaveTx(child_a->GetWtxid())); // peer 3 still announces it
}

TEST_CASE("orphanage: children of a parent from the same peer", "[node][orphanage]")
{
    Fixture f;
    auto parent = MakeTx({OutPoint(HashOf(1), 0)}, 3);
    auto c1 = MakeTx({OutPoint(parent->GetTxid(), 0)});
    auto c2 = MakeTx({OutPoint(parent->GetTxid(), 1), OutPoint(parent->GetTxid(), 2)});
    REQUIRE(f.orphans.AddTx(c1, 1));
    f.now += 10;
    REQUIRE(f.orphans.AddTx(c2, 1));
    REQUIRE(f.orphans.AddTx(MakeTx({OutPoint(parent->GetTxid(), 0)}, 1, 0, 5), 2));
    auto kids = f.orphans.GetChildrenFromSamePeer(parent, 1);
    REQUIRE(kids.size() == 2); // c2 spends two outputs but is listed once
    CHECK(kids[0] == c2);      // newest first
    CHECK(kids[1] == c1);
    CHECK(f.orphans.GetChildrenFromSamePeer(parent, 2).size() == 1);
    CHECK(f.orphans.GetChildrenFromSamePeer(parent, 3).empty());
}

TEST_CASE("orphanage: a peer leaving shrinks the weight allowed; the next trim takes the rest's oldest",
          "[node][orphanage]")
{
    int64_t now = 1'700'000'000;
    TxOrphanage orphans{[&] { return now; }, /*max_latency_score=*/3000, /*reserved_weight_per_peer=*/100'000};
    // Peers 1 and 2 announce the same 4 orphans of ~40,000 WU: 2 x 100,000 allowed, ~160,000 held.
    std::vector<TransactionRef> heavy;
    for (uint64_t i = 0; i < 4; ++i) heavy.push_back(MakeTx({OutPoint(HashOf(300 + i), 0)}, 1, 40'000));
    for (const auto& tx : heavy) {
        REQUIRE(orphans.AddTx(tx, 1));
        REQUIRE(!orphans.AddTx(tx, 2));
    }
    CHECK(!orphans.NeedsTrim());
    orphans.EraseForPeer(2);
    CHECK(orphans.Size() == 4); // peer 1 still announces them
    CHECK(orphans.NeedsTrim()); // but one reservation of 100,000 WU is left
    CHECK(orphans.LimitOrphans() == 2);
    CHECK(!orphans.HaveTx(heavy[0]->GetWtxid()));
    CHECK(!orphans.HaveTx(heavy[1]->GetWtxid()));
    CHECK(orphans.HaveTx(heavy[3]->GetWtxid()));
    CHECK(orphans.TotalOrphanUsage() <= 100'000);
}
