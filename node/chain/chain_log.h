// Logging for the chain code: forwards to the node logger (node/util/logging.h).
#pragma once

#include "node/util/logging.h"

#define CHAIN_LOG(...) ::node::util::LogPrintf(__VA_ARGS__)
