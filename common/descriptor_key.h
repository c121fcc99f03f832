// KEY expressions of output descriptors (BIP-380): hex public keys (x-only inside tr(),
// BIP-386), WIF private keys, and extended keys (the network's xpub/xprv or tpub/tprv,
// BIP-32) with derivation steps, an optional /* or /*h range and an optional key origin
// [fingerprint/path]. Pure values, any thread.
#pragma once

#include "common/signing_provider.h"
#include "consensus/params.h"
#include "consensus/script/bip32.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace common {

/** Where a key expression appears: decides x-only and uncompressed keys (Core's ParseScriptContext). */
enum class KeyContext {
    TOP,    ///< top level, or pk()/pkh()/multi() at top level or in sh(): uncompressed keys allowed
    SEGWIT, ///< under wpkh() or wsh(): compressed keys only
    TAPROOT ///< in tr()/rawtr() and their leaves: compressed or 32-byte x-only keys (BIP-386)
};

/** A key derived at one position, with the origin a signer needs to find its private key. */
struct DerivedKey {
    std::vector<uint8_t> pubkey; // 33 bytes (or 65 for an uncompressed constant key)
    KeyOrigin origin;
};

/** One KEY expression: a constant key, or an extended key with a path and perhaps a range. */
class DescriptorKey {
public:
    enum class Range { NONE, UNHARDENED, HARDENED };

    /** Parses str (with its origin, if any) in ctx. nullopt with Core's error text on failure. */
    static std::optional<DescriptorKey> Parse(std::string_view str, KeyContext ctx,
                                              const consensus::ChainParams& params, std::string& error);

    bool IsRange() const { return m_range != Range::NONE; }
    /** The extended key the expression starts from (nullopt for a constant key), and its private form if held. */
    const std::optional<consensus::ExtPubKey>& RootXpub() const { return m_xpub; }
    const std::optional<consensus::ExtKey>& RootXprv() const { return m_xprv; }
    /** True when the expression holds a private key (WIF or xprv). */
    bool HasPrivate() const { return m_const_secret.has_value() || m_xprv.has_value(); }

    /**
     * The public key at pos with its origin (Core's GetPubKey). A hardened step needs the
     * private key: from the expression, or else from keys (looked up by the extended key's
     * HASH160). nullopt with error "Cannot derive script without private keys" otherwise.
     */
    std::optional<DerivedKey> Derive(uint32_t pos, const SigningProvider& keys, std::string& error) const;
    /** The private key at pos, from the expression or keys; nullopt if neither has it. */
    std::optional<SecretKey> DerivePrivate(uint32_t pos, const SigningProvider& keys) const;

    /**
     * The expression as text: public (hex key, xpub) or, with priv, private (WIF, xprv)
     * where the private key is known (from the expression or keys); returns false, printing
     * the public form, when it is not. Hardened markers as parsed ('h' or ').
     */
    bool ToString(bool priv, const SigningProvider& keys, std::string& out) const;
    /**
     * Core's normalized form: an xprv with hardened steps is printed as the xpub at its last
     * hardened step, those steps moved into the origin ("[fingerprint/84h/1h/0h]tpub.../0/..."),
     * so the public form can derive. Otherwise as ToString(false).
     */
    bool ToNormalizedString(std::string& out) const;

private:
    const consensus::ChainParams* m_params{nullptr};
    std::optional<KeyOrigin> m_origin;
    bool m_origin_apostrophe{false};
    std::vector<uint8_t> m_const; // a constant key (33 or 65 bytes; an x-only key is stored as 02 || x)
    bool m_xonly{false};          // parsed as 32 bytes (printed so)
    std::optional<SecretKey> m_const_secret;
    std::optional<consensus::ExtKey> m_xprv;
    std::optional<consensus::ExtPubKey> m_xpub; // set for every extended key
    std::vector<uint32_t> m_path;               // steps after the extended key, before the range
    Range m_range{Range::NONE};
    bool m_apostrophe{false};

    std::vector<uint32_t> StepsAt(uint32_t pos) const;
    /** The root extended private key: from the expression, or rebuilt from keys. */
    std::optional<consensus::ExtKey> RootPrivate(const SigningProvider& keys) const;
};

/** The BIP-32 version bytes of params' extended public keys (xpub on main, tpub elsewhere). */
consensus::Bip32Version ExtPubKeyVersion(const consensus::ChainParams& params);
/** The BIP-32 version bytes of params' extended private keys (xprv on main, tprv elsewhere). */
consensus::Bip32Version ExtKeyVersion(const consensus::ChainParams& params);

/** "/1h/2" (or "/1'/2" with apostrophe) for a BIP-32 path. */
std::string FormatKeyPath(const std::vector<uint32_t>& path, bool apostrophe = false);

} // namespace common
