// Standardness and finality rules of MempoolAcceptor with Core v30's reject reasons and
// TxValidationResult: ephemeral dust's zero fee, BIP-68 and nLockTime finality, -datacarrier,
// -datacarriersize, -permitbaremultisig.
#include "mempool_accept_fixture.h"

#include "node/chain/block_index.h"

#include <catch2/catch.hpp>

using namespace consensus;
using namespace mempool_accept_test;
using testutil::CoinOf;

TEST_CASE("ephemeral dust: a transaction with a dust output must pay no fee", "[node][mempool_policy]")
{
    // No relay fee floor, so that a zero-fee transaction may enter alone.
    Fixture f({}, [](node::mempool::TxMemPool::Options& o) { o.min_relay_feerate = Amount{0}; });
    const auto cb = f.Coinbase(1);
    const TransactionRef paying = f.Make(3, {cb}, {f.Pay(cb.txout.value.sats - 1000), f.Pay(0)});
    RequireInvalid(f.Accept(paying), TxValidationResult::NOT_STANDARD, "dust", "tx with dust output must be 0-fee");
    CHECK(f.Accept(paying).state.ToString() == "dust, tx with dust output must be 0-fee");
    // Two dust outputs are never standard (IsStandardTx, no message).
    const TransactionRef two = f.Make(3, {cb}, {f.Pay(cb.txout.value.sats - 1000), f.Pay(0), f.Pay(100)});
    RequireInvalid(f.Accept(two), TxValidationResult::NOT_STANDARD, "dust");
    CHECK(f.Accept(two).state.GetDebugMessage().empty());

    // The same dust with no fee is fine ...
    const TransactionRef free = f.Make(3, {cb}, {f.Pay(cb.txout.value.sats), f.Pay(0)});
    RequireValid(f.Accept(free, /*test=*/true));
    // ... unless prioritised: the modified fee counts too.
    f.pool.PrioritiseTransaction(free->GetTxid(), Amount{1000});
    RequireInvalid(f.Accept(free), TxValidationResult::NOT_STANDARD, "dust", "tx with dust output must be 0-fee");
    f.pool.ClearPrioritisation(free->GetTxid());
    RequireValid(f.Accept(free));
}

TEST_CASE("BIP-68: relative lock-times must be met in the next block", "[node][mempool_policy]")
{
    Fixture f;
    // The coinbase of block 1 has 110 confirmations; the next block is 111.
    const auto cb = f.Coinbase(1);
    auto spend = [&](uint32_t version, uint32_t sequence) {
        return f.Make(version, {cb}, {f.Pay(cb.txout.value.sats - 1000)}, 0, sequence);
    };
    RequireInvalid(f.Accept(spend(2, 111)), TxValidationResult::PREMATURE_SPEND, "non-BIP68-final");
    RequireValid(f.Accept(spend(2, 110), /*test=*/true));
    // Version 1 does not take part in BIP-68, nor does an input with the disable flag.
    RequireValid(f.Accept(spend(1, 111), /*test=*/true));
    RequireValid(f.Accept(spend(2, (1u << 31) | 111), /*test=*/true));
    // Time-based: 512-second units against the median time past of the coin's block's parent.
    RequireInvalid(f.Accept(spend(2, (1u << 22) | 0xffff)), TxValidationResult::PREMATURE_SPEND, "non-BIP68-final");

    // A pool parent counts as confirmed in the next block: a child may not ask for one more.
    const TransactionRef parent = spend(2, 0xfffffffe);
    RequireValid(f.Accept(parent));
    const auto coin = CoinOf(parent, 0);
    RequireInvalid(f.Accept(f.Make(2, {coin}, {f.Pay(coin.txout.value.sats - 1000)}, 0, 1)),
                   TxValidationResult::PREMATURE_SPEND, "non-BIP68-final");
    RequireValid(f.Accept(f.Make(2, {coin}, {f.Pay(coin.txout.value.sats - 1000)}, 0, 0)));
}

TEST_CASE("nLockTime: a time lock must be final at the tip's median time past", "[node][mempool_policy]")
{
    Fixture f;
    const int64_t mtp = f.b.Chain().Tip()->GetMedianTimePast();
    REQUIRE(mtp >= 500'000'000);
    const auto cb = f.Coinbase(1);
    auto spend = [&](int64_t locktime, uint32_t sequence) {
        return f.Make(2, {cb}, {f.Pay(cb.txout.value.sats - 1000)}, static_cast<uint32_t>(locktime), sequence);
    };
    // BIP-113: final only if the lock-time is below the median time past.
    RequireInvalid(f.Accept(spend(mtp, 0xfffffffe)), TxValidationResult::PREMATURE_SPEND, "non-final");
    RequireValid(f.Accept(spend(mtp - 1, 0xfffffffe), /*test=*/true));
    // Final sequences disable the lock-time.
    RequireValid(f.Accept(spend(mtp + 1'000'000, 0xffffffff), /*test=*/true));
    // A height lock: the next block is 111.
    RequireInvalid(f.Accept(spend(111, 0xfffffffe)), TxValidationResult::PREMATURE_SPEND, "non-final");
    RequireValid(f.Accept(spend(110, 0xfffffffe), /*test=*/true));
}

