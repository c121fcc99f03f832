// Transaction relay decisions (node/p2p/tx_relay.h) over a fake pool: BIP-339 inv handling,
// request scheduling and fallback, recent rejects and punishment, parents of orphans, serving
// getdata, trickled announcements under feefilter (BIP-133), BIP-35 mempool, our feefilter.
#include "fake_tx_pool.h"

#include "node/p2p/tx_relay.h"

#include <catch2/catch.hpp>

using namespace std::chrono_literals;
using node::p2p::TxRelay;
using node::p2p::TxRelayPeerInfo;
using node::p2p::TxSubmitResult;
using testutil::FakeTxPool;
using testutil::MakeTestTx;
using us = std::chrono::microseconds;
using consensus::TxValidationResult;

namespace {
const std::pair<uint64_t, uint64_t> SALT{3, 4};
TxRelayPeerInfo Outbound() { return TxRelayPeerInfo{}; }
TxRelayPeerInfo Inbound()
{
    TxRelayPeerInfo i;
    i.inbound = true;
    return i;
}
net::Inv WtxInv(const consensus::TransactionRef& tx) { return net::Inv{net::MSG_WTX, tx->GetWtxid()}; }
net::Inv TxInv(const consensus::TransactionRef& tx) { return net::Inv{net::MSG_TX, tx->GetTxid()}; }
TxSubmitResult Reject(TxValidationResult r)
{
    return TxSubmitResult::Rejected(consensus::ValidationResult::Invalid(r, "x"));
}
} // namespace

TEST_CASE("tx relay: BIP-339 inv kinds, IBD, block-relay-only", "[node][txrelay]")
{
    FakeTxPool pool;
    TxRelay relay(pool, SALT);
    relay.AddPeer(1, Outbound(), 0us);
    relay.AddPeer(2, Outbound(), 0us);
    relay.SetWtxidRelay(2);
    TxRelayPeerInfo bro;
    bro.block_relay_only = true;
    relay.AddPeer(3, bro, 0us);
    const auto tx = MakeTestTx(1);
    using R = TxRelay::InvResult;
    CHECK(relay.OnTxInv(1, WtxInv(tx), false, 0us) == R::IGNORED); // wtxid from a txid peer
    CHECK(relay.OnTxInv(2, TxInv(tx), false, 0us) == R::IGNORED);  // txid from a wtxid peer
    CHECK(relay.OnTxInv(1, TxInv(tx), true, 0us) == R::IGNORED);   // initial block download
    CHECK(relay.OnTxInv(3, TxInv(tx), false, 0us) == R::DISCONNECT);
    CHECK(relay.OnTxInv(2, WtxInv(tx), false, 0us) == R::TRACKED);
    CHECK(relay.OnTxInv(1, TxInv(tx), false, 0us) == R::TRACKED);
    // Known to the pool: not tracked.
    const auto in_pool = MakeTestTx(2);
    pool.Add(in_pool, 1000);
    CHECK(relay.OnTxInv(2, WtxInv(in_pool), false, 0us) == R::IGNORED);
}

TEST_CASE("tx relay: requests by wtxid, txid peers wait while wtxid peers exist", "[node][txrelay]")
{
    FakeTxPool pool;
    TxRelay relay(pool, SALT);
    relay.AddPeer(1, Outbound(), 0us);
    relay.AddPeer(2, Outbound(), 0us);
    relay.SetWtxidRelay(2);
    const auto a = MakeTestTx(1), b = MakeTestTx(2);
    relay.OnTxInv(1, TxInv(a), false, 0us);
    relay.OnTxInv(2, WtxInv(b), false, 0us);
    CHECK(relay.GetDataToSend(1, 0us).empty()); // TXID_RELAY_DELAY
    auto g2 = relay.GetDataToSend(2, 0us);
    REQUIRE(g2.size() == 1);
    CHECK(g2[0] == net::Inv{net::MSG_WTX, b->GetWtxid()});
    auto g1 = relay.GetDataToSend(1, 2s);
    REQUIRE(g1.size() == 1);
    CHECK(g1[0] == net::Inv{net::MSG_WITNESS_TX, a->GetTxid()});
    CHECK(relay.GetDataToSend(1, 3s).empty()); // in flight: not asked twice
}

