// The wallet against a fake chain: records, receiving and maturing, reorgs, block conflicts,
// trust of unconfirmed transactions, abandoning, and a storage failure.
#include "fake_chain.h"

#include "common/sign.h"
#include "consensus/primitives/transaction.h"

#include "storage/fault_env.h"
#include "wallet/context.h"
#include "wallet/rpc/util.h"
#include "wallet/spend.h"
#include "wallet/wallet.h"
#include "wallet/walletdb.h"

#include <catch2/catch.hpp>

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <thread>

using namespace wallet;
using consensus::Amount;
using wallet_test::FakeChain;
using wallet_test::TempDir;

namespace {

struct Fixture {
    FakeChain chain;
    TempDir dir;
    std::vector<std::string> fatal;
    WalletEnv env;
    std::shared_ptr<Wallet> w;
    explicit Fixture(leveldb::Env* db_env = nullptr)
    {
        env.chain = &chain;
        env.keypool = 20;
        env.db_env = db_env;
        env.fatal_error = [this](const std::string& e) { fatal.push_back(e); };
        chain.Mine(consensus::Script(std::vector<uint8_t>{0x51})); // genesis: pays nobody
        std::string error;
        w = Wallet::Create(env, "w", dir.path / "w", CreateOptions{}, error);
        REQUIRE(w);
        REQUIRE(Wallet::AttachChain(w, error));
    }
    consensus::Script NewScript(OutputType t = OutputType::BECH32)
    {
        std::string error;
        auto s = w->GetNewScript(t, "", false, error);
        REQUIRE(s);
        return *s;
    }
};

Amount Btc(int64_t n) { return Amount{n * consensus::COIN.sats}; }

/** A transaction spending outpoint into one output of value to script (no signatures: the fake chain does not check). */
consensus::TransactionRef Spend(const consensus::OutPoint& from, const consensus::Script& to, Amount value)
{
    consensus::MutableTransaction tx;
    consensus::TxIn in;
    in.prevout = from;
    tx.vin.push_back(in);
    tx.vout.push_back(consensus::TxOut{value, to});
    return consensus::MakeTransactionRef(tx);
}

} // namespace

TEST_CASE("Wallet records decode what they encode and refuse damaged values", "[wallet]")
{
    WalletDescriptor d{"wpkh(xpub)#abcdefgh", 1234, 7, true, OutputType::BECH32};
    const WalletDescriptor back = DecodeDescriptor(EncodeDescriptor(d));
    CHECK(back.descriptor == d.descriptor);
    CHECK(back.next_index == 7);
    CHECK(back.internal);
    CHECK(back.type == OutputType::BECH32);
    std::string enc = EncodeDescriptor(d);
    CHECK_THROWS_AS(DecodeDescriptor(enc + "x"), consensus::DecodeError);
    CHECK_THROWS_AS(DecodeDescriptor(enc.substr(0, enc.size() - 1)), consensus::DecodeError);
    enc.back() = 9; // an output type that does not exist
    CHECK_THROWS_AS(DecodeDescriptor(enc), consensus::DecodeError);
    // An import's range: the end alone (as records written before range starts existed), then
    // with a start, which must not pass the next index.
    d.range_end = 20;
    CHECK(DecodeDescriptor(EncodeDescriptor(d)).range_end == 20);
    CHECK(DecodeDescriptor(EncodeDescriptor(d)).range_start == 0);
    d.range_start = 5;
    const WalletDescriptor ranged = DecodeDescriptor(EncodeDescriptor(d));
    CHECK(ranged.range_start == 5);
    CHECK(ranged.range_end == 20);
    d.range_start = 8; // past next_index 7
    CHECK_THROWS_AS(DecodeDescriptor(EncodeDescriptor(d)), consensus::DecodeError);

    WalletTx wtx;
    wtx.tx = Spend(consensus::OutPoint{consensus::Uint256::FromHex(std::string(64, '1')).value(), 3},
                   consensus::Script(std::vector<uint8_t>{0x51}), Btc(1));
    wtx.state =
        TxState{TxState::Kind::CONFIRMED, consensus::Uint256::FromHex(std::string(64, '2')).value(), 5, 1, false};
    wtx.time_received = 99;
    wtx.time_smart = 98;
    wtx.meta["comment"] = "rent";
    const WalletTx wback = DecodeWalletTx(EncodeWalletTx(wtx));
    CHECK(wback.tx->GetTxid() == wtx.tx->GetTxid());
    CHECK(wback.state == wtx.state);
    CHECK(wback.time_smart == 98);
    CHECK(wback.meta == wtx.meta);
    // A huge meta count is refused before anything is allocated for it.
    std::string bad = EncodeWalletTx(wtx);
    bad.resize(bad.size() - (1 + 1 + 7 + 1 + 4)); // drop the one meta entry ("comment", "rent")
    bad += std::string("\xfe\xff\xff\xff\x7f", 5);
    CHECK_THROWS_AS(DecodeWalletTx(bad), consensus::DecodeError);
}

