// What a signer may know about the scripts it signs for (Core's SigningProvider): secret keys,
// public keys with their BIP-32 origins, redeem and witness scripts, and taproot spend data.
// Descriptors fill a FlatSigningProvider when they expand; the wallet serves its own keys;
// signing (Core's ProduceSignature) and PSBTs read from one. Pure data, any thread.
#pragma once

#include "consensus/script/script.h"
#include "consensus/uint256.h"

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <utility>
#include <vector>

namespace common {

/** A key's id: HASH160 of its serialized public key (Core's CKeyID). */
using KeyId = consensus::Uint160;
/** A script's id: HASH160 of the script (Core's CScriptID). P2WSH scripts are found by
 *  RIPEMD160 of their SHA256, which is the same HASH160. */
using ScriptId = consensus::Uint160;
/** A BIP-340 x-only public key. */
using XOnlyKey = std::array<uint8_t, 32>;

/** A key origin: the fingerprint of the key it comes from and the path from there (BIP-380). */
struct KeyOrigin {
    std::array<uint8_t, 4> fingerprint{};
    std::vector<uint32_t> path;
    bool operator==(const KeyOrigin&) const = default;
};

/** A secret key and whether its public key is used compressed (Core's CKey). Wiped when destroyed. */
struct SecretKey {
    std::array<uint8_t, 32> bytes{};
    bool compressed{true};
    SecretKey() = default;
    SecretKey(const SecretKey&) = default;
    SecretKey& operator=(const SecretKey&) = default;
    ~SecretKey() { Wipe(); }
    bool operator==(const SecretKey&) const = default;
    /** Overwrites the secret (also done by the destructor) in a way the compiler keeps. */
    void Wipe()
    {
        volatile uint8_t* p = bytes.data();
        for (size_t i = 0; i < bytes.size(); ++i) p[i] = 0;
    }
};

/** How a taproot output can be spent (Core's TaprootSpendData), keyed by its output key. */
struct TaprootSpendData {
    XOnlyKey internal_key{};
    /** The script tree's merkle root; nullopt for a key-path-only output. */
    std::optional<consensus::Uint256> merkle_root;
    /** Each leaf (script, leaf version) with the control blocks that prove it. */
    std::map<std::pair<std::vector<uint8_t>, int>, std::set<std::vector<uint8_t>>> scripts;
};

/** Read access to keys and scripts; each getter returns nullopt when it does not know. */
class SigningProvider {
public:
    virtual ~SigningProvider() = default;
    virtual std::optional<consensus::Script> GetScript(const ScriptId& id) const = 0;
    /** The serialized public key (33 or 65 bytes) of id. */
    virtual std::optional<std::vector<uint8_t>> GetPubKey(const KeyId& id) const = 0;
    /** The public key of id with its origin. */
    virtual std::optional<KeyOrigin> GetKeyOrigin(const KeyId& id) const = 0;
    virtual std::optional<SecretKey> GetKey(const KeyId& id) const = 0;
    /** How the taproot output with this output key is spent. */
    virtual std::optional<TaprootSpendData> GetTaprootSpendData(const XOnlyKey& output_key) const = 0;
};

/** A provider that holds everything in maps (Core's FlatSigningProvider). */
class FlatSigningProvider : public SigningProvider {
public:
    std::map<ScriptId, consensus::Script> scripts;
    std::map<KeyId, std::vector<uint8_t>> pubkeys;
    std::map<KeyId, KeyOrigin> origins;
    std::map<KeyId, SecretKey> keys;
    std::map<XOnlyKey, TaprootSpendData> tr_spenddata;

    std::optional<consensus::Script> GetScript(const ScriptId& id) const override { return Find(scripts, id); }
    std::optional<std::vector<uint8_t>> GetPubKey(const KeyId& id) const override { return Find(pubkeys, id); }
    std::optional<KeyOrigin> GetKeyOrigin(const KeyId& id) const override { return Find(origins, id); }
    std::optional<SecretKey> GetKey(const KeyId& id) const override { return Find(keys, id); }
    std::optional<TaprootSpendData> GetTaprootSpendData(const XOnlyKey& output_key) const override
    {
        return Find(tr_spenddata, output_key);
    }
    /** Adds what other knows (existing entries are kept; taproot leaves are united). */
    void Merge(const FlatSigningProvider& other)
    {
        scripts.insert(other.scripts.begin(), other.scripts.end());
        pubkeys.insert(other.pubkeys.begin(), other.pubkeys.end());
        origins.insert(other.origins.begin(), other.origins.end());
        keys.insert(other.keys.begin(), other.keys.end());
        for (const auto& [k, data] : other.tr_spenddata) {
            auto [it, inserted] = tr_spenddata.emplace(k, data);
            if (!inserted) {
                for (const auto& [leaf, controls] : data.scripts)
                    it->second.scripts[leaf].insert(controls.begin(), controls.end());
            }
        }
    }

private:
    template <typename M>
    static std::optional<typename M::mapped_type> Find(const M& map, const typename M::key_type& key)
    {
        auto it = map.find(key);
        if (it == map.end()) return std::nullopt;
        return it->second;
    }
};

} // namespace common
