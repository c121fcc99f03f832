// One descriptor of a wallet and the scripts it has derived (Core's DescriptorScriptPubKeyMan):
// its public form (for deriving scripts while the wallet is locked), the next index to hand
// out, and a lookahead of derived scripts (-keypool) so payments to any of the next N
// addresses are recognised. Not thread-safe: the wallet guards it with its lock.
#pragma once

#include "common/descriptor.h"
#include "consensus/params.h"
#include "consensus/script/script.h"
#include "consensus/uint256.h"
#include "wallet/outputtype.h"

#include <cstdint>
#include <map>
#include <optional>
#include <string>

namespace wallet {

/** "legacy", "p2sh-segwit", "bech32", "bech32m" (getnewaddress's address_type). */
const char* OutputTypeName(OutputType t);
/** The type named s; nullopt for an unknown name. */
std::optional<OutputType> ParseOutputType(std::string_view s);

/** Core's DEFAULT_KEYPOOL_SIZE (-keypool): scripts derived ahead of the next index. */
inline constexpr int32_t DEFAULT_KEYPOOL_SIZE = 1000;

/** What the database keeps of a descriptor (Core's WalletDescriptor). */
struct WalletDescriptor {
    std::string descriptor; //!< public form with checksum
    int64_t creation_time{0};
    int32_t next_index{0}; //!< the next index getnewaddress hands out (range_end in Core)
    bool internal{false};  //!< change addresses
    std::optional<OutputType> type;
    int32_t range_end{0};   //!< importdescriptors' range (exclusive): derived at least this far
    int32_t range_start{0}; //!< importdescriptors' range start: indexes below it are never derived
};

/**
 * The end (exclusive) of the scripts a descriptor watches with lookahead scripts derived past
 * its next index: 1 if not ranged; else the import's range end or the lookahead past
 * next_index, whichever is further (Core's range_end, which its TopUp grows).
 */
int32_t WatchedEnd(const WalletDescriptor& d, bool ranged, int32_t lookahead);

class DescriptorSpkm {
public:
    /** Parses desc.descriptor; nullopt with error if it does not parse. */
    static std::optional<DescriptorSpkm> Make(const WalletDescriptor& desc, const consensus::ChainParams& params,
                                              std::string& error);

    /** The id under which the database keeps it: SHA256 of the public descriptor string. */
    const consensus::Uint256& Id() const { return m_id; }
    const WalletDescriptor& Data() const { return m_data; }
    const common::Descriptor& Descriptor() const { return m_desc; }
    bool IsRange() const { return m_desc.IsRange(); }

    /** Scripts [range_start, DerivedEnd()) are derived (the keypool is what lies past next_index). */
    int32_t DerivedEnd() const { return m_derived_end; }
    /**
     * The end (exclusive) of the range this descriptor watches once topped up with lookahead:
     * the import's range or lookahead past next_index, whichever is further (Core's range_end,
     * which its TopUp grows). listdescriptors shows it; a re-import must cover it.
     */
    int32_t WatchedEnd(int32_t lookahead) const { return wallet::WatchedEnd(m_data, IsRange(), lookahead); }
    /** Derives scripts up to WatchedEnd(lookahead) (exclusive), which range_end then keeps (Core's
     *  TopUp grows range_end); false with error if one cannot be derived. */
    bool TopUp(int32_t lookahead, std::string& error);
    /** The script at index, if derived. */
    std::optional<consensus::Script> ScriptAt(int32_t index) const;
    /** The index of script if this descriptor derived it. */
    std::optional<int32_t> IndexOf(const consensus::Script& script) const;
    /** Every derived script with its index. */
    const std::map<consensus::Script, int32_t>& Scripts() const { return m_scripts; }
    /** Every derived script by its index. */
    const std::map<int32_t, consensus::Script>& ScriptsByIndex() const { return m_by_index; }
    /** Hands out the script at next_index and advances it (the caller writes Data() and tops up). */
    std::optional<consensus::Script> TakeNext(std::string& error);
    /**
     * index was seen in a transaction: next_index moves past it (Core's MarkUnusedAddresses),
     * so the lookahead follows. True if next_index changed (the caller writes Data()).
     */
    bool MarkUsed(int32_t index);
    /**
     * A script handed out by TakeNext and not used after all: when it is the last handed out,
     * next_index steps back to it (Core's ReturnDestination). True if next_index changed.
     */
    bool ReturnIndex(int32_t index);

private:
    DescriptorSpkm(WalletDescriptor data, common::Descriptor desc, consensus::Uint256 id)
        : m_data(std::move(data)), m_desc(std::move(desc)), m_id(id),
          m_derived_end(m_desc.IsRange() ? m_data.range_start : 0)
    {}
    WalletDescriptor m_data;
    common::Descriptor m_desc;
    consensus::Uint256 m_id;
    std::map<consensus::Script, int32_t> m_scripts;
    std::map<int32_t, consensus::Script> m_by_index;
    int32_t m_derived_end; //!< scripts [range_start, m_derived_end) are derived
};

} // namespace wallet
