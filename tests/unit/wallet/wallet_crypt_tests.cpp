// Wallet encryption: the crypter against values computed independently (Python hashlib and
// the cryptography package, and `openssl dgst -sha512` / `openssl enc -aes-256-cbc`), wrong
// passphrases, the master key record, and the wallet's encrypt / lock / unlock / relock /
// change-passphrase life over a fake chain.
#include "fake_chain.h"

#include "consensus/hex.h"
#include "storage/fault_env.h"
#include "wallet/crypter.h"
#include "wallet/relock_timer.h"
#include "wallet/wallet.h"
#include "wallet/walletdb.h"

#include <catch2/catch.hpp>

#include <atomic>
#include <fstream>
#include <iterator>
#include <thread>

#include <unistd.h>

using namespace wallet;
using wallet_test::FakeChain;
using wallet_test::TempDir;

namespace {

SecureString Pass(std::string_view s) { return SecureString(s.begin(), s.end()); }

struct Fixture {
    FakeChain chain;
    TempDir dir;
    std::atomic<int64_t> clock{1'700'000'000};
    WalletEnv env;
    std::shared_ptr<Wallet> w;
    explicit Fixture(leveldb::Env* db_env = nullptr, const SecureString& passphrase = {})
    {
        env.chain = &chain;
        env.keypool = 5;
        env.db_env = db_env;
        env.now = [this] { return clock.load(); };
        chain.Mine(consensus::Script(std::vector<uint8_t>{0x51}));
        std::string error;
        CreateOptions options;
        options.passphrase = passphrase;
        w = Wallet::Create(env, "w", dir.path / "w", options, error);
        REQUIRE(w);
    }
    consensus::Script NewScript()
    {
        std::string error;
        auto s = w->GetNewScript(OutputType::BECH32, "", false, error);
        REQUIRE(s);
        return *s;
    }
    /** The secret keys the wallet would sign script with. */
    std::map<common::KeyId, common::SecretKey> Keys(const consensus::Script& script)
    {
        auto p = w->GetProvider(script, /*with_private=*/true);
        REQUIRE(p);
        return p->keys;
    }
    void Reload()
    {
        w.reset();
        std::string error;
        w = Wallet::Load(env, "w", dir.path / "w", error);
        REQUIRE(w);
    }
    /** Every record of the database, key and value. */
    std::vector<std::pair<std::string, std::string>> Records() const
    {
        std::vector<std::pair<std::string, std::string>> out;
        w->Database().ForEach("", [&](std::string_view k, std::string_view v) {
            out.emplace_back(std::string(k), std::string(v));
            return true;
        });
        return out;
    }
    size_t Count(std::string_view prefix) const
    {
        size_t n = 0;
        for (const auto& [k, v] : Records()) n += k.starts_with(prefix);
        return n;
    }
};

/** Whether any file under dir holds needle. */
bool FilesContain(const std::filesystem::path& dir, const std::string& needle)
{
    for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
        if (!entry.is_regular_file()) continue;
        std::ifstream f(entry.path(), std::ios::binary);
        const std::string data((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
        if (data.find(needle) != std::string::npos) return true;
    }
    return false;
}

} // namespace

TEST_CASE("The passphrase KDF and AES-256-CBC match independently computed values", "[wallet][crypt]")
{
    const SecureString pass = Pass("correct horse battery staple");
    const std::vector<uint8_t> salt{1, 2, 3, 4, 5, 6, 7, 8};
    std::vector<uint8_t> plain(32);
    for (size_t i = 0; i < plain.size(); ++i) plain[i] = static_cast<uint8_t>(i);
    SecureBytes key, iv;
    // One round: SHA-512(passphrase || salt) (openssl dgst -sha512 of the same bytes).
    REQUIRE(DeriveKeyFromPassphrase(pass, salt, 1, DERIVE_METHOD_SHA512, key, iv));
    CHECK(consensus::HexStr(key) == "f503ae483c5ef7e0f47613f71853d05add56a8f2e5425070538701896934b840");
    CHECK(consensus::HexStr(iv) == "c7f38e7d2ce9346c9489660f5a9dfb91");
    std::vector<uint8_t> cipher;
    REQUIRE(AesCbcEncrypt(key, iv, plain, cipher));
    CHECK(consensus::HexStr(cipher) == "2c47d0a08d40f82e6349d296e456eed405024f026f55c1f5590d0ef19cd554ef"
                                       "b3f929b5ece5a42b7b7df10252d7985e");
    // 25000 rounds (Core's minimum); the ciphertext as `openssl enc -aes-256-cbc -K .. -iv ..` gives it.
    REQUIRE(DeriveKeyFromPassphrase(pass, salt, 25000, DERIVE_METHOD_SHA512, key, iv));
    CHECK(consensus::HexStr(key) == "cc820455994a170fb1b741699c165e0804b63027a549ddbd5bf78376bf6986f1");
    CHECK(consensus::HexStr(iv) == "b2cc8a5b935dfc41119934c572d6057a");
    REQUIRE(AesCbcEncrypt(key, iv, plain, cipher));
    CHECK(consensus::HexStr(cipher) == "4fcb90fc40db1cdb5d7195aaae9a4558b356fbdd342d29c8878518dbe7e91039"
                                       "763d2c25133b844750c5a6539b7eaf40");
    SecureBytes back;
    REQUIRE(AesCbcDecrypt(key, iv, cipher, back));
    CHECK(std::vector<uint8_t>(back.begin(), back.end()) == plain);
    // Refused: an unknown method, no rounds, bad sizes, a ciphertext that is not whole blocks.
    CHECK_FALSE(DeriveKeyFromPassphrase(pass, salt, 1, 1, key, iv));
    CHECK_FALSE(DeriveKeyFromPassphrase(pass, salt, 0, DERIVE_METHOD_SHA512, key, iv));
    CHECK_FALSE(AesCbcEncrypt(std::span(key).first(16), iv, plain, cipher));
    CHECK_FALSE(AesCbcDecrypt(key, iv, std::span(cipher).first(20), back));
    CHECK_FALSE(AesCbcDecrypt(key, iv, {}, back));
}

TEST_CASE("A wrong passphrase never opens the master key record", "[wallet][crypt]")
{
    SecureBytes master(WALLET_CRYPTO_KEY_SIZE);
    REQUIRE(RandomBytes(master));
    // One round so that many wrong tries are quick.
    auto rec = MakeMasterKeyRecord(master, Pass("right"), 1);
    REQUIRE(rec);
    CHECK(rec->salt.size() == WALLET_CRYPTO_SALT_SIZE);
    CHECK(rec->crypted_key.size() == 48);
    auto opened = OpenMasterKeyRecord(*rec, Pass("right"));
    REQUIRE(opened);
    CHECK(*opened == master);
    for (int i = 0; i < 2000; ++i) CHECK_FALSE(OpenMasterKeyRecord(*rec, Pass("wrong" + std::to_string(i))));
    // A record whose key opens under another passphrase (swapped or forged) fails the check bytes.
    MasterKeyRecord forged = *rec;
    SecureBytes key, iv, other_key(WALLET_CRYPTO_KEY_SIZE);
    REQUIRE(RandomBytes(other_key));
    REQUIRE(DeriveKeyFromPassphrase(Pass("intruder"), rec->salt, rec->iterations, rec->method, key, iv));
    REQUIRE(AesCbcEncrypt(key, iv, other_key, forged.crypted_key));
    CHECK_FALSE(OpenMasterKeyRecord(forged, Pass("intruder")));
    // The record's encoding round-trips; a damaged one does not load.
    const MasterKeyRecord decoded = DecodeMasterKey(EncodeMasterKey(*rec));
    CHECK(decoded.crypted_key == rec->crypted_key);
    CHECK(decoded.salt == rec->salt);
    CHECK(decoded.iterations == rec->iterations);
    CHECK(decoded.check == rec->check);
    std::string bad = EncodeMasterKey(*rec);
    CHECK_THROWS_AS(DecodeMasterKey(bad.substr(0, bad.size() - 1)), consensus::DecodeError);
    MasterKeyRecord huge = *rec;
    huge.iterations = MAX_DERIVE_ITERATIONS + 1;
    CHECK_THROWS_AS(DecodeMasterKey(EncodeMasterKey(huge)), consensus::DecodeError);
    // Two records of the same key differ (fresh salt), and each opens only with its passphrase.
    auto other = MakeMasterKeyRecord(master, Pass("right"), 1);
    REQUIRE(other);
    CHECK(other->salt != rec->salt);
}

TEST_CASE("The iteration count is calibrated to about 100 ms and never below 25000", "[wallet][crypt]")
{
    const std::vector<uint8_t> salt(8, 7);
    // 1000 rounds per millisecond: 100 ms is 100000 rounds.
    CHECK(CalibrateIterations(Pass("p"), salt, 100, [](uint32_t r) { return r / 1000.0; }) == 100000);
    // A slow machine still gets Core's floor.
    CHECK(CalibrateIterations(Pass("p"), salt, 100, [](uint32_t r) { return r / 10.0; }) == MIN_DERIVE_ITERATIONS);
    // A real measurement gives at least the floor.
    CHECK(CalibrateIterations(Pass("p"), salt) >= MIN_DERIVE_ITERATIONS);
}

TEST_CASE("Secrets encrypted under the master key take a fresh IV and fail under another key", "[wallet][crypt]")
{
    SecureBytes master(WALLET_CRYPTO_KEY_SIZE), other(WALLET_CRYPTO_KEY_SIZE);
    REQUIRE(RandomBytes(master));
    REQUIRE(RandomBytes(other));
    const std::string secret = "wpkh(tprv8ZgxMBicQKsPd...)";
    const std::span<const uint8_t> bytes(reinterpret_cast<const uint8_t*>(secret.data()), secret.size());
    auto a = EncryptSecret(master, bytes);
    auto b = EncryptSecret(master, bytes);
    REQUIRE(a);
    REQUIRE(b);
    CHECK(*a != *b); // random IVs
    auto back = DecryptSecret(master, *a);
    REQUIRE(back);
    CHECK(std::string(back->begin(), back->end()) == secret);
    auto wrong = DecryptSecret(other, *a);
    CHECK((!wrong || std::string(wrong->begin(), wrong->end()) != secret));
    CHECK_FALSE(DecryptSecret(master, std::span(*a).first(WALLET_CRYPTO_IV_SIZE)));
}

TEST_CASE("The relock timer fires once at its deadline; a new deadline replaces the old; cancel drops it",
          "[wallet][crypt]")
{
    std::atomic<int> fired{0};
    RelockTimer timer([&] { ++fired; });
    timer.Schedule(std::chrono::milliseconds(50));
    for (int i = 0; i < 200 && fired == 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    CHECK(fired == 1);
    timer.Schedule(std::chrono::seconds(30));
    timer.Schedule(std::chrono::milliseconds(20)); // replaces the 30 s one
    for (int i = 0; i < 200 && fired == 1; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    CHECK(fired == 2);
    timer.Schedule(std::chrono::milliseconds(20));
    timer.Cancel();
    std::this_thread::sleep_for(std::chrono::milliseconds(150));
    CHECK(fired == 2);
}

TEST_CASE("encryptwallet: secrets rewritten encrypted, the wallet locked, addresses still handed out",
          "[wallet][crypt]")
{
    Fixture f;
    const consensus::Script script = f.NewScript();
    const auto keys = f.Keys(script);
    REQUIRE_FALSE(keys.empty());
    REQUIRE(f.Count(dbkeys::DESCRIPTOR_KEYS) == 8);
    // The account xprv as stored in the clear, to look for it after encryption.
    std::string tprv;
    for (const auto& [k, v] : f.Records()) {
        if (k.starts_with(dbkeys::DESCRIPTOR_KEYS)) tprv = v.substr(v.find("tprv"), 111);
    }
    REQUIRE(tprv.size() == 111);
    REQUIRE(FilesContain(f.dir.path, tprv));

    std::string error;
    CHECK_FALSE(f.w->IsCrypted());
    CHECK_FALSE(f.w->IsLocked());
    REQUIRE(f.w->Encrypt(Pass("secret passphrase"), error));
    CHECK(f.w->IsCrypted());
    CHECK(f.w->IsLocked());
    CHECK(f.Count(dbkeys::DESCRIPTOR_KEYS) == 0);
    // The eight secrets encrypted, and eight more: Core's new descriptors from a new seed.
    CHECK(f.Count(dbkeys::CRYPTED_DESCRIPTOR_KEYS) == 16);
    CHECK(f.Count(dbkeys::MASTER_KEY) == 1);
    for (const auto& [k, v] : f.Records()) CHECK(v.find("tprv") == std::string::npos);
    // Compacted: the erased plain records are gone from the files too.
    CHECK_FALSE(FilesContain(f.dir.path, tprv));
    CHECK_FALSE(f.w->Encrypt(Pass("again"), error));

    // Locked: no secret key, Core's error, but new addresses (public derivation) still work.
    CHECK(f.Keys(script).empty());
    CHECK_FALSE(f.w->EnsureUnlocked(error));
    CHECK(error == "Error: Please enter the wallet passphrase with walletpassphrase first.");
    CHECK(f.w->UnlockedUntil() == 0);
    const consensus::Script script2 = f.NewScript();
    // Handed out after encryption: from the new seed, which no unencrypted backup holds.
    const auto old_parent = f.w->ParentDescriptor(script);
    const auto new_parent = f.w->ParentDescriptor(script2);
    REQUIRE((old_parent && new_parent));
    CHECK(old_parent->substr(0, old_parent->find(']')) != new_parent->substr(0, new_parent->find(']')));

    // A wrong passphrase: refused, and the error does not quote it.
    bool wrong = false;
    CHECK_FALSE(f.w->Unlock(Pass("not it"), 60, error, &wrong));
    CHECK(wrong);
    CHECK(error == "Error: The wallet passphrase entered was incorrect.");
    CHECK(f.w->IsLocked());

    REQUIRE(f.w->Unlock(Pass("secret passphrase"), 60, error));
    CHECK_FALSE(f.w->IsLocked());
    CHECK(f.w->UnlockedUntil() == f.clock.load() + 60);
    CHECK(f.Keys(script) == keys);
    CHECK_FALSE(f.Keys(script2).empty());
    CHECK(f.w->EnsureUnlocked(error));
    f.w->Lock();
    CHECK(f.w->IsLocked());
    CHECK(f.Keys(script).empty());
    CHECK(f.w->UnlockedUntil() == 0);
}

TEST_CASE("An unlock ends at its timeout, and the timer wipes the secrets", "[wallet][crypt]")
{
    Fixture f;
    const consensus::Script script = f.NewScript();
    std::string error;
    REQUIRE(f.w->Encrypt(Pass("pw"), error));
    REQUIRE(f.w->Unlock(Pass("pw"), 1, error));
    CHECK_FALSE(f.Keys(script).empty());
    // The clock passes the deadline: locked at once, whether or not the timer has run yet.
    f.clock += 2;
    CHECK(f.w->IsLocked());
    CHECK(f.Keys(script).empty());
    // Once the timer has run the secrets are gone: turning the clock back does not bring them back.
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    f.clock -= 2;
    CHECK(f.w->IsLocked());
    CHECK(f.Keys(script).empty());
    // A later walletpassphrase replaces the deadline: the first timer does not lock the second unlock.
    REQUIRE(f.w->Unlock(Pass("pw"), 1, error));
    REQUIRE(f.w->Unlock(Pass("pw"), 1000, error));
    std::this_thread::sleep_for(std::chrono::milliseconds(1300));
    CHECK_FALSE(f.w->IsLocked());
    CHECK(f.w->UnlockedUntil() == f.clock.load() + 1000);
}

TEST_CASE("An encrypted wallet loads locked; the passphrase changes and the old one stops working", "[wallet][crypt]")
{
    Fixture f;
    const consensus::Script script = f.NewScript();
    const auto keys = f.Keys(script);
    std::string error;
    REQUIRE(f.w->Encrypt(Pass("first"), error));
    f.Reload();
    CHECK(f.w->IsCrypted());
    CHECK(f.w->IsLocked());
    CHECK(f.Keys(script).empty());
    bool wrong = false;
    CHECK_FALSE(f.w->ChangePassphrase(Pass("bad"), Pass("second"), error, &wrong));
    CHECK(wrong);
    REQUIRE(f.w->ChangePassphrase(Pass("first"), Pass("second"), error));
    CHECK(f.w->IsLocked()); // changing the passphrase does not unlock
    f.Reload();
    CHECK_FALSE(f.w->Unlock(Pass("first"), 10, error));
    REQUIRE(f.w->Unlock(Pass("second"), 10, error));
    CHECK(f.Keys(script) == keys);
}

TEST_CASE("createwallet with a passphrase never writes a secret in the clear", "[wallet][crypt]")
{
    Fixture f(nullptr, Pass("pw at birth"));
    CHECK(f.w->IsCrypted());
    CHECK(f.w->IsLocked());
    CHECK(f.Count(dbkeys::DESCRIPTOR_KEYS) == 0);
    CHECK(f.Count(dbkeys::CRYPTED_DESCRIPTOR_KEYS) == 8);
    CHECK_FALSE(FilesContain(f.dir.path, "tprv"));
    const consensus::Script script = f.NewScript();
    CHECK(f.Keys(script).empty());
    std::string error;
    REQUIRE(f.w->Unlock(Pass("pw at birth"), 10, error));
    CHECK_FALSE(f.Keys(script).empty());
    // No passphrase for a wallet without private keys (Core's createwallet error).
    CreateOptions options;
    options.disable_private_keys = true;
    options.passphrase = Pass("x");
    CHECK_FALSE(Wallet::Create(f.env, "wo", f.dir.path / "wo", options, error));
    CHECK(error.starts_with("Passphrase provided but private keys are disabled."));
    CHECK_FALSE(std::filesystem::exists(f.dir.path / "wo"));
}

TEST_CASE("A failed encryption write leaves the plain wallet whole", "[wallet][crypt][storage]")
{
    storage_test::FaultEnv fault_env("wallet.ldb");
    Fixture f(&fault_env);
    const consensus::Script script = f.NewScript();
    const auto keys = f.Keys(script);
    std::string error;
    fault_env.FailWrites(true);
    CHECK_FALSE(f.w->Encrypt(Pass("pw"), error));
    CHECK_FALSE(f.w->IsCrypted());
    CHECK(f.Keys(script) == keys);
    fault_env.Heal();
    f.Reload();
    CHECK_FALSE(f.w->IsCrypted());
    CHECK(f.Keys(script) == keys);
    CHECK(f.Count(dbkeys::DESCRIPTOR_KEYS) == 8);
    CHECK(f.Count(dbkeys::CRYPTED_DESCRIPTOR_KEYS) == 0);
}

TEST_CASE("A wallet with both encrypted and plain secrets, or encrypted ones without a master key, does not load",
          "[wallet][crypt]")
{
    Fixture f;
    std::string error;
    REQUIRE(f.w->Encrypt(Pass("pw"), error));
    const auto records = f.Records();
    WalletBatch batch;
    for (const auto& [k, v] : records) {
        if (k.starts_with(dbkeys::MASTER_KEY)) batch.Erase(k);
    }
    f.w.reset();
    {
        WalletDatabase::Options o;
        auto db = WalletDatabase::Open(f.dir.path / "w", o, error);
        REQUIRE(db);
        REQUIRE(db->Write(batch, error));
    }
    CHECK_FALSE(Wallet::Load(f.env, "w", f.dir.path / "w", error));
    CHECK(error.find("Wallet corrupted") != std::string::npos);
}