TEST_CASE("-datacarrier and -datacarriersize: OP_RETURN outputs", "[node][mempool_policy]")
{
    SECTION("-datacarrier=0 refuses any data output")
    {
        node::mempool::AcceptOptions opts;
        opts.policy.datacarrier = false;
        Fixture f(opts);
        const auto cb = f.Coinbase(1);
        RequireInvalid(f.Accept(f.Make(2, {cb}, {f.Pay(cb.txout.value.sats - 1000), DataOut(4)})),
                       TxValidationResult::NOT_STANDARD, "datacarrier");
        RequireValid(f.Accept(f.Make(2, {cb}, {f.Pay(cb.txout.value.sats - 1000)}), /*test=*/true));
    }
    SECTION("-datacarriersize limits all data outputs together")
    {
        node::mempool::AcceptOptions opts;
        opts.policy.max_datacarrier_bytes = 83;
        Fixture f(opts);
        const auto cb = f.Coinbase(1);
        const TxOut pay = f.Pay(cb.txout.value.sats - 1000);
        // Scripts of 42 and 41 bytes (OP_RETURN, a push opcode, data): 83 in all.
        REQUIRE(OpReturn(40).size() == 42);
        RequireValid(f.Accept(f.Make(2, {cb}, {pay, DataOut(40), DataOut(39)}), /*test=*/true));
        RequireInvalid(f.Accept(f.Make(2, {cb}, {pay, DataOut(40), DataOut(40)})), TxValidationResult::NOT_STANDARD,
                       "datacarrier");
        // One output of 84 bytes (OP_RETURN, OP_PUSHDATA1 and its length, 81 bytes), then 83.
        REQUIRE(OpReturn(81).size() == 84);
        RequireInvalid(f.Accept(f.Make(2, {cb}, {pay, DataOut(81)})), TxValidationResult::NOT_STANDARD, "datacarrier");
        RequireValid(f.Accept(f.Make(2, {cb}, {pay, DataOut(80)}), /*test=*/true));
    }
}

TEST_CASE("-permitbaremultisig=0 refuses bare multisig outputs", "[node][mempool_policy]")
{
    Script multisig;
    multisig << OP_1 << testutil::TestKey(9).pubkey << OP_1 << OP_CHECKMULTISIG;
    for (const bool permit : {true, false}) {
        node::mempool::AcceptOptions opts;
        opts.policy.permit_bare_multisig = permit;
        Fixture f(opts);
        const auto cb = f.Coinbase(1);
        const TransactionRef tx =
            f.Make(2, {cb}, {f.Pay(cb.txout.value.sats - 101'000), TxOut(Amount{100'000}, multisig)});
        if (permit) {
            RequireValid(f.Accept(tx));
        } else {
            RequireInvalid(f.Accept(tx), TxValidationResult::NOT_STANDARD, "bare-multisig");
        }
    }
}

TEST_CASE("ephemeral dust: a child must spend all of its parent's dust", "[node][mempool_policy]")
{
    Fixture f({}, [](node::mempool::TxMemPool::Options& o) { o.min_relay_feerate = Amount{0}; });
    const auto cb = f.Coinbase(1);
    const TransactionRef parent = f.Make(3, {cb}, {f.Pay(cb.txout.value.sats), f.Pay(0)});
    RequireValid(f.Accept(parent));
    const int64_t value = parent->vout[0].value.sats;
    const TransactionRef skips = f.Make(3, {CoinOf(parent, 0)}, {f.Pay(value - 1000)});
    RequireInvalid(f.Accept(skips), TxValidationResult::MEMPOOL_POLICY, "missing-ephemeral-spends",
                   "tx " + Id(skips) + " did not spend parent's ephemeral dust");
    CHECK(f.Accept(skips).state.ToString() ==
          "missing-ephemeral-spends, tx " + Id(skips) + " did not spend parent's ephemeral dust");
    const TransactionRef sweeps = f.Make(3, {CoinOf(parent, 0), CoinOf(parent, 1)}, {f.Pay(value - 1000)});
    RequireValid(f.Accept(sweeps));
    CHECK(f.pool.Size() == 2);
}

