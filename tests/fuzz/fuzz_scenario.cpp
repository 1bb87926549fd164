// libFuzzer target: bytes as a scenario file (--scenario FILE) and as a lesson file
// (--lesson FILE.json); lessons embed a scenario and share its reader.

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
    // Not copied, so that reading past the end is an ASan report.
    const QByteArray bytes = QByteArray::fromRawData(reinterpret_cast<const char *>(data), qsizetype(size));
    fuzzCheck("scenario", fuzzentry::scenarioFile(bytes));
    fuzzCheck("lesson", fuzzentry::lessonFile(bytes));
    return 0;
}