TEST_CASE("A wallet receives, matures coinbases, and undoes a disconnected block's payment", "[wallet]")
{
    Fixture f;
    const consensus::Script mine = f.NewScript();
    const consensus::Block paid = f.chain.Mine(mine);
    CHECK(f.w->GetBalances().immature == Btc(50));
    CHECK(f.w->GetBalances().trusted == Amount{0});
    for (int i = 0; i < 100; ++i) f.chain.Mine(consensus::Script(std::vector<uint8_t>{0x51}));
    CHECK(f.w->GetBalances().immature == Amount{0});
    CHECK(f.w->GetBalances().trusted == Btc(50));
    CHECK(f.w->AvailableCoins(1, 9999999, false).size() == 1);
    f.chain.Disconnect();
    CHECK(f.w->GetBalances().trusted == Amount{0}); // immature again
    CHECK(f.w->GetBalances().immature == Btc(50));
    for (int i = 0; i < 100; ++i) f.chain.Disconnect();
    auto wtx = f.w->GetTx(paid.vtx[0]->GetTxid());
    REQUIRE(wtx);
    CHECK(wtx->state.kind == TxState::Kind::INACTIVE);
    CHECK(f.w->GetBalances().immature == Amount{0});
}

TEST_CASE("A payment to an address beyond the next one is found within the lookahead, and the lookahead moves",
          "[wallet]")
{
    Fixture f;
    std::string error;
    const auto before = f.w->KeypoolSizes().first;
    // Index 15 of the bech32 descriptor (keypool 20): never handed out, yet watched.
    auto spkm_script = [&](int index) {
        for (const auto& [d, active] : f.w->Descriptors()) {
            if (active && !d.internal && d.type == OutputType::BECH32) {
                auto parsed = common::ParseDescriptor(d.descriptor, f.chain.Params(), error);
                REQUIRE(parsed);
                auto s = parsed->Expand(static_cast<uint32_t>(index), error);
                REQUIRE(s);
                return *s;
            }
        }
        FAIL("no active bech32 descriptor");
        return consensus::Script();
    };
    f.chain.Mine(spkm_script(15));
    CHECK(f.w->GetBalances().immature == Btc(50));
    // The next address handed out comes after the used one, and 20 more are watched beyond it.
    CHECK(f.NewScript() == spkm_script(16));
    CHECK(f.w->KeypoolSizes().first == before); // still 20 watched beyond the next index
    f.chain.Mine(spkm_script(36));
    CHECK(f.w->GetBalances().immature == Btc(100));
}

TEST_CASE("A wallet transaction conflicted by a block loses its place and gets it back when the block goes", "[wallet]")
{
    Fixture f;
    const consensus::Script mine = f.NewScript();
    const consensus::Block paid = f.chain.Mine(mine);
    for (int i = 0; i < 100; ++i) f.chain.Mine(consensus::Script(std::vector<uint8_t>{0x51}));
    const consensus::OutPoint coin{paid.vtx[0]->GetTxid(), 0};
    // Our spend, to another of our addresses, waits in the mempool.
    const auto ours = Spend(coin, f.NewScript(), Btc(49));
    std::string error;
    REQUIRE(f.w->AddOwnTransaction(ours, {}, error));
    f.chain.AddToMempool(ours);
    CHECK(f.w->IsTrusted(ours->GetTxid())); // ours, in the mempool, spending our confirmed coin
    CHECK(f.w->GetBalances().trusted == Btc(49));
    // A block confirms another spend of the same coin (a double spend, to someone else).
    const auto theirs = Spend(coin, consensus::Script(std::vector<uint8_t>{0x52}), Btc(48));
    f.chain.RemoveFromMempool(ours->GetTxid());
    f.chain.Mine(consensus::Script(std::vector<uint8_t>{0x51}), {theirs});
    auto wtx = f.w->GetTx(ours->GetTxid());
    REQUIRE(wtx);
    CHECK(wtx->state.kind == TxState::Kind::BLOCK_CONFLICTED);
    CHECK(f.w->Depth(*wtx) == -1);
    CHECK(f.w->GetBalances().trusted == Amount{0});
    CHECK(f.w->Conflicts(*ours) == std::vector<consensus::Uint256>{theirs->GetTxid()});
    // The block goes: our spend is no longer conflicted (unconfirmed, not in the mempool).
    f.chain.Disconnect();
    wtx = f.w->GetTx(ours->GetTxid());
    CHECK(wtx->state.kind == TxState::Kind::INACTIVE);
    CHECK(f.w->Depth(*wtx) == 0);
    // Neither spend is confirmed or in the mempool now; both still hold the coin (Core's IsSpent)
    // until abandoned.
    CHECK(f.w->GetBalances().trusted == Amount{0});
    CHECK(f.w->AvailableCoins(0, 9999999, true).empty());
    REQUIRE(f.w->AbandonTransaction(ours->GetTxid(), error));
    CHECK(f.w->GetBalances().trusted == Amount{0});
    CHECK(f.w->AvailableCoins(0, 9999999, true).empty()); // theirs still spends it
    REQUIRE(f.w->AbandonTransaction(theirs->GetTxid(), error));
    CHECK(f.w->GetBalances().trusted == Btc(50));
    const auto back = f.w->AvailableCoins(1, 9999999, false);
    REQUIRE(back.size() == 1);
    CHECK(back[0].outpoint == coin);
    // A transaction in the mempool cannot be abandoned.
    const auto again = Spend(coin, f.NewScript(), Btc(49));
    REQUIRE(f.w->AddOwnTransaction(again, {}, error));
    f.chain.AddToMempool(again);
    CHECK_FALSE(f.w->AbandonTransaction(again->GetTxid(), error));
    CHECK(error == "Transaction not eligible for abandonment");
}

