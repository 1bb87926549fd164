#pragma once

namespace stampede {

// The life of a slot that holds an app node, a cache node or a consumer. Slots are never freed
// between two resets, so any thread may keep a slot index while the control thread changes it.
enum class NodeSlotState : int { Free, Up, Draining, Dead, Removed };

} // namespace stampede
