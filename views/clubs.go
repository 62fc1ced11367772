package views

import (
	"net/url"
	"strconv"
	"time"

	"github.com/a-h/templ"
)

// Club is a club as the owner's pages show it.
type Club struct {
	ID          int64
	Name        string
	Description string
	Open        bool
	Archived    bool
	Members     int
}

// ClubMember is a row of a club's member list.
type ClubMember struct {
	CardID    int64
	Name      string
	ShortCode string
	JoinedAt  time.Time
	Source    string // card, owner, import
}

// ClubMembers is a page of a club's member list.
type ClubMembers struct {
	Rows        []ClubMember
	Total       int
	Page, Pages int
}

// URL is the club's page at page n of its members.
func (m ClubMembers) URL(clubID int64, n int) templ.SafeURL {
	q := url.Values{"page": {strconv.Itoa(n)}}
	return templ.SafeURL("/clubs/" + strconv.FormatInt(clubID, 10) + "?" + q.Encode())
}

// CardClub is a club as the card page offers it: joined or not.
type CardClub struct {
	ID          int64
	Name        string
	Description string
	Member      bool
}

// CustomerClub is a club on the owner's customer record: the customer is a
// member or can be added.
type CustomerClub struct {
	ID     int64
	Name   string
	Member bool
}

// audienceOptions are a campaign's audiences; a club only when the shop has one.
func audienceOptions(p Page, clubs bool) []Option {
	opts := []Option{{"all", p.T.T("AudienceAll")}, {"segment", p.T.T("AudienceSegment")}}
	if clubs {
		opts = append(opts, Option{"club", p.T.T("AudienceClub")})
	}
	return append(opts, Option{"chosen", p.T.T("AudienceChosen")}, Option{"code", p.T.T("AudienceCode")})
}

// clubSourceName says who started a membership.
func clubSourceName(p Page, source string) string {
	switch source {
	case "card":
		return p.T.T("ClubSourceCard")
	case "owner":
		return p.T.T("ClubSourceOwner")
	default:
		return p.T.T("ClubSourceImport")
	}
}
