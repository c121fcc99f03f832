// Logging for the chain code: forwards to the node logger (util/logging.h).
#pragma once

#include "util/logging.h"

#define CHAIN_LOG(...) ::util::LogPrintf(__VA_ARGS__)