TEST_CASE("Unconfirmed payments from others are untrusted and pending", "[wallet]")
{
    Fixture f;
    const auto incoming =
        Spend(consensus::OutPoint{consensus::Uint256::FromHex(std::string(64, '7')).value(), 0}, f.NewScript(), Btc(2));
    f.chain.AddToMempool(incoming);
    const Balances b = f.w->GetBalances();
    CHECK(b.untrusted_pending == Btc(2));
    CHECK(b.trusted == Amount{0});
    CHECK(f.w->AvailableCoins(0, 9999999, false).empty()); // not safe
    CHECK(f.w->AvailableCoins(0, 9999999, true).size() == 1);
    // Dropped from the mempool without confirming: no longer counted at all.
    f.chain.RemoveFromMempool(incoming->GetTxid());
    CHECK(f.w->GetBalances().untrusted_pending == Amount{0});
}

TEST_CASE("Trust in a chain of our unconfirmed spends follows its parents on every walk", "[wallet]")
{
    Fixture f;
    const consensus::Block paid = f.chain.Mine(f.NewScript());
    for (int i = 0; i < 100; ++i) f.chain.Mine(consensus::Script(std::vector<uint8_t>{0x51}));
    const auto coinbase_coins = f.w->AvailableCoins(1, 9999999, false);
    REQUIRE(coinbase_coins.size() == 1); // mature now (the coinbase flag read once, kept)
    CHECK(coinbase_coins[0].coinbase);
    // Parent and child: ours, in the mempool, each spending the one before.
    std::string error;
    const auto parent = Spend({paid.vtx[0]->GetTxid(), 0}, f.NewScript(), Btc(49));
    REQUIRE(f.w->AddOwnTransaction(parent, {}, error));
    f.chain.AddToMempool(parent);
    const auto child = Spend({parent->GetTxid(), 0}, f.NewScript(), Btc(48));
    REQUIRE(f.w->AddOwnTransaction(child, {}, error));
    f.chain.AddToMempool(child);
    auto safe_coins = [&] { return f.w->AvailableCoins(0, 9999999, /*include_unsafe=*/false); };
    for (int walk = 0; walk < 2; ++walk) { // the second walk finds the parents in the records, judges again
        const auto coins = safe_coins();
        REQUIRE(coins.size() == 1);
        CHECK(coins[0].outpoint == consensus::OutPoint{child->GetTxid(), 0});
        CHECK(coins[0].safe);
        CHECK_FALSE(coins[0].coinbase);
        CHECK(f.w->GetBalances().trusted == Btc(48));
    }
    // The parent leaves the pool: the child is no longer trusted, though the last walks said so.
    f.chain.RemoveFromMempool(parent->GetTxid());
    CHECK_FALSE(f.w->IsTrusted(child->GetTxid()));
    CHECK(safe_coins().empty());
    const auto unsafe = f.w->AvailableCoins(0, 9999999, /*include_unsafe=*/true);
    REQUIRE(unsafe.size() == 1);
    CHECK_FALSE(unsafe[0].safe);
    CHECK(f.w->GetBalances().trusted == Amount{0});
    // Back in the pool: trusted again.
    f.chain.AddToMempool(parent);
    CHECK(f.w->IsTrusted(child->GetTxid()));
    CHECK(safe_coins().size() == 1);
}

TEST_CASE("A wallet loaded after a payment entered the mempool finds it there", "[wallet]")
{
    Fixture f;
    const consensus::Script mine = f.NewScript();
    f.w->Disconnect();
    f.w.reset(); // unloaded: the payment below reaches the mempool only
    const auto incoming =
        Spend(consensus::OutPoint{consensus::Uint256::FromHex(std::string(64, '6')).value(), 0}, mine, Btc(3));
    f.chain.AddToMempool(incoming);
    std::string error;
    auto w = Wallet::Load(f.env, "w", f.dir.path / "w", error);
    REQUIRE(w);
    CHECK_FALSE(w->GetTx(incoming->GetTxid()));
    REQUIRE(Wallet::AttachChain(w, error));
    CHECK(w->GetTx(incoming->GetTxid()));
    CHECK(w->GetBalances().untrusted_pending == Btc(3));
    w->Disconnect();
}

