# Study figure 5: where the bytes beyond peak live go, per policy and
# structure: holes between live blocks, node ends and empty nodes, rounding,
# metadata (mean share over the phase traces and programs).
# Variables: data (plotdata/waste.dat), out, fmt, plots.
width = 1500; height = 620
load plots."/common.gp"
set title "Where the waste goes: percent of peak live bytes, mean over the phase traces and programs"
set style data histograms
set style histogram rowstacked
set style fill solid 0.9 border -1
set boxwidth 0.8
set ylabel "percent of peak live bytes"
set yrange [0:*]
set xtics rotate by -50 font ",9" noenhanced
set key inside left top
set rmargin 10
parts = "'holes between live blocks' 'node ends + empty nodes' 'rounding to 16 B' 'metadata'"
colors = "#1f77b4 #ff7f0e #7f7f7f #bcbd22"
plot for [i=1:4] data using (column(1 + i)):xtic(1) title word(parts, i) lc rgb word(colors, i)
