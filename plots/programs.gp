# The real programs on each allocator, relative to glibc (1 = glibc).
# Variables: data (one row per program: name, then per allocator its ratio and, with errorbars=1, the ratio's
# spread), label, allocators, nalloc, errorbars, out, fmt, plots.
width = 1300; height = 520
load plots."/common.gp"
set style data histogram
if (!exists("errorbars")) { errorbars = 0 }
if (errorbars) { set style histogram errorbars gap 1 lw 1.5 } else { set style histogram clustered gap 1 }
set style fill solid 0.85 border -1
set boxwidth 0.9
set yrange [0:*]
set ylabel label
set title "Real programs (traces/programs.sh) on each allocator: ".label
set key outside right top
set xtics nomirror
set arrow from graph 0, first 1 to graph 1, first 1 nohead dt 2 lc rgb "#404040" front
# each allocator in its colour of the suite's figures, whatever its column
suite_order = "mems-first mems-next mems-best mems-worst glibc jemalloc mimalloc tcmalloc"
colour_of(name) = sum [k=1:8] (word(suite_order, k) eq name ? k : 0)
colour(name) = colour_of(name) > 0 ? palette_colors[colour_of(name)] : "#7f7f7f"
if (errorbars) {
    plot for [a=1:nalloc] data using (column(2 * a)):(column(2 * a + 1)):xtic(1) \
         lc rgb colour(word(allocators, a)) title word(allocators, a)
} else {
    plot for [a=1:nalloc] data using a + 1:xtic(1) lc rgb colour(word(allocators, a)) title word(allocators, a)
}
