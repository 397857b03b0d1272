# Figure 2: Johnstone & Wilson's four fragmentation measures, as footprint /
# live (1 + fragmentation), by trace (groups) and allocator (bars).
# Variables: data (folder with frag_jw1..4.dat), names, out, fmt, plots.
width = 1500; height = 1100
load plots."/common.gp"
set multiplot layout 4, 1 title "Fragmentation by trace and allocator: footprint / live bytes (1 = none), log scale" font ",14"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.9 border -1
set boxwidth 0.9
set logscale y
set yrange [0.9:*]
set ytics nomirror
set xtics rotate by -25 font ",10" noenhanced
set key outside right top font ",10"
set lmargin 10
set rmargin 18
titles = "'#1: averaged over time' '#2: at peak live memory' '#3: at peak footprint' '#4: peak footprint / peak live'"
do for [k=1:4] {
    set title "Johnstone \\& Wilson ".word(titles, k) font ",12"
    set ylabel "footprint / live"
    file = sprintf("%s/frag_jw%d.dat", data, k)
    if (k == 1) { set key } else { unset key }
    plot for [i=1:words(names)] file using (column(i + 1)):xtic(1) title word(names, i) noenhanced \
         lc rgb palette_colors[(i - 1) % 8 + 1]
}
unset multiplot