TEST_CASE("tx relay: notfound and timeout fall back to another announcer", "[node][txrelay]")
{
    FakeTxPool pool;
    TxRelay relay(pool, SALT);
    relay.AddPeer(1, Outbound(), 0us);
    relay.AddPeer(2, Inbound(), 0us);
    const auto tx = MakeTestTx(1);
    relay.OnTxInv(1, TxInv(tx), false, 0us);
    relay.OnTxInv(2, TxInv(tx), false, 0us);
    REQUIRE(relay.GetDataToSend(1, 0us).size() == 1); // outbound preferred
    CHECK(relay.GetDataToSend(2, 5s).empty());
    relay.OnNotFound(1, {net::Inv{net::MSG_WITNESS_TX, tx->GetTxid()}});
    CHECK(relay.GetDataToSend(2, 5s).size() == 1);
    // Nobody answers: after 60 s the request expires and nothing is left.
    CHECK(relay.GetDataToSend(2, 66s).empty());
    CHECK(relay.Tracker().Size() == 0);
}

TEST_CASE("tx relay: arriving tx, accepted, announced to the others", "[node][txrelay]")
{
    FakeTxPool pool;
    TxRelay relay(pool, SALT);
    relay.AddPeer(1, Outbound(), 0us);
    relay.AddPeer(2, Outbound(), 0us);
    relay.AddPeer(3, Outbound(), 0us);
    relay.SetWtxidRelay(3);
    const auto tx = MakeTestTx(1);
    relay.OnTxInv(1, TxInv(tx), false, 0us);
    CHECK(relay.GetDataToSend(1, 0us).empty()); // by txid while a wtxid peer exists: 2 s later
    REQUIRE(relay.GetDataToSend(1, 2s).size() == 1);
    CHECK(relay.OnTxReceived(1, tx));
    CHECK(relay.Tracker().CountInFlight(1) == 0);
    pool.Add(tx, 1000);
    auto out = relay.OnTxResult(1, tx, TxSubmitResult::Accepted(), 10s);
    CHECK_FALSE(out.punish);
    CHECK(relay.Tracker().Size() == 0);
    CHECK(relay.LastTxTime(1) == 10s);
    // The sender knows it; peer 2 gets it by txid, peer 3 by wtxid, at their trickle time.
    CHECK(relay.AnnouncementsDue(1, 100s).empty());
    auto a2 = relay.AnnouncementsDue(2, 100s);
    REQUIRE(a2.size() == 1);
    CHECK(a2[0] == net::Inv{net::MSG_TX, tx->GetTxid()});
    auto a3 = relay.AnnouncementsDue(3, 100s);
    REQUIRE(a3.size() == 1);
    CHECK(a3[0] == net::Inv{net::MSG_WTX, tx->GetWtxid()});
    // Announced once only.
    relay.RelayTransaction(tx->GetTxid(), tx->GetWtxid());
    CHECK(relay.AnnouncementsDue(2, 200s).empty());
    // A second copy needs no submission.
    CHECK_FALSE(relay.OnTxReceived(2, tx));
}

TEST_CASE("tx relay: rejects remembered, consensus failures punished", "[node][txrelay]")
{
    FakeTxPool pool;
    TxRelay relay(pool, SALT);
    relay.AddPeer(1, Outbound(), 0us);
    relay.SetWtxidRelay(1);
    const auto a = MakeTestTx(1), b = MakeTestTx(2), c = MakeTestTx(3), d = MakeTestTx(4);
    auto out = relay.OnTxResult(1, a, Reject(TxValidationResult::CONSENSUS), 0us);
    CHECK(out.punish);
    CHECK(relay.RecentlyRejected(a->GetWtxid()));
    CHECK_FALSE(relay.RecentlyRejected(a->GetTxid()));
    CHECK(relay.OnTxInv(1, WtxInv(a), false, 0us) == TxRelay::InvResult::IGNORED);
    CHECK_FALSE(relay.OnTxReceived(1, a));

    out = relay.OnTxResult(1, b, Reject(TxValidationResult::MEMPOOL_POLICY), 0us);
    CHECK_FALSE(out.punish);
    CHECK(relay.RecentlyRejected(b->GetWtxid()));
    // Non-standard inputs: no witness can fix them, the txid is rejected too (Core).
    (void)relay.OnTxResult(1, c, Reject(TxValidationResult::INPUTS_NOT_STANDARD), 0us);
    CHECK(relay.RecentlyRejected(c->GetTxid()));
    // A stripped witness tells nothing about the real transaction: nothing remembered.
    (void)relay.OnTxResult(1, d, Reject(TxValidationResult::WITNESS_STRIPPED), 0us);
    CHECK_FALSE(relay.RecentlyRejected(d->GetWtxid()));
    CHECK_FALSE(relay.RecentlyRejected(d->GetTxid()));
}

