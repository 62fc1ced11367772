package views

// StaffView is what the staff page shows besides its members.
type StaffView struct {
	Members []StaffMember
	Form    Form // the form to add a member
	// Link is a sign-in link just made, shown once; LinkNote says whose and what for.
	Link, LinkNote string
	Saved, Problem string // the outcome of the last change, above the list
}
