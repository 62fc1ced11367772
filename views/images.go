package views

import "strconv"

// MaxImageBytes is the largest image file an owner may upload: a phone's
// photo fits. The browser says so as soon as a larger one is chosen
// (data-max-bytes, app.js); the server refuses it too.
const MaxImageBytes = 12 << 20

var maxImageBytes = strconv.Itoa(MaxImageBytes)
