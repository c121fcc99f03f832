// Block consensus rules (ContextualCheckBlock and ConnectBlock): for each rule a block that
// breaks it by the smallest step, rejected with Core's reason, and a twin that just
// satisfies it, accepted. bad-cb-height (BIP-34), bad-cb-amount (also after a halving),
// bad-blk-weight at exactly 4,000,000 / 4,000,001, bad-blk-sigops from P2SH and P2WSH
// sigops at exactly 80,000 / 80,001, the BIP-141 witness commitment rules, and a list of
// block-level reject reasons checked against Core's exact strings.
#include "chain_builder.h"

#include "consensus/block_check.h"
#include "consensus/hash.h"
#include "consensus/limits.h"
#include "consensus/pow.h"
#include "consensus/tx_check.h"

#include <catch2/catch.hpp>

#include <atomic>

using namespace consensus;
using testutil::ChainBuilder;

namespace {

std::string Reason(const ValidationResult& r) { return r.GetRejectReason(); }

/** A block mutation that edits the coinbase. */
std::function<void(Block&)> EditCoinbase(std::function<void(MutableTransaction&)> edit)
{
    return [edit = std::move(edit)](Block& blk) {
        MutableTransaction cb(*blk.vtx[0]);
        edit(cb);
        blk.vtx[0] = MakeTransactionRef(std::move(cb));
    };
}

/** OP_0 <sha256(witness_script)>. */
Script P2wsh(const Script& witness_script)
{
    const Uint256 h = Sha256Hash(witness_script);
    Script s;
    s << OP_0 << std::vector<uint8_t>(h.begin(), h.end());
    return s;
}

/** OP_HASH160 <hash160(redeem_script)> OP_EQUAL. */
Script P2sh(const Script& redeem_script)
{
    const Uint160 h = Hash160(redeem_script);
    Script s;
    s << OP_HASH160 << std::vector<uint8_t>(h.begin(), h.end()) << OP_EQUAL;
    return s;
}

void RequireValid(const ValidationResult& r)
{
    INFO(r.ToString());
    REQUIRE(r.IsValid());
}

} // namespace

TEST_CASE("bad-cb-height (BIP-34): the coinbase must start with the block's height, minimally encoded", "[node]")
{
    ChainParams params = Params(ChainType::REGTEST);
    params.consensus.bip34_height = 3;
    ChainBuilder b(1, &params);
    const auto script_sig = [](const Script& s) {
        return EditCoinbase([s](MutableTransaction& cb) { cb.vin[0].script_sig = s; });
    };
    // Before BIP-34 the coinbase may say anything.
    b.MineBlocks(1);
    RequireValid(b.Mine({}, script_sig(Script().PushInt(99).PushInt(1))));
    REQUIRE(b.Chain().Height() == 2);
    // Height 3: OP_3 is the only right start; the same number as a data push is not.
    const auto* tip = b.Chain().Tip();
    CHECK(Reason(b.Submit(b.MakeBlock(tip, {}, script_sig(Script().PushInt(99).PushInt(1))))) == "bad-cb-height");
    CHECK(Reason(b.Submit(b.MakeBlock(tip, {}, script_sig(Script().PushInt(4).PushInt(1))))) == "bad-cb-height");
    CHECK(Reason(b.Submit(b.MakeBlock(tip, {}, script_sig(Script() << std::vector<uint8_t>{3} << OP_1)))) ==
          "bad-cb-height");
    RequireValid(b.Submit(b.MakeBlock(tip, {}, script_sig(Script().PushInt(3).PushInt(1)))));
    // Height 20: a one-byte push; off by one either way, or padded to two bytes, fails.
    b.MineBlocks(16);
    REQUIRE(b.Chain().Height() == 19);
    tip = b.Chain().Tip();
    CHECK(Reason(b.Submit(b.MakeBlock(tip, {}, script_sig(Script().PushInt(19).PushInt(1))))) == "bad-cb-height");
    CHECK(Reason(b.Submit(b.MakeBlock(tip, {}, script_sig(Script().PushInt(21).PushInt(1))))) == "bad-cb-height");
    CHECK(Reason(b.Submit(b.MakeBlock(tip, {}, script_sig(Script() << std::vector<uint8_t>{20, 0} << OP_1)))) ==
          "bad-cb-height");
    // Anything may follow the height.
    RequireValid(b.Submit(b.MakeBlock(tip, {}, script_sig(Script() << std::vector<uint8_t>{20} << OP_1))));
}

