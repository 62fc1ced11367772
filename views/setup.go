package views

import "strconv"

// Setup is one step of a new shop's set-up.
type Setup struct {
	Step       string   // the step shown: "reward", "place", "look" or "ready"
	Steps      []string // every step, in order
	ProgramID  int64    // the default program
	Program    string   // its name
	Stamped    bool     // cards have stamps: the reward changes on the program's page
	Zones      []string // the time zones and currencies to choose from
	Currencies []string
	Form       Form
	Done       SetupDone
}

// SetupDone is what of the first things to do is done.
type SetupDone struct {
	Cashier bool // someone besides the owner can sign in
	Stamped bool // a card has had its first stamp
}

// stepTitle is a step's name in the list of steps.
func stepTitle(p Page, step string) string {
	switch step {
	case "reward":
		return p.T.T("SetupStepReward")
	case "place":
		return p.T.T("SetupStepPlace")
	case "look":
		return p.T.T("SetupStepLook")
	default:
		return p.T.T("SetupStepReady")
	}
}

// nextStep is the step after step, "" after the last.
func (s Setup) nextStep() string {
	for i, st := range s.Steps {
		if st == s.Step && i+1 < len(s.Steps) {
			return s.Steps[i+1]
		}
	}
	return ""
}

// stepNumber is the step's place, from 1.
func (s Setup) stepNumber() int {
	for i, st := range s.Steps {
		if st == s.Step {
			return i + 1
		}
	}
	return 1
}

// previewStamps is how many circles the preview draws for the typed target:
// what the form holds if it is a target the program can have, 10 otherwise.
func previewStamps(typed string) int {
	n, err := strconv.Atoi(typed)
	if err != nil || n < 1 || n > 100 {
		return 10
	}
	return n
}
