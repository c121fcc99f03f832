// Wallet encryption methods (Core's wallet/rpc/encrypt.cpp): encryptwallet, walletpassphrase,
// walletlock, walletpassphrasechange, with Core's parameters, results and error codes. The
// passphrase is copied into a SecureString (wiped when freed); the JSON request's own copy is
// beyond reach, as in Core. No passphrase ever goes into an error or the log.
#include "wallet/rpc/util.h"

namespace wallet::rpc {

namespace {

using T = RpcResultType;
using A = RpcArgType;

/** Core's walletpassphrase cap (MAX_SLEEP_TIME). */
constexpr int64_t MAX_SLEEP_TIME = 100000000;

SecureString Passphrase(const Json& value)
{
    SecureString s;
    s.reserve(100); // on the heap, so the allocator wipes it (a short string would sit inline)
    const std::string& v = GetStr(value);
    s.assign(v.begin(), v.end());
    return s;
}

Json EncryptWallet(const WalletContext& context, const RpcRequest& req)
{
    const auto w = GetWalletForRequest(context, req);
    if (w->HasFlag(WALLET_FLAG_DISABLE_PRIVATE_KEYS)) {
        throw RpcError(RPC_WALLET_ENCRYPTION_FAILED,
                       "Error: wallet does not contain private keys, nothing to encrypt.");
    }
    if (w->IsCrypted()) {
        throw RpcError(RPC_WALLET_WRONG_ENC_STATE,
                       "Error: running with an encrypted wallet, but encryptwallet was called.");
    }
    const SecureString passphrase = Passphrase(req.params[0]);
    if (passphrase.empty()) throw RpcError(RPC_INVALID_PARAMETER, "passphrase cannot be empty");
    std::string error;
    if (!w->Encrypt(passphrase, error)) {
        throw RpcError(RPC_WALLET_ENCRYPTION_FAILED, "Error: Failed to encrypt the wallet.");
    }
    return "wallet encrypted; The keypool has been flushed and a new HD seed was generated (if you are using HD). "
           "You need to make a new backup.";
}

Json WalletPassphrase(const WalletContext& context, const RpcRequest& req)
{
    const auto w = GetWalletForRequest(context, req);
    if (!w->IsCrypted()) {
        throw RpcError(RPC_WALLET_WRONG_ENC_STATE,
                       "Error: running with an unencrypted wallet, but walletpassphrase was called.");
    }
    const SecureString passphrase = Passphrase(req.params[0]);
    int64_t timeout = GetInt(req.params[1]);
    // A negative timeout would relock at once (Core refuses it); a huge one is capped.
    if (timeout < 0) throw RpcError(RPC_INVALID_PARAMETER, "Timeout cannot be negative.");
    timeout = std::min(timeout, MAX_SLEEP_TIME);
    if (passphrase.empty()) throw RpcError(RPC_INVALID_PARAMETER, "passphrase cannot be empty");
    std::string error;
    bool wrong = false;
    if (!w->Unlock(passphrase, timeout, error, &wrong)) {
        throw RpcError(wrong ? RPC_WALLET_PASSPHRASE_INCORRECT : RPC_WALLET_ERROR, error);
    }
    return Json();
}

Json WalletPassphraseChange(const WalletContext& context, const RpcRequest& req)
{
    const auto w = GetWalletForRequest(context, req);
    if (!w->IsCrypted()) {
        throw RpcError(RPC_WALLET_WRONG_ENC_STATE,
                       "Error: running with an unencrypted wallet, but walletpassphrasechange was called.");
    }
    const SecureString old_passphrase = Passphrase(req.params[0]);
    const SecureString new_passphrase = Passphrase(req.params[1]);
    if (old_passphrase.empty() || new_passphrase.empty()) {
        throw RpcError(RPC_INVALID_PARAMETER, "passphrase cannot be empty");
    }
    std::string error;
    bool wrong = false;
    if (!w->ChangePassphrase(old_passphrase, new_passphrase, error, &wrong)) {
        throw RpcError(wrong ? RPC_WALLET_PASSPHRASE_INCORRECT : RPC_WALLET_ERROR, error);
    }
    return Json();
}

Json WalletLock(const WalletContext& context, const RpcRequest& req)
{
    const auto w = GetWalletForRequest(context, req);
    if (!w->IsCrypted()) {
        throw RpcError(RPC_WALLET_WRONG_ENC_STATE,
                       "Error: running with an unencrypted wallet, but walletlock was called.");
    }
    w->Lock();
    return Json();
}

} // namespace

void EnsureWalletIsUnlocked(const Wallet& wallet)
{
    std::string error;
    if (!wallet.EnsureUnlocked(error)) throw RpcError(RPC_WALLET_UNLOCK_NEEDED, error);
}

void RegisterEncryptRpc(RpcTable& table, WalletContext& context)
{
    WalletContext* ctx = &context;
    table.Register(RpcMethod{
        .category = "wallet",
        .name = "encryptwallet",
        .args = {Arg(
            "passphrase", A::STR, false, "",
            "The pass phrase to encrypt the wallet with. It must be at least 1 character, but should be long.")},
        .description = "Encrypts the wallet with 'passphrase'. This is for first time encryption.\n"
                       "After this, any calls that interact with private keys such as sending or signing\n"
                       "will require the passphrase to be set prior to making these calls.\n"
                       "Use the walletpassphrase call for this, and then walletlock call.\n"
                       "If the wallet is already encrypted, use the walletpassphrasechange call.",
        .examples = HelpExampleCli("encryptwallet", "\"my pass phrase\"") +
                    HelpExampleRpc("encryptwallet", "\"my pass phrase\""),
        .handler = [ctx](const RpcRequest& req) { return EncryptWallet(*ctx, req); },
        .results = {Res(T::STR, "", "A string with further instructions")},
    });
    table.Register(RpcMethod{
        .category = "wallet",
        .name = "walletpassphrase",
        .args = {Arg("passphrase", A::STR, false, "", "The wallet passphrase"),
                 Arg("timeout", A::NUM, false, "",
                     "The time to keep the decryption key in seconds; capped at 100000000 (~3 years).")},
        .description = "Stores the wallet decryption key in memory for 'timeout' seconds.\n"
                       "This is needed prior to performing transactions related to private keys such as sending "
                       "bitcoins\n\nNote:\nIssuing the walletpassphrase command while the wallet is already unlocked "
                       "will set a new unlock\ntime that overrides the old one.",
        .examples = HelpExampleCli("walletpassphrase", "\"my pass phrase\" 60") +
                    HelpExampleRpc("walletpassphrase", "\"my pass phrase\", 60"),
        .handler = [ctx](const RpcRequest& req) { return WalletPassphrase(*ctx, req); },
        .results = {Res(T::NONE, "", "")},
    });
    table.Register(RpcMethod{
        .category = "wallet",
        .name = "walletpassphrasechange",
        .args = {Arg("oldpassphrase", A::STR, false, "", "The current passphrase"),
                 Arg("newpassphrase", A::STR, false, "", "The new passphrase")},
        .description = "Changes the wallet passphrase from 'oldpassphrase' to 'newpassphrase'.",
        .examples = HelpExampleCli("walletpassphrasechange", "\"old one\" \"new one\"") +
                    HelpExampleRpc("walletpassphrasechange", "\"old one\", \"new one\""),
        .handler = [ctx](const RpcRequest& req) { return WalletPassphraseChange(*ctx, req); },
        .results = {Res(T::NONE, "", "")},
    });
    table.Register(RpcMethod{
        .category = "wallet",
        .name = "walletlock",
        .description = "Removes the wallet encryption key from memory, locking the wallet.\n"
                       "After calling this method, you will need to call walletpassphrase again\n"
                       "before being able to call any methods which require the wallet to be unlocked.",
        .examples = HelpExampleCli("walletlock", "") + HelpExampleRpc("walletlock", ""),
        .handler = [ctx](const RpcRequest& req) { return WalletLock(*ctx, req); },
        .results = {Res(T::NONE, "", "")},
    });
}

} // namespace wallet::rpc
