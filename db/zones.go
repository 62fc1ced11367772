package db

import (
	"sync"
	"time"
)

// zones caches the time zones of shops by name: time.LoadLocation reads and
// parses a zoneinfo file on every call, and every stamp and page places its
// time in the shop's zone.
var zones sync.Map // name → *time.Location

// Location is time.LoadLocation, read once per zone name for the process.
func Location(name string) (*time.Location, error) {
	if loc, ok := zones.Load(name); ok {
		return loc.(*time.Location), nil
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, err
	}
	zones.Store(name, loc)
	return loc, nil
}
