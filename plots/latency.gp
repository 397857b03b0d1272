# Figure 4: latency distribution (CDF) per op kind, one line per allocator.
# Variables: trace, files (latency CDF CSVs: op_kind,quantile,ns), names, out, fmt, plots.
width = 1400; height = 600
load plots."/common.gp"
set datafile separator ","
set multiplot layout 1, 2 title sprintf("Latency per call, trace '%s' (includes the timer's own cost)", trace) noenhanced font ",14"
set logscale x
set xlabel "latency (ns, log scale)"
set ylabel "fraction of calls at or below"
set yrange [0:1.02]
set key inside right bottom font ",10"
kinds = "malloc free"
do for [k=1:2] {
    kind = word(kinds, k)
    set title kind
    plot for [i=1:words(files)] word(files, i) skip 1 using (strcol(1) eq kind && $3 > 0 ? $3 : NaN):2 \
         with lines lw 2 lc rgb palette_colors[(i - 1) % 8 + 1] title word(names, i) noenhanced
}
unset multiplot
