// The "outputs" argument of createrawtransaction, send, bumpfee and walletcreatefundedpsbt
// (Core's NormalizeOutputs/ParseOutputs/AddOutputs), shared by the node's and the wallet's methods.
#pragma once

#include "common/rpc/json.h"
#include "consensus/params.h"
#include "consensus/primitives/transaction.h"

namespace common::rpc {

/**
 * Appends to tx the outputs of an {"address": amount, "data": "hex"} object or an array of
 * one-key objects. Core's errors (RpcError): -8 non-null / key-value pair / duplicated address
 * / duplicate key: data / data must be hexadecimal, -5 "Invalid Bitcoin address: ...".
 */
void AddOutputs(consensus::MutableTransaction& tx, const Json& outputs, const consensus::ChainParams& params);

} // namespace common::rpc
