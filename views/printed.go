package views

import (
	"fmt"
	"strings"
	"time"

	"github.com/a-h/templ"
)

// PrintRun is one print run in the owner's list.
type PrintRun struct {
	Batch     int
	Cards     int
	Used      int
	CreatedAt time.Time
	CreatedBy string
}

// PrintedCard is one card on a printed sheet.
type PrintedCard struct {
	URL       string // what its QR code opens
	ShortCode string // formatted, "K7M2-Q9XD"
}

// PrintedText is what every card of a sheet says, in the shop's language:
// the customers read it, whatever language the owner's screen is in.
type PrintedText struct {
	Lang, Dir string
	Line      string // what the card is and how to open it
	Rule      string // the default program's rule, "10 stamps → a free coffee"; "" without one
	QRLabel   string
}

// The sheet: ten business cards of 85 × 55 mm, two across and five down, in
// the middle of a portrait A4 page of 210 × 297 mm. What is left is the
// margin: 20 mm either side, 11 mm above and below, room for the crop marks
// and for any printer's unprintable edge.
const (
	sheetWidth, sheetHeight = 210.0, 297.0
	cardWidth, cardHeight   = 85.0, 55.0
	sheetColumns, sheetRows = 2, 5
	marginInline            = (sheetWidth - sheetColumns*cardWidth) / 2
	marginBlock             = (sheetHeight - sheetRows*cardHeight) / 2
	// A crop mark stops short of the card so that a slightly crooked cut
	// leaves no line on it.
	cropGap = 2.0
)

// sheets cuts a print run into the pages it prints on.
func sheets(cards []PrintedCard) [][]PrintedCard {
	var out [][]PrintedCard
	for len(cards) > 0 {
		n := min(len(cards), sheetColumns*sheetRows)
		out = append(out, cards[:n])
		cards = cards[n:]
	}
	return out
}

// cropMarks draws the cut lines' ends in the sheet's margins, in millimetres,
// as one SVG laid over the page: a short line outside the cards wherever a
// cut begins or ends.
func cropMarks() templ.Component {
	var d strings.Builder
	for col := 0; col <= sheetColumns; col++ {
		x := marginInline + float64(col)*cardWidth
		fmt.Fprintf(&d, "M%g %gV%g", x, cropGap, marginBlock-cropGap)
		fmt.Fprintf(&d, "M%g %gV%g", x, sheetHeight-marginBlock+cropGap, sheetHeight-cropGap)
	}
	for row := 0; row <= sheetRows; row++ {
		y := marginBlock + float64(row)*cardHeight
		fmt.Fprintf(&d, "M%g %gH%g", cropGap, y, marginInline-cropGap)
		fmt.Fprintf(&d, "M%g %gH%g", sheetWidth-marginInline+cropGap, y, sheetWidth-cropGap)
	}
	return templ.Raw(fmt.Sprintf(`<svg class="crop-marks" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %g %g" aria-hidden="true"><path d="%s" stroke="#000" stroke-width="0.2" fill="none"/></svg>`,
		sheetWidth, sheetHeight, d.String()))
}

// cardToken is the token at the end of a card's URL, which the replacement
// form sends back to say which card the cashier saw.
func cardToken(url string) string {
	return url[strings.LastIndex(url, "/c/")+3:]
}
