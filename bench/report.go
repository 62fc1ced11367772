package main

import (
	"fmt"
	"io"
	"runtime"
	"time"
)

// print writes the run as one Markdown table and a few lines, ready for
// docs/performance.md.
func (t *table) print(w io.Writer, cfg config) {
	fmt.Fprintf(w, "\nMachine: %d cores, %s/%s, %s. Load rows run %s each.\n\n", runtime.NumCPU(), runtime.GOOS, runtime.GOARCH, runtime.Version(), cfg.d)
	fmt.Fprintln(w, "| What | Clients | Answers | Per second | p50 | p95 | p99 | Ratio to ceiling | Goal |")
	fmt.Fprintln(w, "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
	line := func(name string, workers int, r result, ratio, goal string) {
		failed := ""
		if r.failed > 0 {
			failed = fmt.Sprintf(" (+%d failed: %s)", r.failed, r.firstError)
		}
		fmt.Fprintf(w, "| %s | %d | %d%s | %.0f | %s | %s | %s | %s | %s |\n",
			name, workers, r.ok, failed, r.perSecond(), ms(r.quantile(0.5)), ms(r.quantile(0.95)), ms(r.quantile(0.99)), ratio, goal)
	}
	line("Ceiling A: Echo, fixed page", cfg.workers, t.ceilingA, "", "")
	line("Ceiling B: SQLite INSERT+UPDATE tx", 1, t.ceilingB, "", "")
	for i, r := range t.rows {
		ratio, goal := "", ""
		if r.ceiling != "" {
			ratio = fmt.Sprintf("%.2f of %s", t.ratio(r), r.ceiling)
		}
		if r.beside > 0 {
			ratio += fmt.Sprintf(" beside (%.0f/s)", r.beside)
		}
		switch {
		case r.minRatio > 0:
			goal = fmt.Sprintf("≥ %g %s", r.minRatio, mark(t.ratio(r) >= r.minRatio))
		case r.vs > 0:
			base := t.rows[i-r.vs].r.perSecond()
			change := r.r.perSecond()/base - 1
			goal = fmt.Sprintf("within %.0f%% of %s: %+.0f%% %s", r.tolerance*100, r.vsName, change*100, mark(change >= -r.tolerance))
		case r.maxP99 > 0:
			goal = fmt.Sprintf("p99 < %s %s", r.maxP99, mark(r.r.quantile(0.99) < r.maxP99))
		case r.maxP95 > 0:
			goal = fmt.Sprintf("p95 < %s %s", r.maxP95, mark(r.r.quantile(0.95) < r.maxP95))
		}
		line(r.name, r.workers, r.r, ratio, goal)
	}
	fmt.Fprintln(w)
	if cfg.part == "big" {
		return // the lines below are measured on the café
	}
	fmt.Fprintf(w, "- Peak resident memory of the server under the stamp load: %.1f MB (%.1f MB after it); goal < 100 MB %s\n",
		mb(t.peakRSS), mb(t.afterRSS), mark(t.peakRSS < 100<<20))
	fmt.Fprintf(w, "- Start-up to the first 200 of /healthz on an empty database (migrations applied), 5 runs: median %s, slowest %s\n",
		ms(t.startups[len(t.startups)/2]), ms(t.startups[len(t.startups)-1]))
	p := t.page
	total := p.html + p.css + p.images
	fmt.Fprintf(w, "- Card page weight without the logo: HTML %.1f KB + CSS %.1f KB + images %.1f KB = %.1f KB; goal < 60 KB %s\n",
		kb(p.html), kb(p.css), kb(p.images), kb(total), mark(total < 60<<10))
	fmt.Fprintf(w, "- Card page without JavaScript: the card, its QR code and balance are in the HTML: %s; scripts %v (%.1f KB) only add the offline copy, the share button and form niceties\n",
		yesNo(p.readable), p.scriptFiles, kb(p.scripts))
}

// ratio is a row's throughput over its ceiling's: the one measured beside it
// when it was, else the run's first.
func (t *table) ratio(r row) float64 {
	if r.beside > 0 {
		return r.r.perSecond() / r.beside
	}
	c := t.ceilingA
	if r.ceiling == "B" {
		c = t.ceilingB
	}
	return r.r.perSecond() / c.perSecond()
}

func mark(ok bool) string {
	if ok {
		return "✓"
	}
	return "✗"
}

func yesNo(ok bool) string {
	if ok {
		return "yes"
	}
	return "no"
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond)) }
func mb(b int64) float64        { return float64(b) / (1 << 20) }
func kb(b int) float64          { return float64(b) / (1 << 10) }
