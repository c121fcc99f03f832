// Output descriptors (BIP-380..386) for the node's RPCs, the part that needs no wallet:
// addr(), raw(), pk(), pkh(), wpkh(), sh(wpkh()) and tr(KEY) or tr(KEY,TREE) whose leaves
// are pk(KEY) (BIP-386), with key
// expressions that are hex keys, x-only keys (in tr()), WIF keys, or extended keys
// (xpub/xprv, tpub/tprv per network) with derivation steps, an optional /* or /*h range,
// and an optional key origin [fingerprint/path]. The wallet will build the full language
// on the same BIP-32 code (consensus/script/bip32.h). Pure values, any thread.
#pragma once

#include "consensus/params.h"
#include "consensus/script/bip32.h"
#include "consensus/script/script.h"
#include "common/signing_provider.h"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace common {

/** One KEY expression: a constant key, or an extended key with a path and perhaps a range. */
class DescriptorKey {
public:
    enum class Range { NONE, UNHARDENED, HARDENED };

    /**
     * Parses str (with its origin, if any). in_tr: inside tr(), where 32-byte x-only keys
     * are allowed and uncompressed ones are not. nullopt with Core's error text on failure.
     */
    static std::optional<DescriptorKey> Parse(std::string_view str, bool permit_uncompressed, bool in_tr,
                                              const consensus::ChainParams& params, std::string& error);

    bool IsRange() const { return m_range != Range::NONE; }
    /** The public key at pos (33 or 65 bytes); nullopt with error if a hardened step needs a private key we lack. */
    std::optional<std::vector<uint8_t>> PubKeyAt(uint32_t pos, std::string& error) const;
    /** "[fingerprint/path]" of the key at pos as Core's inferred descriptors print it ('h' for hardened). */
    std::string OriginAt(uint32_t pos, const std::vector<uint8_t>& pubkey) const;

private:
    std::optional<KeyOrigin> m_origin;
    std::vector<uint8_t> m_const; // a constant key (33 or 65 bytes; an x-only key is stored as 02 || x)
    std::optional<consensus::ExtKey> m_xprv;
    std::optional<consensus::ExtPubKey> m_xpub; // set for every extended key
    std::vector<uint32_t> m_path;               // steps after the extended key, before the range
    Range m_range{Range::NONE};
};

/** A parsed descriptor that produces one scriptPubKey per position (one in all if not ranged). */
class Descriptor {
public:
    bool IsRange() const;
    /** The scriptPubKey at pos (0 when not ranged); nullopt with Core's error if it cannot be derived. */
    std::optional<consensus::Script> Expand(uint32_t pos, std::string& error) const;
    /**
     * Core's InferDescriptor of the script at pos, given the keys this descriptor knows
     * (the "desc" of scantxoutset results): e.g. "wpkh([fingerprint/path]key)#checksum".
     */
    std::string InferAt(uint32_t pos) const;

private:
    friend std::optional<Descriptor> ParseDescriptor(std::string_view, const consensus::ChainParams&, std::string&,
                                                     bool);
    enum class Kind { SCRIPT, PK, PKH, WPKH, SH_WPKH, TR };
    Kind m_kind{Kind::SCRIPT};
    consensus::Script m_script; // addr() / raw()
    std::optional<DescriptorKey> m_key;
    /** A pk() leaf of a tr() script tree at its depth; the leaves are in depth-first order. */
    struct TapLeaf {
        int depth{0};
        DescriptorKey key;
    };
    std::vector<TapLeaf> m_leaves;
    const consensus::ChainParams* m_params{nullptr};
    /** The BIP-341 merkle root of the script tree at pos; nullopt with error if a key cannot be derived. */
    std::optional<consensus::Uint256> TaprootMerkleRoot(uint32_t pos, std::string& error) const;
    /** The tree as "{pk([origin]key),...}" with the keys at pos, from leaf i on at depth. */
    std::string TreeString(uint32_t pos, size_t& i, int depth) const;
};

/** Parses a descriptor, checking "#checksum" if present (or required). nullopt with Core's error text. */
std::optional<Descriptor> ParseDescriptor(std::string_view desc, const consensus::ChainParams& params,
                                          std::string& error, bool require_checksum = false);

/** Core's error for a ranged descriptor where one script is wanted (generatetodescriptor, generateblock). */
inline constexpr std::string_view RANGED_DESCRIPTOR_ERROR =
    "Ranged descriptor not accepted. Maybe pass through deriveaddresses first?";

} // namespace common
