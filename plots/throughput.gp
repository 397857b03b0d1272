# Figure 3: time per operation relative to glibc, with confidence intervals.
# Variables: data (throughput.dat), names, out, fmt, plots.
width = 1500; height = 650
load plots."/common.gp"
set title "Throughput: time per operation relative to glibc (1 = as fast as glibc; lower is faster), log scale"
set style data histograms
set style histogram errorbars gap 1 lw 1
set style fill solid 0.9 border -1
set boxwidth 0.9
set logscale y
set ylabel "time per op / glibc's (median, 95% CI)"
set xtics rotate by -25 font ",10" noenhanced
set xlabel "trace"
plot for [i=1:words(names)] data using (column(3 * i - 1)):(column(3 * i)):(column(3 * i + 1)):xtic(1) \
     title word(names, i) noenhanced lc rgb palette_colors[(i - 1) % 8 + 1], \
     1 with lines lc rgb "black" dt 2 notitle
