// The history entries the wallet's listing methods share (Core's ListTransactions and
// WalletTxToJSON): gettransaction and listtransactions (transactions.cpp), listsinceblock
// and the listreceivedby methods (received.cpp).
#pragma once

#include "wallet/rpc/util.h"

#include <string>
#include <vector>

namespace wallet::rpc {

/**
 * Core's WalletTxToJSON: the fields every history entry of wtx carries. tip_height: the
 * wallet's last processed block when wtx was read (Wallet::TxsAt), which depths count from.
 */
void TxFields(const Wallet& w, const WalletTx& wtx, int tip_height, Json& entry);

struct ListOptions {
    int min_depth{0};                  //!< receive entries need at least this depth (Core's nMinDepth)
    bool include_change{false};        //!< list our change outputs as sent and received
    const std::string* label{nullptr}; //!< only receive entries with this label (no send entries)
    bool with_fields{true};            //!< add TxFields to each entry
};

/** Core's CachedTxGetAmounts + ListTransactions: the send and receive entries of wtx, appended to out. */
void ListEntries(const Wallet& w, const WalletTx& wtx, int tip_height, const ListOptions& options, Json& out);

/** The help of TxFields' fields and of one entry (with TxFields when with_fields). */
std::vector<RpcResult> TxFieldResults();
std::vector<RpcResult> EntryResults(bool with_fields);

} // namespace wallet::rpc
