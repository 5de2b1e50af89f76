#pragma once
// Where the workbench finds the `micromind` command it launches runs with.

#include <QString>

namespace mm::ui {

/// The `micromind` executable: $MICROMIND_CLI, else `micromind` next to the
/// workbench binary (installed layout), else the one built beside this
/// library (MM_CLI_BUILD_PATH), else `micromind` on PATH.
QString micromindPath();

} // namespace mm::ui