TEST_CASE("Cached balances stay right as the wallet and the pool change", "[wallet][balance-cache]")
{
    Fixture f;
    const auto incoming =
        Spend(consensus::OutPoint{consensus::Uint256::FromHex(std::string(64, '7')).value(), 0}, f.NewScript(), Btc(2));
    f.chain.AddToMempool(incoming);
    // The wallet answers from its own record of the pool (the notifications), never asking it.
    f.chain.in_mempool_calls = 0;
    CHECK(f.w->GetBalances().untrusted_pending == Btc(2));
    CHECK(f.w->GetBalances().untrusted_pending == Btc(2));
    CHECK(f.w->GetBalances(0).untrusted_pending == Btc(2));
    // Another depth is its own entry.
    CHECK(f.w->GetBalances(1).trusted == Amount{0});
    // A transaction that does not involve the wallet changes nothing.
    f.chain.AddToMempool(Spend(consensus::OutPoint{consensus::Uint256::FromHex(std::string(64, '8')).value(), 0},
                               consensus::Script(std::vector<uint8_t>{0x51}), Btc(1)));
    CHECK(f.w->GetBalances().untrusted_pending == Btc(2));
    CHECK(f.chain.in_mempool_calls == 0);
    // Confirmed: a block is a commit, the cache goes.
    const int height_before = f.w->GetBalances().at.height;
    CHECK(height_before == f.w->LastBlock().height);
    f.chain.Mine(consensus::Script(std::vector<uint8_t>{0x51}), {incoming});
    Balances b = f.w->GetBalances();
    // The block they were computed at comes with them (getbalances' lastprocessedblock).
    CHECK(b.at.height == height_before + 1);
    CHECK(b.at.hash == f.w->LastBlock().hash);
    CHECK(b.untrusted_pending == Amount{0});
    CHECK(b.trusted == Btc(2));
    // Our own spend, recorded and then taken by the pool: trusted change while in the pool,
    // nothing once the pool drops it (its input stays spent until abandoned).
    const auto own = Spend(consensus::OutPoint{incoming->GetTxid(), 0}, f.NewScript(), Btc(1));
    std::string error;
    REQUIRE(f.w->AddOwnTransaction(own, {}, error));
    CHECK(f.w->GetBalances().trusted == Amount{0}); // not in the pool yet: not trusted
    f.chain.AddToMempool(own);                      // the wallet knows it: the arrival drops the cache
    CHECK(f.w->GetBalances().trusted == Btc(1));
    f.chain.RemoveFromMempool(own->GetTxid()); // the departure too
    b = f.w->GetBalances();
    CHECK(b.trusted == Amount{0});
    CHECK(b.untrusted_pending == Amount{0});
}

TEST_CASE("The mempool replay at attach skips a transaction that left the pool meanwhile", "[wallet][balance-cache]")
{
    Fixture f;
    std::string error;
    auto w2 = Wallet::Create(f.env, "w2", f.dir.path / "w2", CreateOptions{}, error);
    REQUIRE(w2);
    auto script = w2->GetNewScript(OutputType::BECH32, "", false, error);
    REQUIRE(script);
    // The node copied its pool, then this payment left it before the replay reached it.
    const auto gone =
        Spend(consensus::OutPoint{consensus::Uint256::FromHex(std::string(64, '9')).value(), 0}, *script, Btc(2));
    f.chain.replay_stale.push_back(gone);
    REQUIRE(Wallet::AttachChain(w2, error));
    CHECK_FALSE(w2->GetTx(gone->GetTxid()));
    CHECK(w2->GetBalances().untrusted_pending == Amount{0});
    // One still in the pool is taken, as in the pool.
    const auto kept =
        Spend(consensus::OutPoint{consensus::Uint256::FromHex(std::string(64, 'a')).value(), 0}, *script, Btc(3));
    f.chain.AddToMempool(kept);
    w2->Disconnect();
    w2.reset(); // closes its database
    auto w3 = Wallet::Load(f.env, "w2", f.dir.path / "w2", error);
    REQUIRE(w3);
    REQUIRE(Wallet::AttachChain(w3, error));
    CHECK(w3->GetBalances().untrusted_pending == Btc(3));
    w3->Disconnect();
}