TEST_CASE("bad-cb-amount: the coinbase may claim exactly subsidy plus fees, before and after a halving", "[node]")
{
    REQUIRE(Params(ChainType::REGTEST).consensus.subsidy_halving_interval == 150);
    ChainBuilder b;
    b.MineBlocks(148);
    const auto pay = [](Amount v) { return EditCoinbase([v](MutableTransaction& cb) { cb.vout[0].value = v; }); };
    const Amount fee{1234};
    for (const int height : {149, 150}) {
        INFO("height " << height);
        const Amount subsidy{height < 150 ? 50 * COIN.sats : 25 * COIN.sats};
        const auto [cb, v] = b.CoinbaseAt(height - 140);
        const auto spend = b.Spend({{cb, v}}, {v - fee});
        const auto* tip = b.Chain().Tip();
        CHECK(Reason(b.Submit(b.MakeBlock(tip, {spend}, pay(subsidy + fee + Amount{1})))) == "bad-cb-amount");
        CHECK(Reason(b.Submit(b.MakeBlock(tip, {}, pay(subsidy + Amount{1})))) == "bad-cb-amount");
        if (height == 150) {
            // The old subsidy is one halving too much.
            CHECK(Reason(b.Submit(b.MakeBlock(tip, {spend}, pay(Amount{50 * COIN.sats} + fee)))) == "bad-cb-amount");
        }
        RequireValid(b.Submit(b.MakeBlock(tip, {spend}, pay(subsidy + fee))));
        REQUIRE(b.Chain().Height() == height);
    }
    // Claiming less than allowed is allowed (the rest is never created).
    RequireValid(b.Mine({}, pay(Amount{25 * COIN.sats - 1})));
}

namespace {

/** A transaction spending the given coins with no signatures (their scripts need none). */
MutableTransaction Unsigned(const std::vector<OutPoint>& coins, Amount out_value, const Script& out_spk)
{
    MutableTransaction tx;
    tx.version = 2;
    for (const auto& c : coins) {
        TxIn in;
        in.prevout = c;
        tx.vin.push_back(in);
    }
    tx.vout.emplace_back(out_value, out_spk);
    return tx;
}

std::vector<uint8_t> Bytes(const Script& s) { return {s.begin(), s.end()}; }

} // namespace

TEST_CASE("bad-blk-weight: a block of weight exactly 4,000,000 is accepted, 4,000,001 rejected", "[node]")
{
    REQUIRE(MAX_BLOCK_WEIGHT == 4000000);
    ChainBuilder b;
    b.MineBlocks(101);
    // A P2WSH coin whose witness carries one padding item of any size: <pad> <OP_DROP OP_TRUE>.
    Script ws;
    ws << OP_DROP << OP_TRUE;
    const auto [cb1, v1] = b.CoinbaseAt(1);
    const Amount value = v1 - Amount{1000};
    const auto fund = b.SpendTo({{cb1, v1}}, {TxOut(value, P2wsh(ws))});
    RequireValid(b.Mine({fund}));
    const auto* tip = b.Chain().Tip();
    // weight = 4 x stripped size + witness bytes: a coinbase OP_RETURN filler moves it by 4
    // a byte, the witness padding by 1.
    const auto make = [&](size_t pad, size_t filler) {
        MutableTransaction spend = Unsigned({OutPoint(fund->GetTxid(), 0)}, value - Amount{1000}, b.ScriptPubKey());
        spend.vin[0].witness.stack = {std::vector<uint8_t>(pad, 1), Bytes(ws)};
        return b.MakeBlock(tip, {MakeTransactionRef(std::move(spend))}, EditCoinbase([filler](MutableTransaction& cb) {
                               Script s;
                               s.assign(filler, OP_0); // OP_0s: no sigops
                               s[0] = OP_RETURN;
                               cb.vout.emplace_back(Amount{0}, s);
                           }));
    };
    const auto of_weight = [&](int64_t target) {
        size_t pad = 1;
        size_t filler = 100000;
        for (int i = 0; i < 10; ++i) {
            Block blk = make(pad, filler);
            const int64_t diff = target - GetBlockWeight(blk);
            if (diff == 0) return blk;
            const int64_t witness_step = ((diff % 4) + 4) % 4;
            pad += static_cast<size_t>(witness_step);
            filler = static_cast<size_t>(static_cast<int64_t>(filler) + (diff - witness_step) / 4);
        }
        FAIL("no padding gives weight " << target);
        return Block();
    };
    const Block over = of_weight(4000001);
    const Block exact = of_weight(4000000);
    REQUIRE(GetBlockWeight(over) == 4000001);
    REQUIRE(GetBlockWeight(exact) == 4000000);
    // The stripped size alone is within CheckBlock's limit: only the weight rule can refuse it.
    REQUIRE(GetBlockStrippedSize(over) * 4 <= 4000000u);
    CHECK(Reason(b.Submit(over)) == "bad-blk-weight");
    RequireValid(b.Submit(exact));
    CHECK(b.Chain().Tip()->GetBlockHash() == exact.GetHash());
}

