// minicash-cli -getinfo: Core's human-readable summary and its -color setting. Pure functions
// (no I/O), so the layout is unit-tested; cli_main.cpp gathers the data with one batch call.
#pragma once

#include "common/rpc/json.h"

#include <optional>
#include <string>

namespace node::cli {

/** ANSI colour codes of the -getinfo summary; all empty when not colourising. */
struct Colors {
    std::string reset, green, blue, yellow, magenta, cyan;
};

/**
 * Core's -color: setting "always" or "never", or "auto" / unset (colour only when stdout_is_tty).
 * Any other value throws std::runtime_error("Invalid value for -color option. Valid values:
 * always, auto, never.").
 */
Colors GetInfoColors(const std::optional<std::string>& setting, bool stdout_is_tty);

/** Core's GetProgressBar: one "▒" per 5% done, one "░" per 5% to go; empty outside [0, 1]. */
std::string ProgressBar(double progress);

/** A value as Core's getValStr: strings unquoted, null empty, anything else as JSON. */
std::string ValStr(const common::rpc::Json& value);

/**
 * Core's -getinfo text from the summary object (chain, blocks, headers, verificationprogress,
 * difficulty; version, connections {in, out, total}, timeoffset, networks, relayfee when the
 * node serves getnetworkinfo; has_wallet, walletname, keypoolsize, unlocked_until, paytxfee; balance;
 * balances {wallet: amount} with several wallets; warnings).
 * Sections whose keys are absent are left out.
 */
std::string FormatGetInfo(const common::rpc::Json& summary, const Colors& colors);

} // namespace node::cli