TEST_CASE("The wallet counts its own broadcast as in the pool at once, then follows the pool's notifications",
          "[wallet][balance-cache]")
{
    Fixture f;
    const auto incoming =
        Spend(consensus::OutPoint{consensus::Uint256::FromHex(std::string(64, '7')).value(), 0}, f.NewScript(), Btc(2));
    f.chain.Mine(consensus::Script(std::vector<uint8_t>{0x51}), {incoming});
    REQUIRE(f.w->GetBalances().trusted == Btc(2));
    // The node's notifications lag behind its pool: the wallet's own send is trusted change
    // as soon as the broadcast returns (Core's TxStateInMempool), not when the arrival is heard.
    f.chain.hold_mempool_notifications = true;
    const auto own = Spend(consensus::OutPoint{incoming->GetTxid(), 0}, f.NewScript(), Btc(1));
    CHECK_FALSE(CommitTransaction(*f.w, own, {}));
    CHECK(f.w->GetBalances().trusted == Btc(1));
    CHECK(f.w->AvailableCoins(0, 9999999, false, true).size() == 1);
    // The pool drops it; until the wallet hears so, it still counts it, and then it does not.
    f.chain.RemoveFromMempool(own->GetTxid());
    CHECK(f.w->GetBalances().trusted == Btc(1));
    f.chain.DeliverHeld(); // the arrival, then the departure
    CHECK(f.w->GetBalances().trusted == Amount{0});
    CHECK(f.w->AvailableCoins(0, 9999999, true, true).empty());
    // Back in the pool (a rebroadcast): heard, trusted again.
    f.chain.AddToMempool(own);
    f.chain.DeliverHeld();
    CHECK(f.w->GetBalances().trusted == Btc(1));
}

TEST_CASE("A script's input size is computed once; unknown sizes and foreign scripts are not kept",
          "[wallet][balance-cache]")
{
    Fixture f;
    int calls = 0;
    auto size = [&calls]() { return ++calls, InputInfo{68, OutputType::BECH32}; };
    auto vsize = [&](const consensus::Script& s, const std::function<InputInfo()>& compute) {
        const InputInfo info = f.w->CachedInputInfo(s, compute);
        if (info.vsize >= 0) CHECK(info.type == OutputType::BECH32);
        return info.vsize;
    };
    // A failure is not kept, for the script or for its descriptor.
    auto unknown = [&calls]() { return ++calls, InputInfo{}; };
    const consensus::Script ours = f.NewScript();
    CHECK(vsize(ours, unknown) == -1);
    CHECK(calls == 1);
    CHECK(vsize(ours, size) == 68);
    CHECK(vsize(ours, size) == 68);
    CHECK(calls == 2);
    // Another script of the same descriptor, of the same form: its answer, not computed.
    const consensus::Script next = f.NewScript();
    CHECK(vsize(next, size) == 68);
    CHECK(calls == 2);
    // A script of another descriptor is measured.
    const consensus::Script legacy = f.NewScript(OutputType::LEGACY);
    CHECK(f.w->CachedInputInfo(legacy,
                               [&calls]() {
                                   return ++calls, InputInfo{148, OutputType::LEGACY};
                               })
              .vsize == 148);
    CHECK(calls == 3);
    const consensus::Script foreign(std::vector<uint8_t>{0x51});
    CHECK(vsize(foreign, size) == 68);
    CHECK(vsize(foreign, size) == 68);
    CHECK(calls == 5);
}

TEST_CASE("Every script of a default descriptor signs to the same size (what CachedInputInfo shares)",
          "[wallet][balance-cache]")
{
    // CachedInputInfo gives a new script the size measured for another script of its
    // descriptor: placeholder-signed, each must take the same weight.
    Fixture f;
    auto signed_weight = [&](const consensus::Script& spk) {
        const auto provider = f.w->GetProvider(spk, /*with_private=*/false);
        REQUIRE(provider);
        common::SignatureData sig;
        REQUIRE(common::ProduceSignature(*provider, common::DummySignatureCreator(), spk, sig));
        consensus::MutableTransaction tx;
        tx.vin.resize(1);
        common::UpdateInput(tx.vin[0], sig);
        return consensus::GetTransactionWeight(consensus::Transaction(tx));
    };
    for (OutputType t : {OutputType::LEGACY, OutputType::P2SH_SEGWIT, OutputType::BECH32, OutputType::BECH32M}) {
        const int64_t first = signed_weight(f.NewScript(t));
        for (int i = 0; i < 5; ++i) CHECK(signed_weight(f.NewScript(t)) == first);
        std::string error;
        const auto change = f.w->GetNewScript(t, "", /*internal=*/true, error);
        REQUIRE(change);
        CHECK(signed_weight(*change) == first);
    }
}

TEST_CASE("Balances stay right for each minconf as cached depths are dropped to make room", "[wallet][balance-cache]")
{
    Fixture f;
    f.chain.Mine(f.NewScript(), {});
    for (int i = 0; i < 100; ++i) f.chain.Mine(consensus::Script(std::vector<uint8_t>{0x51}), {});
    // Each depth's answer is right whichever entries were dropped to make room.
    for (int round = 0; round < 2; ++round) {
        for (int d = 0; d < 40; ++d) CHECK(f.w->GetBalances(d).trusted == (d <= 101 ? Btc(50) : Amount{0}));
    }
    CHECK(f.w->GetBalances(102).trusted == Amount{0});
}

