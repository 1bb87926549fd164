#pragma once

// The window runs for hours and builds a new engine, with threads of its own, at every preset,
// reset of a lesson or compare run. glibc gives each new thread an arena of its own, up to
// 8 per core, and keeps what each arena frees for its reuse; the soak measured the heap in use
// flat at 45 MB while resident memory climbed 8 MB in two minutes (RELIABILITY.md). Two arenas
// and a fixed mmap threshold (large buffers, such as an export's image or a fan-out engine's
// tables, go back to the system when freed) keep resident memory what the window uses.
// Call once, before the first thread starts. A no-op off glibc.

namespace stampede::ui {

void tuneAllocatorForLongRuns();

} // namespace stampede::ui
