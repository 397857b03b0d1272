# Figure 6: search cost over time: holes examined per allocation between
# consecutive samples, per MeMS policy.
# Variables: trace, files (MeMS time-series CSVs), names, out, fmt, plots.
width = 1200; height = 600
load plots."/common.gp"
set datafile separator ","
set title sprintf("Search cost: holes examined per allocation over time, trace '%s'", trace) noenhanced
set xlabel "operation index"
set autoscale xfix
set ylabel "holes examined per search (per sample window)"
# the per-window rate: differences of the running totals (columns 8 and 9)
rate(examined, searches) = (d_s = searches - prev_s, d_e = examined - prev_e, prev_s = searches, prev_e = examined, d_s > 0 ? d_e / d_s : NaN)
plot for [i=1:words(files)] word(files, i) skip 1 using 1:(($0 == 0 ? (prev_s = 0, prev_e = 0) : 0), rate($8, $9)) \
     with lines lw 2 lc rgb palette_colors[i] title word(names, i) noenhanced