TEST_CASE("bad-blk-sigops: P2SH and P2WSH sigops count in ConnectBlock; a cost of 80,000 is accepted, 80,001 rejected",
          "[node]")
{
    REQUIRE(MAX_BLOCK_SIGOPS_COST == 80000);
    ChainBuilder b;
    b.MineBlocks(101);
    // Sigops in a branch that never runs: counted, never executed. A CHECKMULTISIG without an
    // OP_n before it counts 20, a CHECKSIG 1; 199 of them plus IF and ENDIF is the 201-op limit.
    const auto unexecuted = [](int multisigs, int checksigs) {
        Script s;
        s << OP_0 << OP_IF;
        for (int i = 0; i < multisigs; ++i) s << OP_CHECKMULTISIG;
        for (int i = 0; i < checksigs; ++i) s << OP_CHECKSIG;
        s << OP_ENDIF << OP_TRUE;
        return s;
    };
    const Script big = unexecuted(199, 0);
    const Script rest = unexecuted(20, 0);
    const Script rest_plus_one = unexecuted(20, 1);
    REQUIRE(big.GetSigOpCount(true) == 3980u);
    REQUIRE(rest.GetSigOpCount(true) == 400u);
    REQUIRE(rest_plus_one.GetSigOpCount(true) == 401u);
    // Four P2SH inputs: 4 x 3,980 x 4 = 63,680. Four P2WSH inputs: 4 x 3,980 = 15,920. A
    // fifth P2WSH input: 400 (80,000 in all) or 401 (80,001).
    std::vector<TxOut> outs;
    for (int i = 0; i < 4; ++i) outs.emplace_back(COIN, P2sh(big));
    for (int i = 0; i < 4; ++i) outs.emplace_back(COIN, P2wsh(big));
    outs.emplace_back(COIN, P2wsh(rest));
    outs.emplace_back(COIN, P2wsh(rest_plus_one));
    const auto [cb1, v1] = b.CoinbaseAt(1);
    const auto fund = b.SpendTo({{cb1, v1}}, outs);
    RequireValid(b.Mine({fund}));
    const auto spend = [&](uint32_t last) {
        std::vector<OutPoint> coins;
        for (uint32_t o = 0; o < 8; ++o) coins.emplace_back(fund->GetTxid(), o);
        coins.emplace_back(fund->GetTxid(), last);
        MutableTransaction tx = Unsigned(coins, Amount{9 * COIN.sats - 10000}, b.ScriptPubKey());
        for (size_t i = 0; i < 4; ++i) tx.vin[i].script_sig << Bytes(big);
        for (size_t i = 4; i < 8; ++i) tx.vin[i].witness.stack = {Bytes(big)};
        tx.vin[8].witness.stack = {Bytes(last == 8 ? rest : rest_plus_one)};
        return MakeTransactionRef(std::move(tx));
    };
    const auto at_limit = spend(8);
    const auto over = spend(9);
    // None of them are legacy sigops: CheckBlock's count sees nothing, ConnectBlock must.
    REQUIRE(GetLegacySigOpCount(*over) == 0u);
    const auto* tip = b.Chain().Tip();
    CHECK(Reason(b.Submit(b.MakeBlock(tip, {over}))) == "bad-blk-sigops");
    RequireValid(b.Submit(b.MakeBlock(tip, {at_limit})));
    CHECK(b.Chain().Height() == 103);
}

