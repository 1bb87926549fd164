#pragma once

// Engine time: nanoseconds since the engine was built, on the steady clock.

#include <chrono>
#include <cmath>
#include <cstdint>

namespace stampede {

using Nanos = std::int64_t;
using Clock = std::chrono::steady_clock;

inline Nanos msToNs(double ms) { return static_cast<Nanos>(std::llround(ms * 1e6)); }

} // namespace stampede
