// The parsed form of a descriptor, shared by descriptor.cpp (expansion, printing) and
// descriptor_parse.cpp (the parser). Internal to common/: use descriptor.h.
#pragma once

#include "common/descriptor_key.h"
#include "consensus/script/script.h"

#include <memory>
#include <string>
#include <vector>

namespace common {

/** One script function of the descriptor language. */
enum class NodeType { ADDR, RAW, PK, PKH, WPKH, COMBO, MULTI, SORTEDMULTI, MULTI_A, SORTEDMULTI_A, SH, WSH, TR, RAWTR };

struct DescriptorNode {
    NodeType type{NodeType::RAW};
    consensus::Script script;                                ///< addr(), raw()
    std::string address;                                     ///< addr(): the address as given
    uint32_t threshold{0};                                   ///< multi*()
    bool tapscript{false};                                   ///< a tr() leaf: keys are used x-only (BIP-342)
    std::vector<DescriptorKey> keys;                         ///< tr(): keys[0] is the internal key
    std::vector<std::shared_ptr<const DescriptorNode>> subs; ///< sh()/wsh(): one; tr(): the leaves, depth first
    std::vector<int> depths;                                 ///< tr(): each leaf's depth in the tree
};

/** The BIP-342 leaf version of tapscript. */
inline constexpr uint8_t TAPROOT_LEAF_TAPSCRIPT = 0xc0;
/** BIP-341's control block allows 128 levels. */
inline constexpr int TAPROOT_CONTROL_MAX_NODE_COUNT = 128;
/** BIP-342 multi_a(): at most 999 keys (Core's MAX_PUBKEYS_PER_MULTI_A). */
inline constexpr size_t MAX_PUBKEYS_PER_MULTI_A = 999;

} // namespace common
