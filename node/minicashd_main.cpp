// minicashd: the minicash full node daemon.
#include "node/init.h"
#include "util/memory.h"

int main(int argc, char* argv[])
{
    util::ConfigureAllocator();
    return node::RunDaemon(argc, argv);
}