TEST_CASE("tx relay: recent rejects forgotten when the tip changes", "[node][txrelay]")
{
    // Core's ActiveTipChange: a transaction refused against the old tip (non-final, premature)
    // may be valid against the new one, so it is asked for and submitted again.
    FakeTxPool pool;
    TxRelay relay(pool, SALT);
    relay.AddPeer(1, Outbound(), 0us);
    relay.SetWtxidRelay(1);
    const auto a = MakeTestTx(1), c = MakeTestTx(3);
    (void)relay.OnTxResult(1, a, Reject(TxValidationResult::NOT_STANDARD), 0us);
    (void)relay.OnTxResult(1, c, Reject(TxValidationResult::INPUTS_NOT_STANDARD), 0us);
    REQUIRE(relay.RecentlyRejected(a->GetWtxid()));
    REQUIRE(relay.RecentlyRejected(c->GetTxid()));
    CHECK_FALSE(relay.OnTxReceived(1, a));
    relay.OnTipChanged();
    CHECK_FALSE(relay.RecentlyRejected(a->GetWtxid()));
    CHECK_FALSE(relay.RecentlyRejected(c->GetTxid()));
    CHECK(relay.OnTxInv(1, WtxInv(a), false, 0us) == TxRelay::InvResult::TRACKED);
    CHECK(relay.OnTxReceived(1, a));
}

TEST_CASE("tx relay: missing inputs request the parents by txid from the sender", "[node][txrelay]")
{
    FakeTxPool pool;
    TxRelay relay(pool, SALT);
    relay.AddPeer(1, Outbound(), 0us);
    relay.SetWtxidRelay(1);
    const auto child = MakeTestTx(1), p1 = MakeTestTx(2), p2 = MakeTestTx(3), bad = MakeTestTx(4);
    pool.Add(p2, 1000);
    auto out = relay.OnTxResult(1, child, TxSubmitResult::MissingInputs({p1->GetTxid(), p2->GetTxid()}), 0us);
    CHECK(out.keep_as_orphan);
    REQUIRE(out.parents_requested.size() == 1); // p2 is in the pool already
    auto g = relay.GetDataToSend(1, 0us);
    REQUIRE(g.size() == 1);
    CHECK(g[0] == net::Inv{net::MSG_WITNESS_TX, p1->GetTxid()});
    // A child of a rejected parent is rejected with it.
    (void)relay.OnTxResult(1, bad, Reject(TxValidationResult::CONSENSUS), 0us);
    const auto child2 = MakeTestTx(5);
    out = relay.OnTxResult(1, child2, TxSubmitResult::MissingInputs({bad->GetWtxid()}), 0us);
    CHECK_FALSE(out.keep_as_orphan);
    CHECK(relay.RecentlyRejected(child2->GetWtxid()));
}

