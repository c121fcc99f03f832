// minicashd: the minicash full node daemon.
#include "node/init.h"

int main(int argc, char* argv[]) { return node::RunDaemon(argc, argv); }
