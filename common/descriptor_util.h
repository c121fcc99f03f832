// Output descriptor helpers: Core's descriptor checksum, the one-script shortcut
// ParseDescriptorScript (parsing itself lives in descriptor.h), and InferDescriptor-lite
// for the "desc" field of decodescript and scriptPubKey objects.
// Pure functions, any thread.
#pragma once

#include "consensus/params.h"
#include "consensus/script/script.h"

#include <optional>
#include <string>
#include <string_view>

namespace common {

/** Core's 8-character descriptor checksum of desc (no '#'), or "" if desc has a character outside INPUT_CHARSET. */
std::string DescriptorChecksum(std::string_view desc);

/** desc + "#" + its checksum (desc unchanged if it has invalid characters). */
std::string AddDescriptorChecksum(std::string_view desc);

/**
 * Splits "payload#checksum" and verifies the checksum if present (or if require_checksum).
 * false with Core's error text ("Multiple '#' symbols", "Missing checksum", "Provided
 * checksum '...' does not match computed checksum '...'", ...). payload gets the part before '#'.
 */
bool CheckDescriptorChecksum(std::string_view desc, bool require_checksum, std::string& error,
                             std::string* payload = nullptr);

/**
 * The one scriptPubKey of a descriptor that ParseDescriptor (descriptor.h) accepts and that
 * is not ranged, optionally with #checksum. nullopt and error (Core's wording where Core
 * has one, RANGED_DESCRIPTOR_ERROR for a ranged one) otherwise. Defined in descriptor.cpp.
 */
std::optional<consensus::Script> ParseDescriptorScript(std::string_view desc, const consensus::ChainParams& params,
                                                       std::string& error, bool require_checksum = false);

/**
 * Core's InferDescriptor without a signing provider, with checksum: pk(KEY), multi(k,KEYS),
 * rawtr(XONLY), addr(ADDRESS) for scripts with an address, raw(HEX) for the rest.
 */
std::string InferDescriptor(const consensus::Script& script, const consensus::ChainParams& params);

} // namespace common