TEST_CASE("tx relay: getdata served only when announced or old enough", "[node][txrelay]")
{
    FakeTxPool pool;
    TxRelay relay(pool, SALT);
    relay.AddPeer(1, Outbound(), 0us);
    relay.AddPeer(2, Outbound(), 0us);
    const auto fresh = MakeTestTx(1), old = MakeTestTx(2);
    pool.Add(fresh, 1000, 100, 1000s);
    pool.Add(old, 1000, 100, 800s);
    const us now{1000s};
    CHECK(relay.TxToServe(1, TxInv(fresh), now) == nullptr); // never announced to it: a spy's probe
    CHECK(relay.TxToServe(1, TxInv(old), now) == old);       // older than 2 minutes
    CHECK(relay.TxToServe(1, net::Inv{net::MSG_BLOCK, fresh->GetTxid()}, now) == nullptr);
    relay.RelayTransaction(fresh->GetTxid(), fresh->GetWtxid());
    REQUIRE(relay.AnnouncementsDue(1, now + 100s).size() == 2 - 1); // old was never queued
    CHECK(relay.TxToServe(1, net::Inv{net::MSG_WITNESS_TX, fresh->GetTxid()}, now + 100s) == fresh);
    CHECK(relay.TxToServe(2, TxInv(fresh), now + 10s) == nullptr); // peer 2 was not told yet
}

TEST_CASE("tx relay: trickle timing, inbound slower and shared", "[node][txrelay]")
{
    FakeTxPool pool;
    TxRelay relay(pool, SALT, 42);
    relay.AddPeer(1, Outbound(), 0us);
    relay.AddPeer(2, Inbound(), 0us);
    relay.AddPeer(3, Inbound(), 0us);
    // Measure the mean interval between batches for each kind over many rounds.
    double out_sum = 0, in_sum = 0;
    int out_n = 0, in_n = 0;
    us last_out{0}, last_in{0};
    uint32_t n = 0;
    for (us now{0}; now < us{20000s}; now += 100ms) {
        const auto tx = MakeTestTx(++n);
        pool.Add(tx, 1000);
        relay.RelayTransaction(tx->GetTxid(), tx->GetWtxid());
        if (!relay.AnnouncementsDue(1, now).empty()) {
            out_sum += std::chrono::duration<double>(now - last_out).count();
            last_out = now;
            ++out_n;
        }
        const bool in2 = !relay.AnnouncementsDue(2, now).empty(), in3 = !relay.AnnouncementsDue(3, now).empty();
        CHECK(in2 == in3); // one schedule for every inbound peer
        if (in2) {
            in_sum += std::chrono::duration<double>(now - last_in).count();
            last_in = now;
            ++in_n;
        }
        pool.Remove(tx->GetTxid());
    }
    REQUIRE(out_n > 100);
    REQUIRE(in_n > 100);
    CHECK(out_sum / out_n == Approx(2.0).epsilon(0.25));
    CHECK(in_sum / in_n == Approx(5.0).epsilon(0.25));
}

TEST_CASE("tx relay: a noban peer is not kept waiting for its trickle time", "[node][txrelay]")
{
    FakeTxPool pool;
    TxRelay relay(pool, SALT, 7);
    TxRelayPeerInfo noban = Inbound();
    noban.noban = true;
    relay.AddPeer(1, noban, 0us);
    relay.AddPeer(2, Inbound(), 0us);
    // The first call sets each peer's schedule; afterwards only the noban peer hears at once.
    (void)relay.AnnouncementsDue(1, 1s);
    (void)relay.AnnouncementsDue(2, 1s);
    const auto tx = MakeTestTx(77);
    pool.Add(tx, 1000);
    relay.RelayTransaction(tx->GetTxid(), tx->GetWtxid());
    CHECK(relay.AnnouncementsDue(1, 1s + 1ms).size() == 1);
    CHECK(relay.AnnouncementsDue(2, 1s + 1ms).empty());
}

