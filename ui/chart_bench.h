#pragma once
// `micromind-workbench --bench-charts`: how the live chart copes with long
// runs overlaid (by default 5 runs x 200k points): the load of a history,
// full redraws (log scale, x axis switched), the live redraw as every run logs
// a point, and the longest stall of the GUI thread while runs log fast.
// Figures only: nothing is asserted.

#include <QString>

namespace mm::ui {

struct ChartBenchOptions {
    int runs = 5;
    int points = 200000;
    int width = 1200, height = 500;
    int liveSeconds = 3; ///< how long the stall probe streams points
};

/// Runs the benchmark on a shown chart; prints a table to stdout and, with
/// `jsonPath`, writes the figures as JSON. Returns the process exit code.
int runChartBench(const ChartBenchOptions& o, const QString& jsonPath);

} // namespace mm::ui
