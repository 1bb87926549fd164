// libFuzzer target: bytes as the command line (one argument per line), parsed and validated as
// stampede does before it runs, for the window build and for one without the window.

#include "fuzzmain.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerInitialize(int *, char ***)
{
    fuzzSetUp();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const QByteArray bytes = QByteArray::fromRawData(reinterpret_cast<const char *>(data), qsizetype(size));
    fuzzCheck("cli", fuzzentry::commandLine(bytes, true));
    fuzzCheck("cli (no window)", fuzzentry::commandLine(bytes, false));
    return 0;
}