TEST_CASE("A wallet that cannot write stops the node and hands out no address", "[wallet][storage]")
{
    storage_test::FaultEnv fault_env("wallet.ldb");
    Fixture f(&fault_env);
    std::string error;
    auto first = f.w->GetNewScript(OutputType::BECH32, "", false, error);
    REQUIRE(first);
    fault_env.FailWrites(true);
    CHECK_FALSE(f.w->GetNewScript(OutputType::BECH32, "", false, error));
    CHECK_FALSE(error.empty());
    REQUIRE(f.fatal.size() == 1);
    fault_env.Heal();
}

namespace {

/** A wallet (on fault_env) owning one mature coinbase, and a 1 BTC send of it to an outside script. */
struct SendFixture : Fixture {
    explicit SendFixture(storage_test::FaultEnv& fault_env) : Fixture(&fault_env)
    {
        chain.Mine(NewScript());
        for (int i = 0; i < 100; ++i) chain.Mine(consensus::Script(std::vector<uint8_t>{0x51}));
    }
    CreatedTransaction Create(bool commit_follows)
    {
        consensus::Script payee(std::vector<uint8_t>{0x00, 0x14});
        payee.resize(22, 0x42);
        CoinControl control;
        control.feerate = common::FeeRate(Amount{2000});
        control.commit_follows = commit_follows;
        SpendError error;
        auto created = CreateTransaction(*w, {{payee, Btc(1), false}}, control, error);
        INFO(error.message);
        REQUIRE(created);
        REQUIRE(created->change_pos);
        return *created;
    }
    /** The wallet as a restart finds it: closed, the disk healed (what it kept stays), opened again. */
    std::shared_ptr<Wallet> Reload(storage_test::FaultEnv& fault_env)
    {
        w->Disconnect();
        w.reset();
        fault_env.Heal();
        std::string error;
        auto reloaded = Wallet::Load(env, "w", dir.path / "w", error);
        INFO(error);
        REQUIRE(reloaded);
        return reloaded;
    }
};

} // namespace

TEST_CASE("A send's change address is written in the batch that records the transaction", "[wallet][storage]")
{
    storage_test::FaultEnv fault_env("wallet.ldb");
    SendFixture f(fault_env);
    // After one more synced write the disk takes nothing more, as a process killed there leaves it.
    fault_env.CrashAfterSyncs(1);
    const CreatedTransaction created = f.Create(/*commit_follows=*/true);
    REQUIRE_FALSE(CommitTransaction(*f.w, created.tx, {})); // that one write holds the change record too
    CHECK(f.fatal.empty());
    const consensus::Script change = created.tx->vout[*created.change_pos].script_pubkey;
    auto w = f.Reload(fault_env);
    CHECK(w->GetTx(created.tx->GetTxid()));
    CHECK(w->IsChange(change)); // the address came back with the transaction
    std::string error;
    const auto next = w->GetNewScript(OutputType::BECH32, "", /*internal=*/true, error);
    REQUIRE(next);
    CHECK(*next != change); // handed out once only
    w->Disconnect();
}

TEST_CASE("A change address of a transaction handed back unrecorded is written on its own", "[wallet][storage]")
{
    storage_test::FaultEnv fault_env("wallet.ldb");
    SendFixture f(fault_env);
    fault_env.CrashAfterSyncs(1);
    (void)f.Create(/*commit_follows=*/false); // fundrawtransaction's way: the change record's own write...
    std::string error;
    CHECK_FALSE(f.w->GetNewScript(OutputType::BECH32, "", false, error)); // ...so the next write finds the disk gone
    CHECK(f.fatal.size() == 1);
    fault_env.Heal();
}

TEST_CASE("A send whose record cannot be written fails with Core's db error and is not sent", "[wallet][storage]")
{
    storage_test::FaultEnv fault_env("wallet.ldb");
    SendFixture f(fault_env);
    const CreatedTransaction created = f.Create(/*commit_follows=*/true); // its change record waits for the commit
    fault_env.FailWrites(true);
    try {
        wallet::rpc::CommitOrThrow(*f.w, created.tx, {});
        FAIL("the send was reported as made");
    } catch (const common::rpc::RpcError& e) {
        CHECK(e.code == common::rpc::RPC_MISC_ERROR);
        CHECK(std::string(e.what()) == "CommitTransaction: Wallet db error, transaction commit failed");
    }
    CHECK(f.fatal.size() == 1);                              // the node stops
    CHECK_FALSE(f.chain.IsInMempool(created.tx->GetTxid())); // never broadcast
    auto w = f.Reload(fault_env);
    CHECK_FALSE(w->GetTx(created.tx->GetTxid())); // never recorded either
    w->Disconnect();
}

