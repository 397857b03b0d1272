# Study figure 6: the policy zoo on the recorded programs: Johnstone & Wilson's
# #4 per member, the policy's part beside everything counted (geometric means
# over the programs, percent of peak live).
# Variables: data (plotdata/zoo.dat), out, fmt, plots.
width = 1300; height = 600
load plots."/common.gp"
set title "The policy zoo on real programs: (largest footprint - peak live) / peak live, geometric mean (%)"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.9 border -1
set boxwidth 0.9
set ylabel "#4 (% of peak live)"
set yrange [0:*]
set xtics font ",11" noenhanced rotate by -35
set key inside left top
plot data using 2:xtic(1) title "the policy's part" lc rgb palette_colors[1], \
     '' using 3 title "everything counted" lc rgb palette_colors[6]
