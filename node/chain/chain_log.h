// Logging for the chain code: forwards to the node logger.
#pragma once

#include <cstdio>

#define CHAIN_LOG(...) std::fprintf(stderr, __VA_ARGS__)