TEST_CASE("The deepest block conflict stands when a shallower one is disconnected", "[wallet]")
{
    Fixture f;
    const consensus::Script mine = f.NewScript();
    const consensus::Block b1 = f.chain.Mine(mine);
    const consensus::Block b2 = f.chain.Mine(mine);
    for (int i = 0; i < 100; ++i) f.chain.Mine(consensus::Script(std::vector<uint8_t>{0x51}));
    const consensus::OutPoint x{b1.vtx[0]->GetTxid(), 0}, y{b2.vtx[0]->GetTxid(), 0};
    consensus::MutableTransaction both;
    both.vin.resize(2);
    both.vin[0].prevout = x;
    both.vin[1].prevout = y;
    both.vout.push_back(consensus::TxOut{Btc(99), f.NewScript()});
    const auto ours = consensus::MakeTransactionRef(both);
    std::string error;
    REQUIRE(f.w->AddOwnTransaction(ours, {}, error));
    // X is double-spent in one block, Y in the next: the first (deeper) conflict is the one that counts.
    f.chain.Mine(consensus::Script(std::vector<uint8_t>{0x51}),
                 {Spend(x, consensus::Script(std::vector<uint8_t>{0x52}), Btc(49))});
    const int deep = f.w->GetTx(ours->GetTxid())->state.block_height;
    f.chain.Mine(consensus::Script(std::vector<uint8_t>{0x51}),
                 {Spend(y, consensus::Script(std::vector<uint8_t>{0x52}), Btc(49))});
    CHECK(f.w->GetTx(ours->GetTxid())->state.block_height == deep);
    f.chain.Disconnect(); // the shallower conflict goes; the deeper one still makes ours impossible
    const auto wtx = f.w->GetTx(ours->GetTxid());
    CHECK(wtx->state.kind == TxState::Kind::BLOCK_CONFLICTED);
    CHECK(f.w->Depth(*wtx) == -1); // the deeper conflicting block is the tip now
}

TEST_CASE("With -spendzeroconfchange=0 nothing unconfirmed is trusted", "[wallet]")
{
    Fixture f;
    f.env.fees.spend_zero_conf_change = false;
    std::string error;
    // A second wallet with the setting, on the same chain.
    auto w = Wallet::Create(f.env, "strict", f.dir.path / "strict", CreateOptions{}, error);
    REQUIRE(w);
    REQUIRE(Wallet::AttachChain(w, error));
    auto script = w->GetNewScript(OutputType::BECH32, "", false, error);
    REQUIRE(script);
    const consensus::Block paid = f.chain.Mine(*script);
    for (int i = 0; i < 100; ++i) f.chain.Mine(consensus::Script(std::vector<uint8_t>{0x51}));
    auto change = w->GetNewScript(OutputType::BECH32, "", true, error);
    const auto own = Spend(consensus::OutPoint{paid.vtx[0]->GetTxid(), 0}, *change, Btc(49));
    REQUIRE(w->AddOwnTransaction(own, {}, error));
    f.chain.AddToMempool(own);
    CHECK_FALSE(w->IsTrusted(own->GetTxid()));
    CHECK(w->GetBalances().trusted == Amount{0});
    CHECK(w->GetBalances().untrusted_pending == Btc(49));
}

TEST_CASE("unloadwallet returns once no other call holds the wallet, and the wallet loads again", "[wallet]")
{
    FakeChain chain;
    chain.Mine(consensus::Script(std::vector<uint8_t>{0x51}));
    TempDir dir;
    WalletEnv env;
    env.chain = &chain;
    env.keypool = 5;
    WalletContext ctx(env, dir.path);
    int code = 0;
    std::string error;
    REQUIRE(ctx.Create("a", CreateOptions{}, code, error));
    // Another call (a rescan, a send) holds the wallet while unloadwallet runs.
    std::shared_ptr<Wallet> held = ctx.Get("a");
    REQUIRE(held);
    std::atomic<bool> returned{false}, unloaded{false};
    std::thread unload([&] {
        unloaded = ctx.Unload("a"); // Catch's assertions are for the test's thread only
        returned = true;
    });
    // Unloaded (no longer listed) but still held: Unload has not returned, whatever the wait.
    while (ctx.Get("a")) std::this_thread::yield();
    bool early = false;
    for (int i = 0; i < 20; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
        early |= returned.load();
    }
    CHECK_FALSE(early);
    held.reset();
    unload.join();
    CHECK(unloaded.load());
    // Its database is closed: it loads again at once.
    CHECK(ctx.Load("a", code, error));
    CHECK(error.empty());
}