TEST_CASE("Witness commitment (BIP-141): nonce size, merkle match; a mutated copy does not taint the valid block",
          "[node]")
{
    ChainBuilder b;
    b.MineBlocks(101);
    const auto [cb1, v1] = b.CoinbaseAt(1);
    const auto spend = b.Spend({{cb1, v1}}, {v1 - Amount{1000}});
    REQUIRE(spend->HasWitness());
    const Block good = b.MakeBlock(b.Chain().Tip(), {spend});
    // Copies of good with only witness data changed: same txids, same header, same hash.
    const auto copy = [&good](const std::function<void(MutableTransaction&)>& edit, size_t tx) {
        Block blk = good;
        MutableTransaction t(*blk.vtx[tx]);
        edit(t);
        blk.vtx[tx] = MakeTransactionRef(std::move(t));
        REQUIRE(blk.GetHash() == good.GetHash());
        return blk;
    };
    const auto nonce = [&copy](std::vector<std::vector<uint8_t>> stack) {
        return copy([stack](MutableTransaction& cb) { cb.vin[0].witness.stack = stack; }, 0);
    };
    using Bytes32 = std::vector<uint8_t>;
    CHECK(Reason(b.Submit(nonce({Bytes32(31, 0)}))) == "bad-witness-nonce-size");
    CHECK(Reason(b.Submit(nonce({Bytes32(33, 0)}))) == "bad-witness-nonce-size");
    CHECK(Reason(b.Submit(nonce({Bytes32(32, 0), Bytes32(32, 0)}))) == "bad-witness-nonce-size");
    CHECK(Reason(b.Submit(nonce({}))) == "bad-witness-nonce-size");
    // A different 32-byte nonce, or a changed transaction witness, breaks the commitment.
    CHECK(Reason(b.Submit(nonce({Bytes32(32, 1)}))) == "bad-witness-merkle-match");
    CHECK(Reason(b.Submit(copy([](MutableTransaction& t) { t.vin[0].witness.stack[0][10] ^= 1; }, 1))) ==
          "bad-witness-merkle-match");
    CHECK(Reason(b.Submit(copy([](MutableTransaction& t) { t.vin[0].witness.stack.clear(); }, 1))) ==
          "bad-witness-merkle-match");
    // None of those marked the hash invalid (Core's BLOCK_MUTATED): the real block connects.
    RequireValid(b.Submit(good));
    CHECK(b.Chain().Tip()->GetBlockHash() == good.GetHash());
}

TEST_CASE("Witness commitment (BIP-141): no witness data without a commitment; the last commitment output counts",
          "[node]")
{
    ChainBuilder b;
    b.MineBlocks(102);
    const auto [cb1, v1] = b.CoinbaseAt(1);
    const auto spend = b.Spend({{cb1, v1}}, {v1 - Amount{1000}});
    const auto drop_commitment = [](bool keep_nonce) {
        return EditCoinbase([keep_nonce](MutableTransaction& cb) {
            cb.vout.pop_back(); // the builder's commitment is the last output
            if (!keep_nonce) cb.vin[0].witness.stack.clear();
        });
    };
    auto* tip = b.Chain().Tip();
    CHECK(Reason(b.Submit(b.MakeBlock(tip, {spend}, drop_commitment(false)))) == "unexpected-witness");
    // The coinbase's nonce is witness data too.
    CHECK(Reason(b.Submit(b.MakeBlock(tip, {}, drop_commitment(true)))) == "unexpected-witness");
    // No witness anywhere needs no commitment.
    RequireValid(b.Submit(b.MakeBlock(tip, {}, drop_commitment(false))));

    // Two commitment outputs: the last one is the commitment.
    const auto two_commitments = [](bool wrong_last) {
        return EditCoinbase([wrong_last](MutableTransaction& cb) {
            const TxOut right = cb.vout.back();
            TxOut wrong = right;
            wrong.script_pubkey.back() ^= 1;
            cb.vout.pop_back();
            cb.vout.push_back(wrong_last ? right : wrong);
            cb.vout.push_back(wrong_last ? wrong : right);
        });
    };
    tip = b.Chain().Tip();
    CHECK(Reason(b.Submit(b.MakeBlock(tip, {spend}, two_commitments(true)))) == "bad-witness-merkle-match");
    RequireValid(b.Submit(b.MakeBlock(tip, {spend}, two_commitments(false))));

    // A commitment is an output of at least 38 bytes: with a byte more it still counts;
    // cut to 37 it is none, and the witness is then unexpected.
    const auto resize_commitment = [](size_t size) {
        return EditCoinbase([size](MutableTransaction& cb) { cb.vout.back().script_pubkey.resize(size, 0); });
    };
    tip = b.Chain().Tip();
    CHECK(Reason(b.Submit(b.MakeBlock(tip, {}, resize_commitment(37)))) == "unexpected-witness");
    RequireValid(b.Submit(b.MakeBlock(tip, {}, resize_commitment(39))));
}

