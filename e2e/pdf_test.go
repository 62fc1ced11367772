package e2e

import (
	"fmt"
	"regexp"
	"strconv"
)

// What the print tests read of the PDFs Chromium writes: page objects and
// their sizes in points.
var (
	// A page object, not the /Pages tree.
	pdfPage     = regexp.MustCompile(`/Type\s*/Page[^s]`)
	pdfMediaBox = regexp.MustCompile(`/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]`)
)

// mediaBox is the first page's size in whole points, "595x842" for A4.
func mediaBox(pdf []byte) string {
	_, boxes := pdfPages(pdf)
	if len(boxes) == 0 {
		return "unknown"
	}
	return fmt.Sprintf("%.0fx%.0f", boxes[0][0], boxes[0][1])
}

// pdfPages counts the pages of a PDF and returns each page's size in points.
func pdfPages(pdf []byte) (int, [][2]float64) {
	var boxes [][2]float64
	for _, m := range pdfMediaBox.FindAllSubmatch(pdf, -1) {
		w, _ := strconv.ParseFloat(string(m[1]), 64)
		h, _ := strconv.ParseFloat(string(m[2]), 64)
		boxes = append(boxes, [2]float64{w, h})
	}
	return len(pdfPage.FindAll(pdf, -1)), boxes
}
