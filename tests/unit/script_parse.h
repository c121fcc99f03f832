// Test-only readers for Bitcoin Core's vector formats: the textual script language of
// script_tests.json / tx_valid.json (Core's ParseScript in core_read.cpp), decimal BTC
// amounts, verification flag lists, and JSON with numbers kept as their exact text.
#pragma once

#include "consensus/amount.h"
#include "consensus/script/script.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>

namespace testutil {

/**
 * Parses Core's script text: tokens split on space, tab and newline; a decimal number in
 * -0xffffffff..0xffffffff is pushed minimally (Script::PushInt); "0x.." (even, non-empty hex)
 * is inserted raw; 'text' is pushed as data; an opcode name with or without "OP_" (but
 * never OP_0..OP_16, OP_1NEGATE or OP_PUSHDATAn, as in Core) appends the opcode.
 * Throws std::runtime_error on any other token.
 */
consensus::Script ParseScript(std::string_view text);

/**
 * Parses an exact decimal BTC amount ("0.00000001", "1e-08", "21000000") to satoshis;
 * nullopt if it is not a number, has more than 8 decimals, or is out of MoneyRange.
 */
std::optional<consensus::Amount> ParseAmount(std::string_view text);

/** Every verification flag by Core's name (without SCRIPT_VERIFY_), in bit order. */
std::span<const std::pair<std::string_view, uint32_t>> TestFlagTable();

/** Mask of all defined verification flags. */
uint32_t AllTestFlags();

/** "P2SH,WITNESS" to flag bits; "" and "NONE" give 0. Throws std::runtime_error on an unknown name. */
uint32_t ParseTestFlags(std::string_view names);

/** Flag bits to "P2SH,WITNESS" (for messages). */
std::string FormatTestFlags(uint32_t flags);

/**
 * Parses JSON like nlohmann::json::parse, except that every non-integer number is kept
 * as a string holding its exact source text (so amounts like 0.00000001 stay exact).
 * Throws nlohmann::json::exception on malformed input.
 */
nlohmann::json ParseJsonExactNumbers(const std::string& text);

/** A JSON number (integer) or exact-number string as an amount in BTC; nullopt if invalid. */
std::optional<consensus::Amount> AmountFromJson(const nlohmann::json& value);

} // namespace testutil
