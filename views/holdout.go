package views

// Holdout is one automation's answer to "did the messages bring people
// back?", in sentences: its rates, its verdict and what it cost.
type Holdout struct {
	Kind, Name string
	// Verdict is the loyalty.Verdict code: it names the tag and its colour.
	Verdict  string
	Summary  string // the two return rates; empty before anyone's days are over
	Finding  string // the difference and what it means
	Coupons  string // the coupons the messaged used; empty without any
	KeptBack string // the messaged whom the message did not reach; empty without any
	Pending  string // those chosen too recently to count; empty without any
}

// Measured is the program's return measured by the hold-outs, shown beside
// the estimate.
type Measured struct {
	Shown   bool // some automation chose anyone
	Counted bool // and one of them has a verdict
	Text    string
	Worth   string // at the owner's average ticket; empty without it
}

// verdictTag names a verdict in a few words.
func verdictTag(p Page, verdict string) string {
	switch verdict {
	case "brought_back":
		return p.T.T("HoldoutVerdictBroughtBack")
	case "no_effect":
		return p.T.T("HoldoutVerdictNoEffect")
	case "keeps_away":
		return p.T.T("HoldoutVerdictKeepsAway")
	}
	return p.T.T("HoldoutVerdictTooEarly")
}