TEST_CASE("tx relay: batches by fee rate up to the limit, under the peer's feefilter", "[node][txrelay]")
{
    FakeTxPool pool;
    TxRelay relay(pool, SALT);
    relay.AddPeer(1, Outbound(), 0us);
    relay.OnFeeFilter(1, consensus::Amount{2000}); // 2 sat/vB
    std::vector<consensus::TransactionRef> txs;
    for (uint32_t i = 0; i < 100; ++i) {
        txs.push_back(MakeTestTx(i));
        pool.Add(txs.back(), 100 + 10 * i, 100); // 1 to 10.9 sat/vB
        relay.RelayTransaction(txs.back()->GetTxid(), txs.back()->GetWtxid());
    }
    const auto cheap = MakeTestTx(500);
    pool.Add(cheap, 150, 100); // 1.5 sat/vB: under the filter
    relay.RelayTransaction(cheap->GetTxid(), cheap->GetWtxid());
    CHECK(relay.PeerFeeFilter(1) == consensus::Amount{2000});
    auto first = relay.AnnouncementsDue(1, 1000s);
    REQUIRE(first.size() == node::p2p::INVENTORY_BROADCAST_TARGET);
    CHECK(first[0].hash == txs[99]->GetTxid()); // the highest fee rate first
    auto second = relay.AnnouncementsDue(1, 2000s);
    // 90 of the 100 pass the filter (fee >= 200); 70 went first.
    CHECK(second.size() == 90 - node::p2p::INVENTORY_BROADCAST_TARGET);
    for (const auto& inv : second) CHECK(inv.hash != cheap->GetTxid());
    relay.OnFeeFilter(1, consensus::Amount{-5}); // out of range: ignored
    CHECK(relay.PeerFeeFilter(1) == consensus::Amount{2000});
}

TEST_CASE("tx relay: BIP-35 mempool only with the permission", "[node][txrelay]")
{
    FakeTxPool pool;
    TxRelay relay(pool, SALT);
    relay.AddPeer(1, Inbound(), 0us);
    TxRelayPeerInfo allowed = Inbound();
    allowed.mempool_permission = true;
    relay.AddPeer(2, allowed, 0us);
    const auto tx = MakeTestTx(1);
    pool.Add(tx, 1000, 100, 1000s);
    CHECK_FALSE(relay.OnMempoolRequest(1));
    CHECK(relay.OnMempoolRequest(2));
    auto a = relay.AnnouncementsDue(2, 1000s);
    REQUIRE(a.size() == 1);
    CHECK(relay.TxToServe(2, TxInv(tx), 1000s) == tx);
}

