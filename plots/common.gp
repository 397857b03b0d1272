# Shared by every figure: the terminal (PNG or SVG by `fmt`), fonts, grid.
# Each script sets `width` and `height` before loading this.
if (fmt eq "svg") {
    set terminal svg size width, height dynamic enhanced font "Helvetica,13" background rgb "white"
    set output out.".svg"
} else {
    set terminal pngcairo size width, height enhanced font "Helvetica,12" background rgb "white"
    set output out.".png"
}
set grid lc rgb "#e0e0e0"
set border lc rgb "#606060"
set key outside right top box lc rgb "#c0c0c0"
set datafile missing "NaN"
# one colour per allocator, in the suite's order (MeMS policies first)
array palette_colors[8] = ["#1f77b4", "#17becf", "#2ca02c", "#9467bd", "#d62728", "#ff7f0e", "#8c564b", "#e377c2"]