TEST_CASE("The wallet's coins follow spends that arrive first and outputs a newly derived script makes ours",
          "[wallet]")
{
    Fixture f;
    std::string error;
    const consensus::Script mine = f.NewScript();
    const consensus::Block paid = f.chain.Mine(mine);
    for (int i = 0; i < 100; ++i) f.chain.Mine(consensus::Script(std::vector<uint8_t>{0x51}));
    const consensus::OutPoint coin{paid.vtx[0]->GetTxid(), 0};
    auto coins = [&] {
        std::set<consensus::OutPoint> out;
        for (const auto& c : f.w->AvailableCoins(0, 9999999, true)) out.insert(c.outpoint);
        return out;
    };
    CHECK(coins() == std::set<consensus::OutPoint>{coin});

    // A spend of a parent the wallet has not seen yet, paying us, then the parent, paying us too:
    // the parent's output is spent already and never becomes a coin.
    const consensus::Script to_parent = f.NewScript();
    const auto parent = Spend(coin, to_parent, Btc(49));
    const consensus::OutPoint parent_out{parent->GetTxid(), 0};
    const auto child = Spend(parent_out, f.NewScript(), Btc(48));
    f.chain.AddToMempool(child);
    f.chain.AddToMempool(parent);
    REQUIRE(f.w->GetTx(child->GetTxid()));
    REQUIRE(f.w->GetTx(parent->GetTxid()));
    CHECK(coins() == std::set<consensus::OutPoint>{consensus::OutPoint{child->GetTxid(), 0}});
    f.chain.Mine(consensus::Script(std::vector<uint8_t>{0x51}), {parent, child});
    CHECK(coins() == std::set<consensus::OutPoint>{consensus::OutPoint{child->GetTxid(), 0}});

    // Our own spend paying a script of ours beyond the lookahead (not watched yet): its output is
    // no coin until the handed-out addresses bring that script into the lookahead.
    consensus::Script far;
    for (const auto& [d, active] : f.w->Descriptors()) {
        if (active && !d.internal && d.type == OutputType::BECH32) {
            auto parsed = common::ParseDescriptor(d.descriptor, f.chain.Params(), error);
            REQUIRE(parsed);
            auto s = parsed->Expand(30, error);
            REQUIRE(s);
            far = *s;
        }
    }
    REQUIRE_FALSE(far.empty());
    REQUIRE_FALSE(f.w->IsMine(far));
    const auto to_far = Spend(consensus::OutPoint{child->GetTxid(), 0}, far, Btc(47));
    REQUIRE(f.w->AddOwnTransaction(to_far, {}, error));
    f.chain.Mine(consensus::Script(std::vector<uint8_t>{0x51}), {to_far});
    CHECK(coins().empty());
    while (!f.w->IsMine(far)) f.NewScript();
    CHECK(coins() == std::set<consensus::OutPoint>{consensus::OutPoint{to_far->GetTxid(), 0}});
    CHECK(f.w->GetBalances().trusted == Btc(47));
}

TEST_CASE("The watched range a top-up grew is kept: a smaller -keypool after a restart watches as far", "[wallet]")
{
    // Core's TopUp grows and stores range_end; a later, smaller keypool only stops it growing.
    FakeChain chain;
    chain.Mine(consensus::Script(std::vector<uint8_t>{0x51}));
    TempDir dir;
    WalletEnv env;
    env.chain = &chain;
    env.keypool = 20;
    std::string error;
    int code = 0;
    {
        WalletContext ctx(env, dir.path);
        REQUIRE(ctx.Create("a", CreateOptions{}, code, error));
        auto w = ctx.Get("a");
        for (int i = 0; i < 3; ++i) REQUIRE(w->GetNewScript(OutputType::BECH32, "", false, error));
        CHECK(w->KeypoolSizes().first == 4 * 20); // four receiving descriptors, 20 ahead each
        w.reset();
        REQUIRE(ctx.Unload("a"));
    }
    env.keypool = 5;
    WalletContext ctx(env, dir.path);
    REQUIRE(ctx.Load("a", code, error));
    auto w = ctx.Get("a");
    REQUIRE(w);
    CHECK(w->KeypoolSizes().first == 4 * 20); // not 4 x 5
    REQUIRE(w->GetNewScript(OutputType::BECH32, "", false, error));
    CHECK(w->KeypoolSizes().first == 4 * 20 - 1); // the bech32 one: 4 + 5 < 23, no growth
    w.reset();
    REQUIRE(ctx.Unload("a"));
    // A larger keypool grows the range, and the load writes it: kept at the next load too.
    env.keypool = 30;
    {
        WalletContext larger(env, dir.path);
        REQUIRE(larger.Load("a", code, error));
        CHECK(larger.Get("a")->KeypoolSizes().first == 4 * 30);
        REQUIRE(larger.Unload("a"));
    }
    env.keypool = 5;
    WalletContext again(env, dir.path);
    REQUIRE(again.Load("a", code, error));
    CHECK(again.Get("a")->KeypoolSizes().first == 4 * 30);
}