TEST_CASE("tx relay: our feefilter schedule", "[node][txrelay]")
{
    FakeTxPool pool;
    TxRelay relay(pool, SALT, 7);
    relay.AddPeer(1, Outbound(), 0us);
    TxRelayPeerInfo bro;
    bro.block_relay_only = true;
    relay.AddPeer(2, bro, 0us);
    CHECK_FALSE(relay.FeeFilterToSend(2, false, 0us));
    // During IBD: the highest bucket; right after, the real one.
    auto ibd = relay.FeeFilterToSend(1, true, 0us);
    REQUIRE(ibd);
    CHECK(ibd->sats > 9'000'000);
    auto real = relay.FeeFilterToSend(1, false, 1s);
    REQUIRE(real);
    CHECK(real->sats <= 1100);
    CHECK(real->sats > 900);
    CHECK_FALSE(relay.FeeFilterToSend(1, false, 2s)); // not before the next slot
    // A big rise in our minimum brings the next one within 5 minutes.
    pool.SetMinFeeRate(10'000);
    (void)relay.FeeFilterToSend(1, false, 3s);
    auto raised = relay.FeeFilterToSend(1, false, us{3s} + us{node::p2p::MAX_FEEFILTER_CHANGE_DELAY});
    REQUIRE(raised);
    CHECK(raised->sats > 7000);
}

TEST_CASE("tx relay: feefilter rounding", "[node][txrelay]")
{
    std::mt19937_64 rng(1);
    std::set<int64_t> seen;
    for (int i = 0; i < 200; ++i) {
        const auto r = node::p2p::RoundFeeFilter(consensus::Amount{1000}, rng);
        CHECK(r.sats <= 1100); // 50 * 1.1^k buckets around 1000: 959 and 1055
        CHECK(r.sats > 900);
        seen.insert(r.sats);
    }
    CHECK(seen.size() == 2); // its bucket or the one below, at random
    CHECK(node::p2p::RoundFeeFilter(consensus::Amount{0}, rng).sats == 0);
}

TEST_CASE("tx relay: a parent refused for its fee is not fetched alone, but is for its orphan (1p1c)",
          "[node][txrelay]")
{
    FakeTxPool pool;
    TxRelay relay(pool, SALT);
    relay.AddPeer(1, Outbound(), 0us);
    relay.SetWtxidRelay(1);
    const auto parent = MakeTestTx(1), child = MakeTestTx(2);
    auto out = relay.OnTxResult(1, parent, Reject(TxValidationResult::RECONSIDERABLE), 0us);
    CHECK(out.try_package);
    CHECK_FALSE(out.punish);
    CHECK(relay.RejectedReconsiderable(parent->GetWtxid()));
    CHECK_FALSE(relay.RecentlyRejected(parent->GetWtxid()));
    // Announced again by wtxid: not downloaded again alone; received again: not submitted alone.
    CHECK(relay.OnTxInv(1, WtxInv(parent), false, 1s) == TxRelay::InvResult::IGNORED);
    CHECK_FALSE(relay.OnTxReceived(1, parent));
    // Its child is an orphan, and the parent is asked for by txid (a reject for another reason would not be).
    out = relay.OnTxResult(1, child, TxSubmitResult::MissingInputs({parent->GetTxid()}), 2s);
    CHECK(out.keep_as_orphan);
    REQUIRE(out.parents_requested.size() == 1);
    const auto g = relay.GetDataToSend(1, 2s);
    REQUIRE(g.size() == 1);
    CHECK(g[0] == net::Inv{net::MSG_WITNESS_TX, parent->GetTxid()});
    // Other rejections are final for the child too, and never try a package.
    const auto bad = MakeTestTx(3);
    out = relay.OnTxResult(1, bad, Reject(TxValidationResult::NOT_STANDARD), 3s);
    CHECK_FALSE(out.try_package);
    // The tip moving forgets the fee refusals as well (Core).
    relay.OnTipChanged();
    CHECK_FALSE(relay.RejectedReconsiderable(parent->GetWtxid()));
}

TEST_CASE("tx relay: serving a child makes its recent unconfirmed parents requestable by txid", "[node][txrelay]")
{
    FakeTxPool pool;
    TxRelay relay(pool, SALT);
    relay.AddPeer(1, Outbound(), 0us);
    relay.SetWtxidRelay(1);
    const auto parent = MakeTestTx(1);
    consensus::MutableTransaction m;
    consensus::TxIn in;
    in.prevout = consensus::OutPoint(parent->GetTxid(), 0);
    in.witness.stack.push_back({7});
    m.vin.push_back(in);
    m.vout.emplace_back(consensus::Amount{500}, consensus::Script{});
    const auto child = consensus::MakeTransactionRef(std::move(m));
    pool.Add(parent, 1000, 100, 1000s);
    pool.Add(child, 1000, 100, 1000s);
    const us now{1000s};
    // Only the child was announced (the parent by wtxid would not make its txid servable).
    relay.RelayTransaction(child->GetTxid(), child->GetWtxid());
    REQUIRE(relay.AnnouncementsDue(1, now + 10s).size() == 1);
    CHECK(relay.TxToServe(1, TxInv(parent), now + 10s) == nullptr);
    CHECK(relay.TxToServe(1, WtxInv(child), now + 10s) == child);
    CHECK(relay.TxToServe(1, net::Inv{net::MSG_WITNESS_TX, parent->GetTxid()}, now + 10s) == parent);
}

TEST_CASE("tx relay: transactions of a connected block are not fetched again until a block leaves", "[node][txrelay]")
{
    FakeTxPool pool;
    TxRelay relay(pool, SALT);
    relay.AddPeer(1, Outbound(), 0us);
    relay.AddPeer(2, Outbound(), 0us);
    relay.SetWtxidRelay(2);
    const auto tx = MakeTestTx(1);
    consensus::Block block;
    block.vtx.push_back(tx);
    relay.OnBlockConnected(block);
    using R = TxRelay::InvResult;
    CHECK(relay.OnTxInv(1, TxInv(tx), false, 0us) == R::IGNORED);  // by txid
    CHECK(relay.OnTxInv(2, WtxInv(tx), false, 0us) == R::IGNORED); // by wtxid
    relay.OnBlockDisconnected();
    CHECK(relay.OnTxInv(2, WtxInv(tx), false, 0us) == R::TRACKED);
}