TEST_CASE("Witness data is unexpected before segwit activates and committed from its height on", "[node]")
{
    ChainParams params = Params(ChainType::REGTEST);
    params.consensus.segwit_height = 10;
    ChainBuilder b(1, &params);
    const auto strip = EditCoinbase([](MutableTransaction& cb) { cb.vin[0].witness.stack.clear(); });
    for (int i = 0; i < 8; ++i) RequireValid(b.Mine({}, strip));
    // Height 9: the builder's block (commitment and nonce) has witness data: rejected; the
    // same block without the nonce (same hash) is fine, its commitment output ignored.
    const Block with_nonce = b.MakeBlock(b.Chain().Tip());
    Block without = with_nonce;
    strip(without);
    REQUIRE(without.GetHash() == with_nonce.GetHash());
    CHECK(Reason(b.Submit(with_nonce)) == "unexpected-witness");
    RequireValid(b.Submit(without));
    // Height 10: now the commitment needs its nonce.
    const Block active = b.MakeBlock(b.Chain().Tip());
    Block no_nonce = active;
    strip(no_nonce);
    CHECK(Reason(b.Submit(no_nonce)) == "bad-witness-nonce-size");
    RequireValid(b.Submit(active));
    CHECK(b.Chain().Height() == 10);
}

TEST_CASE("Block reject reasons are Core's exact strings", "[node]")
{
    // Each case breaks one rule of a block on the same parent; the strings are those of
    // Core's validation.cpp (CheckBlockHeader, CheckBlock, ContextualCheckBlockHeader,
    // ContextualCheckBlock, AcceptBlockHeader, ConnectBlock).
    std::atomic<int64_t> now{Params(ChainType::REGTEST).genesis.GetBlockTime() + 86400};
    ChainBuilder b(1, nullptr,
                   [&now](node::chain::ChainstateOptions& o) { o.now_seconds = [&now] { return now.load(); }; });
    b.MineBlocks(102);
    const auto* tip = b.Chain().Tip();
    now = tip->GetBlockTime();
    const auto& cp = Params(ChainType::REGTEST).consensus;
    const auto c1 = b.CoinbaseAt(1); // no structured bindings: lambdas below capture these
    const auto c2 = b.CoinbaseAt(2);
    const auto t1 = b.Spend({c1}, {c1.second - Amount{1000}});
    const auto t2 = b.Spend({c2}, {c2.second - Amount{1000}});
    const auto block = [&b, tip](const std::function<void(Block&)>& mutate, std::vector<TransactionRef> txs = {},
                                 bool fix_merkle = true) { return b.MakeBlock(tip, txs, mutate, fix_merkle); };

    // A block that fails connecting, and so is marked invalid, for the two reasons that follow from it.
    const Block invalid = block(EditCoinbase([](MutableTransaction& cb) { cb.vout[0].value += Amount{1}; }));

    using R = BlockValidationResult;
    struct Case {
        std::string reason;
        R result; // the reason code the P2P layer will judge by (Core's BlockValidationResult)
        std::function<Block()> make;
    };
    const std::vector<Case> cases = {
        {"high-hash", R::INVALID_HEADER,
         [&] {
             Block blk = block({});
             while (CheckProofOfWork(blk.GetHash(), blk.bits, cp)) ++blk.nonce;
             return blk;
         }},
        {"bad-txnmrklroot", R::MUTATED,
         [&] { return block([](Block& blk) { blk.merkle_root = Uint256::ONE; }, {}, false); }},
        // CVE-2012-2459: the last of an odd number of transactions repeated keeps the root.
        {"bad-txns-duplicate", R::MUTATED,
         [&] {
             return block([t2](Block& blk) { blk.vtx.push_back(t2); }, {t1, t2});
         }},
        {"bad-blk-length", R::CONSENSUS, [&] { return block([](Block& blk) { blk.vtx.clear(); }); }},
        {"bad-cb-missing", R::CONSENSUS,
         [&] { return block([](Block& blk) { blk.vtx.erase(blk.vtx.begin()); }, {t1}); }},
        {"bad-cb-multiple", R::CONSENSUS,
         [&] { return block([](Block& blk) { blk.vtx.push_back(blk.vtx[0]); }, {t1}); }},
        {"bad-blk-sigops", R::CONSENSUS,
         [&] {
             return block(EditCoinbase([](MutableTransaction& cb) {
                 cb.vout.emplace_back(Amount{0}, Script());
                 cb.vout.back().script_pubkey.assign(MAX_BLOCK_SIGOPS_COST / 4 + 1, OP_CHECKSIG);
             }));
         }},
        {"bad-diffbits", R::INVALID_HEADER, [&] { return block([](Block& blk) { blk.bits = 0x207ffffe; }); }},
        {"time-too-old", R::INVALID_HEADER,
         [&] { return block([t = tip->GetMedianTimePast()](Block& blk) { blk.time = static_cast<uint32_t>(t); }); }},
        {"time-too-new", R::TIME_FUTURE,
         [&] {
             return block([t = now + MAX_FUTURE_BLOCK_TIME + 1](Block& blk) { blk.time = static_cast<uint32_t>(t); });
         }},
        {"bad-version(0x00000003)", R::INVALID_HEADER, [&] { return block([](Block& blk) { blk.version = 3; }); }},
        {"bad-txns-nonfinal", R::CONSENSUS,
         [&] {
             MutableTransaction t(*t1);
             t.locktime = static_cast<uint32_t>(tip->height + 1);
             return block({}, {MakeTransactionRef(std::move(t))});
         }},
        {"bad-cb-height", R::CONSENSUS,
         [&] {
             return block(
                 EditCoinbase([](MutableTransaction& cb) { cb.vin[0].script_sig = Script().PushInt(7).PushInt(1); }));
         }},
        {"bad-witness-nonce-size", R::MUTATED,
         [&] { return block(EditCoinbase([](MutableTransaction& cb) { cb.vin[0].witness.stack[0].pop_back(); })); }},
        {"bad-witness-merkle-match", R::MUTATED,
         [&] { return block(EditCoinbase([](MutableTransaction& cb) { cb.vout.back().script_pubkey.back() ^= 1; })); }},
        {"unexpected-witness", R::MUTATED,
         [&] { return block(EditCoinbase([](MutableTransaction& cb) { cb.vout.pop_back(); })); }},
        {"bad-txns-inputs-missingorspent", R::CONSENSUS,
         [&] {
             return block({}, {b.Spend({{OutPoint(Uint256::ONE, 0), Amount{5000}}}, {Amount{1000}})});
         }},
        {"bad-txns-premature-spend-of-coinbase", R::CONSENSUS,
         [&] {
             const auto [cb, v] = b.CoinbaseAt(tip->height - 98);
             return block({}, {b.Spend({{cb, v}}, {v - Amount{1000}})});
         }},
        {"bad-txns-in-belowout", R::CONSENSUS, [&] { return block({}, {b.Spend({c1}, {c1.second + Amount{1}})}); }},
        {"bad-cb-amount", R::CONSENSUS, [&] { return invalid; }},
        {"prev-blk-not-found", R::MISSING_PREV,
         [&] { return block([](Block& blk) { blk.prev_block = Uint256::ONE; }); }},
        {"duplicate", R::CACHED_INVALID, [&] { return invalid; }}, // the same block again, now known invalid
        {"bad-prevblk", R::INVALID_PREV, [&] { return b.MakeBlock(b.Chain().LookupBlockIndex(invalid.GetHash())); }},
    };
    for (const auto& c : cases) {
        const Block blk = c.make();
        const auto r = b.Submit(blk);
        INFO(c.reason << ": " << r.ToString());
        CHECK(r.IsInvalid());
        CHECK(Reason(r) == c.reason);
        CHECK(r.GetBlockResult() == c.result);
        CHECK(r.GetTxResult() == TxValidationResult::UNSET);
        // Only a block that may be a malleated copy leaves its hash unjudged (Core's BLOCK_MUTATED).
        if (const auto* index = b.Chain().LookupBlockIndex(blk.GetHash()); index && c.result != R::CACHED_INVALID) {
            CHECK(((index->status & node::chain::BLOCK_FAILED_MASK) != 0) == (c.result != R::MUTATED));
        }
    }
    CHECK(b.Chain().Tip() == tip);
}
