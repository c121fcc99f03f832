// The mempool's fee rates are common::FeeRate (common/feerate.h), shared with the wallet.
#pragma once

#include "common/feerate.h"

namespace node::mempool {
using common::FeeRate;
using common::FormatMoney;
} // namespace node::mempool
