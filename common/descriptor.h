// Output descriptors (BIP-380..386): addr(), raw(), pk(), pkh(), wpkh(), combo(), multi(),
// sortedmulti() (BIP-67 key order), sh(), wsh(), tr(KEY) and tr(KEY,TREE) whose leaves are
// pk(), pkh(), multi_a() or sortedmulti_a(), and rawtr(KEY), with Core's nesting rules and
// error texts. KEY expressions are in descriptor_key.h. A parsed descriptor expands at a
// position into its scriptPubKeys and the public data that solves them (a
// FlatSigningProvider: keys and origins, redeem and witness scripts, taproot spend data),
// and separately into its private keys. Immutable after parsing; any thread.
#pragma once

#include "common/descriptor_key.h"
#include "common/signing_provider.h"
#include "consensus/params.h"
#include "consensus/script/script.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace common {

/** The wallet's address kinds (Core's OutputType). */
enum class OutputType { LEGACY, P2SH_SEGWIT, BECH32, BECH32M };
/** "legacy", "p2sh-segwit", "bech32" or "bech32m". */
std::string_view OutputTypeName(OutputType type);

struct DescriptorNode; // the parsed tree (descriptor.cpp)

/** A parsed descriptor. Copies share the (immutable) tree. */
class Descriptor {
public:
    /** An empty raw() descriptor (no script); real ones come from ParseDescriptor. */
    Descriptor();

    /** Whether any key has a range ("*" step) (the scripts differ by position). */
    bool IsRange() const;
    /** False for addr() and raw() (nothing to sign with), true otherwise (Core's IsSolvable). */
    bool IsSolvable() const;
    /** False for combo(), which gives several kinds of script per position. */
    bool IsSingleType() const;
    /** The address kind of its scripts, nullopt for pk(), multi(), combo(), raw() of no address kind. */
    std::optional<OutputType> GetOutputType() const;
    /** Whether any key expression holds a private key (WIF or xprv). */
    bool HasPrivateKeys() const;

    /** An extended key a key expression starts from (Core's root extended key). */
    struct RootKey {
        consensus::ExtPubKey xpub;
        std::optional<consensus::ExtKey> xprv; //!< when the expression holds the private key
    };
    /** Each extended key its key expressions start from, once, in the order written (gethdkeys). */
    std::vector<RootKey> RootExtKeys() const;

    /** The public form with "#checksum" (private keys shown as their public keys). */
    std::string ToString() const;
    /**
     * Core's normalized public form: keys with hardened steps after a private root are shown
     * as the xpub at the last hardened step with an origin (what listdescriptors shows of a
     * wallet's descriptor, and what can derive without the private key).
     */
    std::string ToNormalizedString() const;
    /**
     * The form with private keys (WIF, xprv) where known, from the descriptor or keys,
     * with "#checksum" in out. False (out still set, public where unknown) if some key's
     * private key is unknown.
     */
    bool ToPrivateString(const SigningProvider& keys, std::string& out) const;
    bool ToPrivateString(std::string& out) const { return ToPrivateString(FlatSigningProvider{}, out); }

    /**
     * Core's Expand: the scriptPubKeys at pos (0 when not ranged; several for combo())
     * appended to scripts, and what solves them added to out: public keys by HASH160 and
     * their origins (taproot keys by HASH160 of the 33-byte key as derived, 02 for a
     * constant x-only key), redeem and witness scripts by HASH160, and for tr() the
     * TaprootSpendData with each leaf's control blocks (BIP-341). keys may supply private
     * keys for hardened derivation from an xpub. False with error if a key cannot be derived.
     */
    bool Expand(uint32_t pos, const SigningProvider& keys, std::vector<consensus::Script>& scripts,
                FlatSigningProvider& out, std::string& error) const;
    /** The first scriptPubKey at pos; nullopt with Core's error if it cannot be derived. */
    std::optional<consensus::Script> Expand(uint32_t pos, std::string& error) const;
    /**
     * Core's ExpandPrivate: the private keys at pos that the descriptor (or keys) holds,
     * added to out.keys by the HASH160 of their public key. Keys it cannot derive are skipped.
     */
    void ExpandPrivate(uint32_t pos, const SigningProvider& keys, FlatSigningProvider& out) const;

    /**
     * Core's InferDescriptor of the index-th script at pos, given the keys this descriptor
     * knows (the "desc" of scantxoutset results): e.g. "wpkh([fingerprint/path]key)#checksum".
     * multi/sortedmulti are given as multi() in script order. "" if it cannot be derived.
     */
    std::string InferAt(uint32_t pos, size_t index = 0) const;

private:
    friend std::optional<Descriptor> ParseDescriptor(std::string_view, const consensus::ChainParams&, std::string&,
                                                     bool);
    std::shared_ptr<const DescriptorNode> m_root;
    const consensus::ChainParams* m_params{nullptr};
};

/** Parses a descriptor, checking "#checksum" if present (or required). nullopt with Core's error text. */
std::optional<Descriptor> ParseDescriptor(std::string_view desc, const consensus::ChainParams& params,
                                          std::string& error, bool require_checksum = false);

/**
 * BIP-389 multipath: a descriptor whose key paths hold "<a;b;...>" steps stands for one
 * descriptor per alternative (all groups of the same length, two or more unique steps each);
 * returns them in order (one for a descriptor without groups). The checksum, if any, covers
 * the whole text. Each result prints with its own single path. nullopt with error otherwise.
 */
std::optional<std::vector<Descriptor>> ParseMultipathDescriptor(std::string_view desc,
                                                                const consensus::ChainParams& params,
                                                                std::string& error, bool require_checksum = false);

/** Core's error for a ranged descriptor where one script is wanted (generatetodescriptor, generateblock). */
inline constexpr std::string_view RANGED_DESCRIPTOR_ERROR =
    "Ranged descriptor not accepted. Maybe pass through deriveaddresses first?";

} // namespace common