TEST_CASE("ephemeral dust in a package: unspent-dust", "[node][mempool_policy]")
{
    Fixture f;
    const auto cb = f.Coinbase(1);
    const TransactionRef parent = f.Make(3, {cb}, {f.Pay(cb.txout.value.sats), f.Pay(0)});
    const int64_t value = parent->vout[0].value.sats;
    const TransactionRef skips = f.Make(3, {CoinOf(parent, 0)}, {f.Pay(value - 5000)});
    auto pr = f.acc.AcceptPackage({parent, skips}, f.now);
    INFO(pr.state.ToString());
    CHECK(pr.state.GetRejectReason() == "unspent-dust");
    REQUIRE(pr.results.size() == 2);
    // The parent keeps the verdict it had alone; the child is refused for the dust.
    CHECK(pr.results[0].second.state.GetRejectReason() == "min relay fee not met");
    RequireInvalid(pr.results[1].second, TxValidationResult::MEMPOOL_POLICY, "missing-ephemeral-spends",
                   "tx " + Id(skips) + " did not spend parent's ephemeral dust");
    CHECK(f.pool.Size() == 0);

    const TransactionRef sweeps = f.Make(3, {CoinOf(parent, 0), CoinOf(parent, 1)}, {f.Pay(value - 5000)});
    pr = f.acc.AcceptPackage({parent, sweeps}, f.now);
    INFO(pr.state.ToString());
    CHECK(pr.state.IsValid());
    CHECK(f.pool.Size() == 2);
}

TEST_CASE("BIP-54: at most 2500 legacy sigops per transaction", "[node][mempool_policy]")
{
    Fixture f;
    // A P2SH redeem script worth 15 sigops (a 0-of-15 CHECKMULTISIG, which checks no key): 167
    // inputs execute 2505 legacy sigops, 166 execute 2490 (Core's feature_bip54 numbers).
    Script redeem;
    redeem << OP_0 << OP_0;
    for (int i = 0; i < 15; ++i) redeem << OP_1;
    redeem << OP_15 << OP_CHECKMULTISIG;
    REQUIRE(redeem.GetSigOpCount(true) == 15);
    const auto cb = f.Coinbase(1);
    constexpr int N = 167;
    constexpr int64_t EACH = 1'000'000;
    std::vector<TxOut> outs(N, TxOut(Amount{EACH}, testutil::P2SH(redeem)));
    outs.push_back(f.Pay(cb.txout.value.sats - N * EACH - 100'000));
    const TransactionRef fund = f.Make(2, {cb}, outs);
    REQUIRE(f.b.Mine({fund}).IsValid());

    auto spend = [&](int n) {
        std::vector<testutil::Utxo> coins;
        for (int i = 0; i < n; ++i) coins.push_back(CoinOf(fund, static_cast<uint32_t>(i)));
        MutableTransaction m = testutil::MakeTx(coins, {f.Pay(n * EACH - 100'000)});
        for (auto& in : m.vin) in.script_sig << std::vector<uint8_t>(redeem.begin(), redeem.end());
        return MakeTransactionRef(std::move(m));
    };
    const TransactionRef over = spend(N);
    RequireInvalid(f.Accept(over), TxValidationResult::INPUTS_NOT_STANDARD, "bad-txns-nonstandard-inputs",
                   "non-witness sigops exceed bip54 limit");
    RequireValid(f.Accept(spend(N - 1)));
    // A policy rule only: a block may still hold it.
    CHECK(f.b.Mine({over}).IsValid());
}

TEST_CASE("replacement: at most 100 transactions evicted (BIP-125 rule 5), checked after the fee rate",
          "[node][mempool_policy]")
{
    Fixture f;
    const auto cb = f.Coinbase(1);
    constexpr int N = 101;
    constexpr int64_t EACH = 1'000'000;
    std::vector<TxOut> outs(N, f.Pay(EACH));
    outs.push_back(f.Pay(cb.txout.value.sats - N * EACH - 100'000));
    const TransactionRef fund = f.Make(2, {cb}, outs);
    REQUIRE(f.b.Mine({fund}).IsValid());
    std::vector<testutil::Utxo> coins;
    for (uint32_t i = 0; i < N; ++i) {
        coins.push_back(CoinOf(fund, i));
        RequireValid(f.Accept(f.Spend(2, coins.back(), 1000)));
    }
    REQUIRE(f.pool.Size() == N);
    // One transaction spending all 101 coins conflicts with 101 pool transactions.
    const TransactionRef all = f.Make(2, coins, {f.Pay(N * EACH - 5'000'000)});
    RequireInvalid(f.Accept(all), TxValidationResult::MEMPOOL_POLICY, "too many potential replacements");
    CHECK(f.Accept(all).state.GetDebugMessage() ==
          "rejecting replacement " + all->GetTxid().GetHex() + "; too many potential replacements (101 > 100)");
    // Core checks the fee rate against each conflict first.
    const TransactionRef cheap = f.Make(2, coins, {f.Pay(N * EACH - 2000)});
    RequireInvalid(f.Accept(cheap), TxValidationResult::RECONSIDERABLE, "insufficient fee");
    // 100 are allowed.
    coins.pop_back();
    RequireValid(f.Accept(f.Make(2, coins, {f.Pay((N - 1) * EACH - 5'000'000)})));
    CHECK(f.pool.Size() == 2);
    f.pool.Check();
}
