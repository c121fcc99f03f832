// common/sign: ProduceSignature / SignTransaction for every standard script type, partial
// multisig signatures combined across passes, missing keys, the dummy creators' sizes, sighash
// names, and BIP-341 key-path signatures against the BIP-341 wallet vectors.
#include "vectors.h"

#include "common/sign.h"
#include "consensus/hash.h"
#include "consensus/hex.h"
#include "consensus/script/interpreter.h"
#include "consensus/script/key.h"
#include "consensus/script/pubkey.h"
#include "consensus/serialize.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

using namespace consensus;
using common::Bytes;
using common::FlatSigningProvider;
using common::SecretKey;

namespace {

SecretKey MakeKey(uint8_t seed, bool compressed = true)
{
    SecretKey k;
    k.bytes.fill(seed);
    k.bytes[0] = 0x11;
    k.compressed = compressed;
    return k;
}

Bytes PubOf(const SecretKey& k) { return *PubKeyFromSecret(k.bytes, k.compressed); }

common::XOnlyKey XOnlyOf(const SecretKey& k) { return *XOnlyFromSecret(k.bytes); }

void AddKey(FlatSigningProvider& p, const SecretKey& k)
{
    const Bytes pub = PubOf(k);
    p.keys[common::KeyIdOf(pub)] = k;
    p.pubkeys[common::KeyIdOf(pub)] = pub;
}

Bytes ToBytes(const Uint160& h) { return Bytes(h.begin(), h.end()); }
Bytes ToBytes(const Uint256& h) { return Bytes(h.begin(), h.end()); }

Script P2PKH(const Bytes& pub)
{
    Script s;
    s << OP_DUP << OP_HASH160 << ToBytes(Hash160(pub)) << OP_EQUALVERIFY << OP_CHECKSIG;
    return s;
}
Script P2WPKH(const Bytes& pub)
{
    Script s;
    s << OP_0 << ToBytes(Hash160(pub));
    return s;
}
Script P2SH(const Script& inner)
{
    Script s;
    s << OP_HASH160 << ToBytes(Hash160(inner)) << OP_EQUAL;
    return s;
}
Script P2WSH(const Script& inner)
{
    Script s;
    s << OP_0 << ToBytes(Sha256Hash(inner));
    return s;
}
Script Multisig(int m, const std::vector<Bytes>& keys)
{
    Script s;
    s.PushInt(m);
    for (const auto& k : keys) s << k;
    s.PushInt(static_cast<int64_t>(keys.size()));
    s << OP_CHECKMULTISIG;
    return s;
}
Script P2TR(const common::XOnlyKey& output)
{
    Script s;
    s << OP_1 << Bytes(output.begin(), output.end());
    return s;
}

/** A transaction spending one coin with script_pubkey, and its coins map. */
struct Spend {
    MutableTransaction tx;
    std::map<OutPoint, Coin> coins;
};

Spend MakeSpend(const Script& script_pubkey, Amount amount = Amount{100'000})
{
    Spend s;
    TxIn in;
    in.prevout.hash.begin()[0] = 0x42;
    in.prevout.n = 1;
    s.tx.vin.push_back(in);
    TxOut out;
    out.value = Amount{90'000};
    out.script_pubkey = P2WPKH(PubOf(MakeKey(0x99)));
    s.tx.vout.push_back(out);
    TxOut prev;
    prev.value = amount;
    prev.script_pubkey = script_pubkey;
    s.coins[in.prevout] = Coin(prev, 1, false);
    return s;
}

/** Independent check of input 0 with all BIP-341 data. */
bool Verifies(const Spend& s)
{
    const Transaction tx(s.tx);
    const TxOut& prev = s.coins.begin()->second.out;
    PrecomputedTransactionData txdata;
    txdata.Init(tx, std::vector<TxOut>{prev});
    const TransactionSignatureChecker checker(&tx, 0, prev.value, txdata, MissingDataBehavior::FAIL);
    return VerifyScript(tx.vin[0].script_sig, prev.script_pubkey, &tx.vin[0].witness, common::SIGNING_VERIFY_FLAGS,
                        checker);
}

bool SignAll(Spend& s, const FlatSigningProvider& p, std::map<int, std::string>& errors,
             int hash_type = SIGHASH_DEFAULT)
{
    return common::SignTransaction(s.tx, p, s.coins, hash_type, errors);
}

} // namespace

TEST_CASE("SignTransaction signs and verifies every single-key script type", "[rpc][sign]")
{
    const SecretKey k = MakeKey(1);
    const Bytes pub = PubOf(k);
    FlatSigningProvider p;
    AddKey(p, k);

    SECTION("P2PK")
    {
        Script spk;
        spk << pub << OP_CHECKSIG;
        Spend s = MakeSpend(spk);
        std::map<int, std::string> errors;
        CHECK(SignAll(s, p, errors));
        CHECK(errors.empty());
        CHECK(s.tx.vin[0].witness.IsNull());
        CHECK(Verifies(s));
    }
    SECTION("P2PKH, compressed and uncompressed")
    {
        for (bool compressed : {true, false}) {
            const SecretKey kk = MakeKey(2, compressed);
            FlatSigningProvider pp;
            AddKey(pp, kk);
            Spend s = MakeSpend(P2PKH(PubOf(kk)));
            std::map<int, std::string> errors;
            CHECK(SignAll(s, pp, errors));
            CHECK(Verifies(s));
        }
    }
    SECTION("P2WPKH")
    {
        Spend s = MakeSpend(P2WPKH(pub));
        std::map<int, std::string> errors;
        CHECK(SignAll(s, p, errors));
        CHECK(s.tx.vin[0].script_sig.empty());
        CHECK(s.tx.vin[0].witness.stack.size() == 2);
        CHECK(Verifies(s));
    }
    SECTION("P2SH-P2WPKH needs the redeem script")
    {
        const Script redeem = P2WPKH(pub);
        Spend s = MakeSpend(P2SH(redeem));
        std::map<int, std::string> errors;
        CHECK_FALSE(SignAll(s, p, errors));
        FlatSigningProvider with_script = p;
        with_script.scripts[Hash160(redeem)] = redeem;
        errors.clear();
        Spend s2 = MakeSpend(P2SH(redeem));
        CHECK(SignAll(s2, with_script, errors));
        CHECK(Verifies(s2));
    }
    SECTION("an uncompressed key is not used in a witness")
    {
        const SecretKey u = MakeKey(3, false);
        FlatSigningProvider pp;
        AddKey(pp, u);
        Spend s = MakeSpend(P2WPKH(PubOf(u)));
        std::map<int, std::string> errors;
        CHECK_FALSE(SignAll(s, pp, errors));
    }
}

TEST_CASE("A wrong or missing key leaves the input incomplete with Core's errors", "[rpc][sign]")
{
    const SecretKey k = MakeKey(1);
    FlatSigningProvider other;
    AddKey(other, MakeKey(7));
    Spend s = MakeSpend(P2PKH(PubOf(k)));
    std::map<int, std::string> errors;
    CHECK_FALSE(SignAll(s, other, errors));
    REQUIRE(errors.count(0));
    CHECK(errors[0] == "Unable to sign input, invalid stack size (possibly missing key)");
    CHECK(s.tx.vin[0].script_sig.empty());

    // An input whose coin is unknown.
    Spend s2 = MakeSpend(P2PKH(PubOf(k)));
    s2.coins.clear();
    errors.clear();
    CHECK_FALSE(SignAll(s2, other, errors));
    CHECK(errors[0] == "Input not found or already spent");

    // A segwit input with an unknown amount (MAX_MONEY) is refused.
    FlatSigningProvider mine;
    AddKey(mine, k);
    Spend s3 = MakeSpend(P2WPKH(PubOf(k)), MAX_MONEY);
    errors.clear();
    CHECK_FALSE(SignAll(s3, mine, errors));
    CHECK(errors[0] == "Missing amount");
}

TEST_CASE("Multisig: bare, P2SH, P2WSH and P2SH-P2WSH; partial signatures combine in key order", "[rpc][sign]")
{
    const SecretKey k1 = MakeKey(1), k2 = MakeKey(2), k3 = MakeKey(3);
    const Script ms = Multisig(2, {PubOf(k1), PubOf(k2), PubOf(k3)});
    FlatSigningProvider scripts;
    scripts.scripts[Hash160(ms)] = ms;
    scripts.scripts[Hash160(P2WSH(ms))] = P2WSH(ms);

    const std::vector<std::pair<std::string, Script>> kinds = {
        {"bare", ms}, {"p2sh", P2SH(ms)}, {"p2wsh", P2WSH(ms)}, {"p2sh-p2wsh", P2SH(P2WSH(ms))}};
    for (const auto& [name, spk] : kinds) {
        INFO(name);
        Spend s = MakeSpend(spk);
        // Pass 1: only the third key.
        FlatSigningProvider p3 = scripts;
        AddKey(p3, k3);
        std::map<int, std::string> errors;
        CHECK_FALSE(SignAll(s, p3, errors));
        REQUIRE(errors.count(0));
        CHECK(errors[0] == "CHECK(MULTI)SIG failing with non-zero signature (possibly need more signatures)");
        // DataFromTransaction finds the partial signature again.
        const auto found = common::DataFromTransaction(s.tx, 0, s.coins.begin()->second.out);
        CHECK_FALSE(found.complete);
        CHECK(found.signatures.size() == 1);
        CHECK(found.signatures.count(common::KeyIdOf(PubOf(k3))));
        // Pass 2: the first key; the two signatures must be ordered as the keys.
        FlatSigningProvider p1 = scripts;
        AddKey(p1, k1);
        errors.clear();
        CHECK(SignAll(s, p1, errors));
        CHECK(errors.empty());
        CHECK(Verifies(s));
    }
}

TEST_CASE("Taproot: BIP-86 key path, pk() and multi_a leaves", "[rpc][sign]")
{
    const SecretKey internal = MakeKey(5), leaf1 = MakeKey(6), leaf2 = MakeKey(8);
    SECTION("key path without a script tree")
    {
        const auto internal_x = XOnlyOf(internal);
        const auto tweaked = TweakXOnly(internal_x, nullptr);
        REQUIRE(tweaked);
        common::TaprootSpendData spend;
        spend.internal_key = internal_x;
        FlatSigningProvider p;
        AddKey(p, internal);
        p.tr_spenddata[tweaked->first] = spend;
        Spend s = MakeSpend(P2TR(tweaked->first));
        std::map<int, std::string> errors;
        CHECK(SignAll(s, p, errors));
        CHECK(s.tx.vin[0].witness.stack.size() == 1);
        CHECK(s.tx.vin[0].witness.stack[0].size() == 64); // SIGHASH_DEFAULT: no hash type byte
        CHECK(Verifies(s));
        // With SIGHASH_ALL the byte is appended.
        Spend s2 = MakeSpend(P2TR(tweaked->first));
        errors.clear();
        CHECK(SignAll(s2, p, errors, SIGHASH_ALL));
        CHECK(s2.tx.vin[0].witness.stack[0].size() == 65);
        CHECK(Verifies(s2));
    }
    SECTION("script path")
    {
        // Two leaves: pk(leaf1) and multi_a(2, leaf1, leaf2); the internal key is unknown.
        const auto x1 = XOnlyOf(leaf1), x2 = XOnlyOf(leaf2);
        Script pk_leaf;
        pk_leaf << Bytes(x1.begin(), x1.end()) << OP_CHECKSIG;
        Script multi_leaf;
        multi_leaf << Bytes(x1.begin(), x1.end()) << OP_CHECKSIG << Bytes(x2.begin(), x2.end()) << OP_CHECKSIGADD;
        multi_leaf.PushInt(2);
        multi_leaf << OP_NUMEQUAL;
        const Uint256 h1 = ComputeTapleafHash(TAPROOT_LEAF_TAPSCRIPT, pk_leaf);
        const Uint256 h2 = ComputeTapleafHash(TAPROOT_LEAF_TAPSCRIPT, multi_leaf);
        const Uint256 root = ComputeTapbranchHash(h1.Span(), h2.Span());
        const auto internal_x = XOnlyOf(internal);
        const auto out = TweakXOnly(internal_x, &root);
        REQUIRE(out);
        auto control = [&](const Uint256& sibling) {
            Bytes c{static_cast<uint8_t>(TAPROOT_LEAF_TAPSCRIPT | (out->second ? 1 : 0))};
            c.insert(c.end(), internal_x.begin(), internal_x.end());
            c.insert(c.end(), sibling.begin(), sibling.end());
            return c;
        };
        common::TaprootSpendData spend;
        spend.internal_key = internal_x;
        spend.merkle_root = root;
        spend.scripts[{Bytes(pk_leaf.begin(), pk_leaf.end()), TAPROOT_LEAF_TAPSCRIPT}].insert(control(h2));
        spend.scripts[{Bytes(multi_leaf.begin(), multi_leaf.end()), TAPROOT_LEAF_TAPSCRIPT}].insert(control(h1));

        FlatSigningProvider only2;
        AddKey(only2, leaf2);
        only2.tr_spenddata[out->first] = spend;
        Spend s = MakeSpend(P2TR(out->first));
        std::map<int, std::string> errors;
        CHECK_FALSE(SignAll(s, only2, errors)); // multi_a needs both keys; pk() needs leaf1

        FlatSigningProvider both = only2;
        AddKey(both, leaf1);
        Spend s2 = MakeSpend(P2TR(out->first));
        errors.clear();
        CHECK(SignAll(s2, both, errors));
        // The smaller witness wins: pk() (sig, script, control).
        REQUIRE(s2.tx.vin[0].witness.stack.size() == 3);
        CHECK(s2.tx.vin[0].witness.stack[1] == Bytes(pk_leaf.begin(), pk_leaf.end()));
        CHECK(Verifies(s2));

        // Without pk(): multi_a with both signatures.
        common::TaprootSpendData only_multi = spend;
        only_multi.scripts.erase({Bytes(pk_leaf.begin(), pk_leaf.end()), TAPROOT_LEAF_TAPSCRIPT});
        both.tr_spenddata[out->first] = only_multi;
        Spend s3 = MakeSpend(P2TR(out->first));
        errors.clear();
        CHECK(SignAll(s3, both, errors));
        CHECK(s3.tx.vin[0].witness.stack.size() == 4);
        CHECK(Verifies(s3));
    }
}

TEST_CASE("Taproot key-path signatures reproduce the BIP-341 wallet vectors", "[rpc][sign]")
{
    REQUIRE_VECTOR(path, "bips/bip341-wallet-test-vectors.json");
    const nlohmann::json vectors = nlohmann::json::parse(testutil::ReadFile(path));
    size_t checked = 0, in_file = 0;
    for (const auto& s : vectors.at("keyPathSpending")) {
        const auto raw = testutil::ParseHexOrFail(s.at("given").at("rawUnsignedTx").get<std::string>());
        ByteReader reader(raw);
        const MutableTransaction tx = MutableTransaction::Deserialize(reader, TxWitness::WITH);
        std::vector<TxOut> spent;
        for (const auto& u : s.at("given").at("utxosSpent")) {
            TxOut o;
            o.value = Amount{u.at("amountSats").get<int64_t>()};
            o.script_pubkey = Script(testutil::ParseHexOrFail(u.at("scriptPubKey").get<std::string>()));
            spent.push_back(o);
        }
        PrecomputedTransactionData txdata;
        txdata.Init(Transaction(tx), std::vector<TxOut>(spent), /*force=*/true);
        for (const auto& in : s.at("inputSpending")) {
            ++in_file;
            const auto& given = in.at("given");
            const unsigned idx = given.at("txinIndex").get<unsigned>();
            INFO("input " << idx);
            SecretKey key;
            const auto sk = testutil::ParseHexOrFail(given.at("internalPrivkey").get<std::string>());
            REQUIRE(sk.size() == 32);
            std::copy(sk.begin(), sk.end(), key.bytes.begin());
            common::TaprootSpendData spend;
            spend.internal_key = XOnlyOf(key);
            if (!given.at("merkleRoot").is_null()) {
                const auto r = testutil::ParseHexOrFail(given.at("merkleRoot").get<std::string>());
                Uint256 root;
                std::copy(r.begin(), r.end(), root.begin());
                spend.merkle_root = root;
            }
            FlatSigningProvider p;
            AddKey(p, key);
            common::XOnlyKey output;
            std::copy(spent[idx].script_pubkey.begin() + 2, spent[idx].script_pubkey.end(), output.begin());
            p.tr_spenddata[output] = spend;
            common::SignatureData sigdata;
            const common::TransactionSignatureCreator creator(tx, idx, spent[idx].value, &txdata,
                                                              given.at("hashType").get<int>());
            CHECK(common::ProduceSignature(p, creator, spent[idx].script_pubkey, sigdata));
            std::vector<std::string> got, want;
            for (const auto& item : sigdata.script_witness.stack) got.push_back(HexStr(item));
            for (const auto& item : in.at("expected").at("witness")) want.push_back(item.get<std::string>());
            CHECK(got == want);
            if (got == want) ++checked;
        }
    }
    testutil::RequireCaseCount("bips/bip341-wallet-test-vectors.json (keyPathSpending, signed)", 7, in_file, checked);
}

TEST_CASE("Dummy creators give Core's placeholder sizes", "[rpc][sign]")
{
    const SecretKey k = MakeKey(1);
    FlatSigningProvider p;
    p.pubkeys[common::KeyIdOf(PubOf(k))] = PubOf(k); // public key only: no secret needed
    common::SignatureData d1, d2;
    CHECK(common::ProduceSignature(p, common::DummySignatureCreator(), P2WPKH(PubOf(k)), d1));
    REQUIRE(d1.script_witness.stack.size() == 2);
    CHECK(d1.script_witness.stack[0].size() == 71);
    CHECK(common::ProduceSignature(p, common::DummyMaximumSignatureCreator(), P2WPKH(PubOf(k)), d2));
    CHECK(d2.script_witness.stack[0].size() == 72);
    // Unknown public key: no solution.
    common::SignatureData d3;
    CHECK_FALSE(common::ProduceSignature(FlatSigningProvider(), common::DummySignatureCreator(), P2PKH(PubOf(k)), d3));
    REQUIRE(d3.missing_pubkeys.size() == 1);
    CHECK(d3.missing_pubkeys[0] == common::KeyIdOf(PubOf(k)));
}

TEST_CASE("Sighash names parse as Core's", "[rpc][sign]")
{
    CHECK(common::SighashFromStr("DEFAULT") == SIGHASH_DEFAULT);
    CHECK(common::SighashFromStr("ALL") == SIGHASH_ALL);
    CHECK(common::SighashFromStr("NONE|ANYONECANPAY") == (SIGHASH_NONE | SIGHASH_ANYONECANPAY));
    CHECK(common::SighashFromStr("SINGLE|ANYONECANPAY") == (SIGHASH_SINGLE | SIGHASH_ANYONECANPAY));
    CHECK_FALSE(common::SighashFromStr("all"));
    CHECK_FALSE(common::SighashFromStr("ALL|NONE"));
    CHECK(common::SighashToStr(SIGHASH_ALL | SIGHASH_ANYONECANPAY) == "ALL|ANYONECANPAY");
    CHECK(common::SighashToStr(SIGHASH_DEFAULT).empty());

    // SIGHASH_NONE signs; SIGHASH_SINGLE without a matching output does not.
    const SecretKey k = MakeKey(1);
    FlatSigningProvider p;
    AddKey(p, k);
    Spend s = MakeSpend(P2WPKH(PubOf(k)));
    std::map<int, std::string> errors;
    CHECK(SignAll(s, p, errors, SIGHASH_NONE));
    CHECK(s.tx.vin[0].witness.stack[0].back() == SIGHASH_NONE);
    Spend s2 = MakeSpend(P2WPKH(PubOf(k)));
    s2.tx.vout.clear();
    errors.clear();
    CHECK_FALSE(SignAll(s2, p, errors, SIGHASH_SINGLE));
}

TEST_CASE("ECDSA signatures are ground to a low R, as Core's", "[rpc][sign]")
{
    // Without grinding about half of all DER signatures have a 33-byte R (72 bytes with the hash type).
    const SecretKey k = MakeKey(4);
    FlatSigningProvider p;
    AddKey(p, k);
    for (int i = 0; i < 32; ++i) {
        Spend s = MakeSpend(P2WPKH(PubOf(k)), Amount{100'000 + i});
        std::map<int, std::string> errors;
        REQUIRE(SignAll(s, p, errors));
        const Bytes& sig = s.tx.vin[0].witness.stack[0];
        CHECK(sig.size() <= 71);
        CHECK(sig[4] < 0x80); // R's first byte (no 0x00 pad)
        CHECK(Verifies(s));
    }
}
